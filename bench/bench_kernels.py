"""The MAC kernels on every kind of arithmetic, as ratios to float32 PyTorch of the same
network in the same process (2 threads each).

    python bench/bench_kernels.py [--images 64] [--json out.json]

Configurations (issue 12's yardsticks):

- ``hls4ml``: alexnet32 without LRN in hls4ml's semantics (bench/networks/alexnet32_hls4ml.yaml:
  products cast to ap_fixed<32,12>, results ap_fixed<16,4>, ReLU layers);
- ``hls4ml-acc16``: the same with accum ap_fixed<16,4>: each product truncated by 12 bits,
  the accumulator wraps (overflows counted, so the order matters);
- ``sat``: the shipped alexnet32 with accum ap_fixed<16,4,AP_TRN,AP_SAT> (order matters);
- ``exact``: the shipped alexnet32 as it ships (every product exact: the BLAS path).

Per configuration: ms per image, the ratio to PyTorch, and the kernel path of each MAC
layer. Seeded weights, N(0, 1) images: the arithmetic, not the accuracy, is measured.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_network import best_of, narrow  # noqa: E402

from accel.config import load_network  # noqa: E402
from accel.shipped import shipped_config  # noqa: E402
from accel.simulator import Simulator  # noqa: E402
from accel.weights import seeded_weights  # noqa: E402


def with_accum(network, text: str):
    return narrow(network, text)


def configurations():
    hls4ml = load_network(ROOT / "bench" / "networks" / "alexnet32_hls4ml.yaml")
    shipped = load_network(shipped_config("alexnet32"))
    return {
        "hls4ml": hls4ml,
        "hls4ml-acc16": with_accum(hls4ml, "ap_fixed<16,4>"),
        "sat": with_accum(shipped, "ap_fixed<16,4,AP_TRN,AP_SAT>"),
        "exact": shipped,
    }


def torch_seconds(network, weights, images, repeat: int) -> float:
    import torch

    from golden.reference import torch_model

    torch.set_num_threads(2)
    model = torch_model(network, weights)
    x = torch.from_numpy(images.astype(np.float32))
    return best_of(lambda: model(x), repeat)


def main() -> None:
    from accel.memory import keep_freed_memory

    keep_freed_memory()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="one configuration")
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()
    images = np.random.default_rng(0).normal(0, 1, (args.images, 3, 32, 32))
    results = {}
    for name, network in configurations().items():
        if args.only and name != args.only:
            continue
        weights = seeded_weights(network, 0)
        simulator = Simulator(network, weights, detail=False)
        start = time.perf_counter()
        sim = simulator.run(images[:2], batch_size=2)  # the first run compiles what it needs
        first = time.perf_counter() - start
        ours = best_of(lambda: simulator.run(images, batch_size=len(images)), args.repeat)
        theirs = torch_seconds(network, weights, images, args.repeat)
        paths = {run.name: run.result.path for run in sim.layers if run.result.path}
        results[name] = {"ms_per_image": 1000 * ours / len(images), "torch_ms_per_image": 1000 * theirs / len(images),
                         "ratio": ours / theirs, "first_run_s": first, "paths": paths}
        print(f"{name:13s} {1000 * ours / len(images):8.2f} ms/image  PyTorch {1000 * theirs / len(images):6.3f} "
              f"ms/image  -> {ours / theirs:7.1f}x   paths {sorted(set(paths.values()))}  (first run {first:.1f} s)",
              flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
