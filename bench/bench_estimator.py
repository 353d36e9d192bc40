"""Estimator speed: how long a user waits for the answer synthesis takes hours to give.

    python bench/bench_estimator.py

1. ``estimate_network`` on AlexNet-227 under each preset (goal: well under a second),
   against the simulator running one image of the same network in this process (the
   thing users already wait for).
2. The whole ``accel report`` in a fresh process (imports included), text and HTML.
3. Tile exploration (``accel dse``), per layer and unified, on an Ultra96.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_network import best_of  # noqa: E402

from accel.config import load_network  # noqa: E402
from accel.dse import explore  # noqa: E402
from accel.estimator import estimate_network  # noqa: E402
from accel.shipped import shipped_config  # noqa: E402
from accel.simulator import Simulator  # noqa: E402
from accel.weights import seeded_weights  # noqa: E402


def main() -> None:
    network = load_network(shipped_config("alexnet227"))
    simulator = Simulator(network, seeded_weights(network))
    image = np.random.default_rng(0).normal(size=(1, *network.input_shape))
    simulate = best_of(lambda: simulator.run(image), repeat=2)
    print(f"simulator, one AlexNet-227 image: {simulate * 1e3:.1f} ms (baseline)")
    for preset in ("config", "unopt", "opt"):
        seconds = best_of(lambda: estimate_network(network, "ultra96", preset), repeat=5)
        print(f"estimate_network {preset:6s}: {seconds * 1e3:6.1f} ms  ({simulate / seconds:.0f}x faster than one image)")
    for fmt in ("text", "html"):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "accel.cli", "report", "--format", fmt], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"accel report --format {fmt} (fresh process): {time.perf_counter() - start:.2f} s")
    for mode in ("per-layer", "unified"):
        start = time.perf_counter()
        explore(network, "ultra96", mode)
        print(f"dse {mode}: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
