"""The ``accel`` command line: one module per command, options they share in ``common``.

=====================  ==========================================================
``accel run``           the classification check, or every layer on your images
``accel testbench``     each layer against golden float outputs, PASS/FAIL
``accel export-vectors``  one layer's raw vectors and a C++ testbench
``accel export-hls``    the whole network as a Vitis HLS project, bit-exact testbench
``accel import``        an ONNX or Keras model → network YAML + weights
``accel quant``         how values are stored in one ``ap_fixed`` type
``accel report``        resources and latency per layer on a board
``accel dse``           the tile sizes that minimize latency on a board
``accel calibrate``     estimates against Vitis csynth reports; a profile fitted to them
``accel sweep``         accuracy and cost over a grid of bit widths
``accel tune``          the cheapest per-layer widths that keep the accuracy
=====================  ==========================================================

A command module has ``add(commands)`` (its parser) and ``command(args)`` (exit status).
Errors users can fix are ``ValueError``s: printed as one line, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from ..threads import size_pools

try:
    size_pools()  # before numpy and numba load: a thread per idle core, not per core
    _ENVIRONMENT_ERROR: ValueError | None = None
except ValueError as err:  # said by main() as any other error a user can fix
    _ENVIRONMENT_ERROR = err

from . import calibrate, dse, export_hls, import_model, quant, report, run, sweep, testbench, tune, vectors  # noqa: E402

COMMANDS = (run, testbench, vectors, export_hls, import_model, quant, report, dse, calibrate, sweep, tune)


def main(argv: Sequence[str] | None = None) -> int:
    from ..memory import keep_freed_memory

    if _ENVIRONMENT_ERROR is not None:
        print(f"accel: error: {_ENVIRONMENT_ERROR}", file=sys.stderr)
        return 2
    keep_freed_memory()  # batches reuse freed memory instead of page-faulting it back in
    parser = _parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # said by the command's parser, so that the line names the command and its help
            commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            (commands.choices.get(getattr(args, "command", None)) or parser).error(
                f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as done:  # argparse has printed its usage error (status 2) or --help/--version (0)
        return int(done.code or 0)
    if not hasattr(args, "run"):
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except ValueError as err:
        print(f"accel {args.command}: error: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (accel report | head): not an error of ours
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # Ctrl-C: one line, the conventional status, no traceback
        print(f"\naccel {args.command}: interrupted", file=sys.stderr)
        return 130


class _Parser(argparse.ArgumentParser):
    """argparse, but an option error is one line (what is wrong, and where help is) instead
    of the whole usage block; ``add_subparsers`` makes every command's parser one too."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="accel",
        description="Bit-accurate model of a Vitis HLS fixed-point CNN accelerator.",
    )
    parser.add_argument("--version", action="version", version=f"accel {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.add(commands)
    return parser


def _version() -> str:
    try:
        return version("accel-hls")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
