"""What the commands share: their common options, and how they resolve a network, its
weights and its images. No command module imports another; they all import this one.

- ``--config``: a network YAML or a shipped name; ``--weights``: a weights ``.npz`` (default:
  the trained weights shipped for the network, else seeded ones, said loudly);
  ``--seed``: the seed of seeded weights and images;
- ``--board``, ``--preset``, ``--clock-ns``, ``--profile``: the estimator's target;
- ``--format`` (and ``--json``, the same as ``--format json``): how the result is printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from layers.hw import DEFAULT_CLOCK_NS, Preset, Profile
from layers.hw.profile import ALIASES, TOOLS
from reports.document import FORMATS

from ..cifar import load_sample
from ..config import load_network
from ..network import Network
from ..shipped import DEFAULT_NETWORK, NETWORKS, shipped_config, trained_weights

BESIDE_CONFIG = "weights.npz"  # what accel import writes next to net.yaml
from ..weights import Weights, load_weights, seeded_weights

DEFAULT_BOARD = "ultra96"


def add_network_options(parser: argparse.ArgumentParser, default: str | None = DEFAULT_NETWORK,
                        weights: bool = True) -> None:
    """``default`` None: ``args.config`` stays None unless given (the shipped default then
    applies), so that a command can tell a network the user named from the default."""
    parser.add_argument("--config", default=default,
                        help=f"network YAML, or a shipped name ({', '.join(NETWORKS)}); default "
                        f"{default or DEFAULT_NETWORK}")
    if weights:
        parser.add_argument("--weights", help="weights .npz (PyTorch state_dict names); default: the trained "
                            "weights shipped for the network, seeded weights otherwise")
    parser.add_argument("--seed", type=int, default=0, help="seed for seeded weights and images (default 0)")


def add_board_options(parser: argparse.ArgumentParser, preset: bool = True) -> None:
    parser.add_argument("--board", help=f"board name or part number (default: the network's target part, "
                        f"else {DEFAULT_BOARD})")
    parser.add_argument("--clock-ns", type=positive_float, help=f"clock period in ns (default: the network's "
                        f"target clock, else {DEFAULT_CLOCK_NS:g})")
    if not preset:
        return
    parser.add_argument("--preset", default=Preset.CONFIG.value, choices=[p.value for p in Preset],
                        help="config: the YAML's tiles and directives; unopt: rolled loops, whole arrays on chip; "
                        "opt: tiled, pipelined, partitioned, dataflow (default config)")


def resolve_target(args: argparse.Namespace, network: Network) -> None:
    """``--board`` and ``--clock-ns`` filled in: as given, else the network's ``target``
    (an hls4ml import carries hls4ml's part and clock), else the defaults."""
    if args.board is None:
        args.board = network.target_part or DEFAULT_BOARD
    if args.clock_ns is None:
        args.clock_ns = network.target_clock_ns or DEFAULT_CLOCK_NS


def add_format_options(parser: argparse.ArgumentParser, out: bool = False) -> None:
    parser.add_argument("--format", default="text", choices=FORMATS, help="output format (default text)")
    parser.add_argument("--json", action="store_true", help="the same as --format json")
    if out:
        parser.add_argument("--out", help="write the report (and its PNG plots) into this folder")


def output_format(args: argparse.Namespace) -> str:
    return "json" if args.json else args.format


def resolve_network(config: str | None) -> Network:
    """The network of ``--config``: a YAML path or a shipped name (default alexnet32)."""
    if config is None or config in NETWORKS:
        return load_network(shipped_config(config or DEFAULT_NETWORK))
    return load_network(config)


def resolve_weights(network: Network, args: argparse.Namespace) -> tuple[Weights, str]:
    """(weights, where they came from): ``--weights``; else a ``weights.npz`` beside the
    network file (as ``accel import`` writes them); else the trained weights shipped for
    the network; else seeded random weights, said on stderr — their results mean nothing
    about a trained model."""
    if getattr(args, "weights", None):
        return load_weights(network, args.weights), args.weights
    beside = Path(network.source).with_name(BESIDE_CONFIG)
    if args.config is not None and args.config not in NETWORKS and beside.is_file():
        print(f"accel: using the weights beside the network file, {beside} (--weights to choose others)",
              file=sys.stderr)
        return load_weights(network, beside), str(beside)
    trained = trained_weights(network.name)
    if trained is not None:
        return load_weights(network, trained), f"trained weights {trained.name}"
    print(f"accel: no weights for {network.name}: using seeded random weights (seed {args.seed}); "
          f"pass --weights W.npz for a trained model", file=sys.stderr)
    return seeded_weights(network, args.seed), f"seeded weights (seed {args.seed})"


def add_tool_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tool", choices=TOOLS + tuple(ALIASES), metavar="{" + ",".join(TOOLS) + "}",
                        help="the HLS tool release whose choices to model: vitis (2021.2 and later: loops pipelined "
                        "on their own, config_compile -pipeline_loops), vitis-2020.2, vitis-2020.1 (nothing pipelined "
                        "unasked) or vivado-hls (the seed's UNOPT rows); default: the profile's (vitis when shipped)")


def resolve_profile(path: str | None, tool: str | None = None) -> Profile | None:
    """The profile of ``--profile`` (or the shipped one when a ``--tool`` is given), with
    that tool's behaviour; None when neither is given (the shipped profile)."""
    if path is None and tool is None:
        return None
    profile = Profile.load(path) if path else Profile.load()
    return profile.with_tool(tool) if tool else profile


def add_testbench_inputs(parser: argparse.ArgumentParser) -> None:
    """``--input X.npy`` and ``--images N``: what a generated testbench runs."""
    parser.add_argument("--input", metavar="X.npy", help="the inputs the testbench runs, as hls4ml's tb_data: float "
                        "(N, *input shape), as the network takes them (default: CIFAR-10 sample images, or seeded "
                        "N(0,1) inputs for other networks)")
    parser.add_argument("--images", type=positive_int, help="how many inputs (default 1; with --input: all of them, "
                        "or the first N)")


def testbench_images(network: Network, args: argparse.Namespace) -> np.ndarray:
    """The user's ``--input`` (checked against the network before anything is written),
    else ``example_images``."""
    if args.input is None:
        return example_images(network, args.images or 1, args.seed)
    from ..arrays import load_npy
    from ..simulator import check_images

    images = check_images(network, load_npy(args.input, "inputs"), args.input)
    return images[:args.images] if args.images else images


def example_images(network: Network, count: int, seed: int) -> np.ndarray:
    """Images for a network: the embedded CIFAR-10 sample (by the network's preprocessing)
    when it takes CIFAR images, seeded N(0, 1) images otherwise."""
    if network.takes_cifar:
        return network.input_from_pixels(load_sample().images[:count])
    from ..footprint import check_fits

    check_fits(network, count, count)  # before the seeded inputs are drawn
    return np.random.default_rng(seed + 1).normal(0.0, 1.0, (count, *network.input_shape))


# ----------------------------------------------------------------- argument types
def positive_int(text: str) -> int:
    """argparse type: an integer of at least 1 (counts of images, batches, workers)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number above 0 (clock periods, bandwidths)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a finite number above 0")
    return value


# ----------------------------------------------------------------- output paths
def output_file(path: str | None, suffix: str, option: str) -> Path | None:
    """Check an output file before any compute: ``suffix`` appended when missing (so the
    name printed is the name written), its folder existing and writable, and no link or
    folder in its place (writing through a link would overwrite its target)."""
    if path is None:
        return None
    target = Path(path)
    if target.is_dir():
        raise ValueError(f"{option} {target}: is a folder, not a file")
    if target.suffix != suffix:
        target = target.with_name(target.name + suffix)
    if target.is_symlink():
        raise ValueError(f"{option} {target}: is a symbolic link; refusing to write through it")
    if target.is_dir():
        raise ValueError(f"{option} {target}: is a folder, not a file")
    folder = target.parent
    if not folder.is_dir():
        raise ValueError(f"{option} {target}: {folder} is a file, not a folder" if folder.exists() else
                         f"{option} {target}: the folder {folder} does not exist")
    if not can_write(folder) or (target.exists() and not os.access(target, os.W_OK)):
        raise ValueError(f"{option} {target}: not writable")
    return target


def can_write(folder: Path) -> bool:
    """Whether a file can be created in ``folder``: tried, not only asked (``os.access`` says
    yes to root everywhere, even in ``/proc``)."""
    if not os.access(folder, os.W_OK):
        return False
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".accel-probe-"):
            return True
    except OSError:
        return False


def output_folder(path: str | None, option: str = "--out", create: bool = True) -> Path | None:
    """Create an output folder before any compute, or say why it cannot be one.

    The last level is created (``--out build/`` makes ``build``); its parent must exist, so
    a typo in a path is refused instead of growing a tree of folders from it. ``create``
    False checks the same and leaves the creating to the caller (a command that may still
    refuse its input should not leave an empty folder behind)."""
    if path is None:
        return None
    folder = Path(path)
    if folder.is_symlink() and not folder.is_dir():
        raise ValueError(f"{option} {folder}: is a broken symbolic link")
    parent = folder.absolute().parent
    if not folder.exists() and not parent.is_dir():
        if parent.exists():
            raise ValueError(f"{option} {folder}: {parent} is a file, not a folder")
        raise ValueError(f"{option} {folder}: the folder {parent} does not exist (only the last level of "
                         f"an output path is created)")
    if not create:
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"{option} {folder}: is a file, not a folder")
        if not can_write(folder if folder.exists() else parent):
            raise ValueError(f"{option} {folder}: not writable")
        return folder
    try:
        folder.mkdir(exist_ok=True)
    except FileExistsError:
        raise ValueError(f"{option} {folder}: is a file, not a folder") from None
    except OSError as err:
        raise ValueError(f"{option} {folder}: cannot create the folder ({err.strerror})") from None
    if not can_write(folder):
        raise ValueError(f"{option} {folder}: not writable")
    return folder


def ap_types_folder() -> Path | None:
    """Where the Xilinx ``ap_types`` headers are: ``$ACCEL_AP_TYPES``, or the copy inside an
    installed ``hls4ml`` wheel (the ``test`` extra), or ``$XILINX_HLS/include``."""
    candidates = [os.environ.get("ACCEL_AP_TYPES")]
    spec = importlib.util.find_spec("hls4ml")
    if spec and spec.submodule_search_locations:
        root = Path(next(iter(spec.submodule_search_locations)))
        candidates += [str(p.parent) for p in sorted(root.glob("templates/**/ap_types/ap_fixed.h"))]
    if os.environ.get("XILINX_HLS"):
        candidates.append(str(Path(os.environ["XILINX_HLS"]) / "include"))
    for candidate in candidates:
        if candidate and (Path(candidate) / "ap_fixed.h").is_file():
            return Path(candidate).resolve()
    return None
