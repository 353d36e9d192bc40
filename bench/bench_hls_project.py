"""The exported Vitis HLS project's C-simulation (g++, the real ap_types headers) against the
simulator, on the same images, in one run.

    python bench/bench_hls_project.py [--images 8] [--config alexnet32] [--opt -O2]

Prints the export time, the project's size, g++'s compile time, the C-sim's run time
per image (the testbench compares every layer; its file reading is included), the
simulator's time per image on the same images (best of 3, warm), and their ratio. The
C-sim's numbers are what a user pays with ``./csim.sh`` (``-O2``); Vitis' ``csim_design``
compiles without optimization by default and runs slower still.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accel.cifar import load_sample, normalize  # noqa: E402
from accel.config import load_network  # noqa: E402
from accel.hls_plan import identifier  # noqa: E402
from accel.hls_project import export_project, project_bytes  # noqa: E402
from accel.shipped import shipped_config, trained_weights  # noqa: E402
from accel.simulator import Simulator  # noqa: E402
from accel.weights import load_weights, seeded_weights  # noqa: E402
from tests.oracle.ap_oracle import find_headers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="alexnet32")
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--opt", default="-O2", help="g++ optimization flag (csim.sh's default: -O2)")
    args = parser.parse_args()
    network = load_network(shipped_config(args.config))
    trained = trained_weights(network.name)
    weights = load_weights(network, trained) if trained else seeded_weights(network, 0)
    images = normalize(load_sample().images[:args.images]) if network.takes_cifar else \
        __import__("numpy").random.default_rng(1).normal(0, 1, (args.images, *network.input_shape))
    top = identifier(network.name)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        start = time.perf_counter()
        export_project(network, weights, images, out)
        exported = time.perf_counter() - start
        size = project_bytes(out)
        start = time.perf_counter()
        subprocess.run([shutil.which("g++"), "-std=c++14", args.opt, "-w", f"-I{out / 'firmware'}",
                        f"-I{find_headers()}", str(out / "firmware" / f"{top}.cpp"), str(out / "tb" / f"{top}_tb.cpp"),
                        "-o", str(out / "csim")], check=True)
        compiled = time.perf_counter() - start
        start = time.perf_counter()
        done = subprocess.run([str(out / "csim"), str(out / "tb_data")], capture_output=True, text=True)
        csim = (time.perf_counter() - start) / args.images
        assert done.returncode == 0, done.stdout
    sim = Simulator(network, weights, detail=False, keep="last")
    sim.run(images, batch_size=args.images)  # warm: kernels compiled or loaded, buffers allocated
    best = min(_timed(lambda: sim.run(images, batch_size=args.images)) for _ in range(3)) / args.images
    print(f"{network.name}, {args.images} images: export {exported:.1f} s, project {size / 1e6:.2f} MB")
    print(f"g++ {args.opt}: compile {compiled:.1f} s, C-sim {csim * 1e3:.1f} ms/image (every layer compared)")
    print(f"simulator: {best * 1e3:.2f} ms/image -> the C-sim takes {csim / best:.0f}x the simulator's time "
          f"per image, plus {compiled:.0f} s of compilation")


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
