"""Plant one-line bugs in the core, one at a time, and see which the test suite misses.

    python bench/mutants.py            # every mutant, its tests, the kill rate
    python bench/mutants.py --list     # what is planted where

Each mutant is a small change that alters results (a rounding rule, a bound, a loop
order, a pragma, a name an importer reads), with the tests that ought to catch it. The
working tree is copied to a temporary folder (the tracked files only); each mutant is
applied there, its tests run (``pytest -x -q``), and the file restored. A mutant the
tests pass is a *survivor*: a gap in the suite. Run it after changing a test or a core
module; the note of a change that touches tests gives the kill rate.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str  # relative to the repository root
    before: str  # the exact text replaced (must occur once)
    after: str
    tests: tuple[str, ...]  # pytest node ids or paths that ought to catch it


MUTANTS = (
    Mutant("RND_CONV treated as separable (order-free fast path)", "layers/kernels/mac.py",
           "SEPARABLE = (Rounding.TRN, Rounding.RND, Rounding.RND_MIN_INF)",
           "SEPARABLE = (Rounding.TRN, Rounding.RND, Rounding.RND_MIN_INF, Rounding.RND_CONV)",
           ("tests/layers/kernels/test_mac_paths.py",)),
    Mutant("BRAM banks floor the depth", "layers/hw/memory.py",
           "    bank_depth = ceil(depth / banks)\n    if width", "    bank_depth = depth // banks\n    if width",
           ("tests/layers/hw/test_primitives.py",)),
    Mutant("UNROLL factor test inverted in the C++", "layers/cpp/writer.py",
           '"UNROLL" if factor == 0 else f"UNROLL factor={factor}"',
           '"UNROLL" if factor != 0 else f"UNROLL factor={factor}"', ("tests/layers/cpp/test_mac_nest.py",)),
    Mutant("AP_RND: ties round down", "quant/rounding.py",
           "def _ties_up(half, rest, neg, odd):\n    return half", "def _ties_up(half, rest, neg, odd):\n    return half & rest",
           ("tests/quant",)),
    Mutant("saturation one below the maximum", "quant/fixed_type.py",
           "return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1",
           "return (1 << (self.width - 1)) - 2 if self.signed else (1 << self.width) - 1", ("tests/quant",)),
    Mutant("Resource interleave off", "layers/core/loop_nest.py",
           "perm = perm.reshape(-1, self.interleave).T.reshape(-1)", "perm = perm",
           ("layers/core/loop_nest.py", "tests/accel/test_hls4ml_peer.py::test_the_configuration_is_read_as_hls4ml_reads_it",
            "tests/accel/test_hls4ml_resource.py")),
    Mutant("hls4ml's valid reuse factors: the divisibility rule dropped", "layers/hw/hls4ml_cost.py",
           "and (n_in * n_out) % rf == 0", "",
           ("tests/layers/hw/test_hls4ml_cost.py",)),
    Mutant("thresholded ReLU keeps the threshold itself", "layers/activation.py",
           "return x * _pow2(frac - x_frac) > theta * _pow2", "return x * _pow2(frac - x_frac) >= theta * _pow2",
           ("tests/layers/test_activation.py",)),
    Mutant("ELU index rounds up", "layers/activation.py",
           "index = np.clip(index, 0, self.table_size - 1)", "index = np.clip(index + 1, 0, self.table_size - 1)",
           ("tests/layers/test_activation.py",)),
    Mutant("hls4ml param type: one more fraction bit", "accel/importers/hls4ml_infer.py",
           "    fraction = high\n", "    fraction = high + 1\n",
           ("tests/accel/test_hls4ml_activations.py::test_a_parameters_auto_type_is_hls4mls",)),
    Mutant("torch.fx function names counted per scope", "accel/importers/hls4ml_passes.py",
           "if not top and name in configured:", "if not top:",
           ("tests/accel/test_hls4ml_activations.py::test_pytorch_activations_through_both_paths",)),
    Mutant("io_parallel flatten order ignored", "accel/importers/hls4ml_config.py",
           'if layer["op"] == "flatten" and str(config.get("IOType", "io_parallel")).lower() == "io_parallel":',
           "if False:", ("tests/accel/test_hls4ml_resource.py",)),
    Mutant("qonnx channels-last weights read as OIHW", "accel/importers/onnx_layers.py",
           "weight = np.moveaxis(weight, -1, 1)", "weight = weight", ("tests/accel/test_hls4ml_onnx.py",)),
    Mutant("max-pool's float reference: a window one column short", "layers/maxpool.py",
           "            for j in range(self.kernel):\n                view", "            for j in range(self.kernel - 1):\n                view",
           ("tests/layers",)),
    Mutant("memory estimate ignores the kept outputs", "accel/footprint.py",
           "need = BYTES * (images * kept_per_image", "need = BYTES * (0 * kept_per_image",
           ("tests/accel/test_footprint.py", "tests/accel/cli/test_bad_input.py")),
)


def copy_tree(destination: Path) -> None:
    """The repository's tracked files (and ``../shared`` is not needed) into ``destination``."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)


def run(mutant: Mutant, tree: Path, timeout: int) -> tuple[str, float]:
    """``killed``, ``survived``, ``timeout`` or ``not planted`` (the text was not found once)."""
    path = tree / mutant.path
    original = path.read_text()
    if original.count(mutant.before) != 1:
        return "not planted", 0.0
    path.write_text(original.replace(mutant.before, mutant.after))
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *mutant.tests],
                              cwd=tree, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "PYTHONPATH": str(tree)})
        outcome = "killed" if done.returncode != 0 else "survived"
    except subprocess.TimeoutExpired:
        outcome = "timeout"
    finally:
        path.write_text(original)
    return outcome, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--only", help="run the mutants whose name contains this text")
    parser.add_argument("--timeout", type=int, default=900, help="seconds a mutant's tests may take (default 900)")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.only or args.only in m.name]
    if args.list:
        for m in chosen:
            print(f"{m.path}: {m.name}  [{', '.join(m.tests)}]")
        return 0
    with tempfile.TemporaryDirectory(prefix="accel-mutants-") as folder:
        tree = Path(folder)
        copy_tree(tree)
        results = []
        for m in chosen:
            outcome, seconds = run(m, tree, args.timeout)
            results.append((m, outcome))
            print(f"{outcome:>11}  {seconds:6.1f} s  {m.path}: {m.name}", flush=True)
    planted = [o for _, o in results if o != "not planted"]
    killed = sum(o == "killed" for o in planted)
    print(f"\n{killed} of {len(planted)} planted mutants killed ({100 * killed / max(len(planted), 1):.0f} %)"
          + "".join(f"\n  survivor: {m.path}: {m.name}" for m, o in results if o == "survived")
          + "".join(f"\n  not planted (the code changed?): {m.path}: {m.name}" for m, o in results
                    if o == "not planted"))
    return 0 if killed == len(planted) and len(planted) == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
