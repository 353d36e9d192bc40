"""Simulator speed against float32 PyTorch CPU inference of the same network, in one run.

    python bench/bench_network.py [--quick]

1. AlexNet-227, <16,4> data and weights, wide accumulator (the fast path), without the
   LRN error report (as classification and sweeps run): s/image at batch 8, and the
   ratio to float32 PyTorch at batch 8 (goal <= 2x).
2. AlexNet-227 with a narrow saturating accumulator ap_fixed<16,4,AP_TRN,AP_SAT> (the
   loop-order path), one image (goal <= 100x PyTorch).
3. The 32x32 network on the fast path: images/s at batch 64 (goal >= 1000/s; PyTorch
   float32 does about 4400/s here).
4. Peak memory (VmHWM of a fresh process) of AlexNet-227 on 128 images in batches of 8,
   keeping only the logits (``keep="last"``; goal <= 3 GB).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accel.config import load_network  # noqa: E402
from accel.network import Network
from accel.shipped import shipped_config  # noqa: E402
from accel.simulator import Simulator  # noqa: E402
from accel.weights import seeded_weights  # noqa: E402
from quant import FixedType  # noqa: E402


def best_of(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def torch_seconds(network: Network, weights, images: np.ndarray, repeat: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    from golden.reference import torch_model

    torch.set_num_threads(2)
    model = torch_model(network, weights)
    x = torch.from_numpy(images.astype(np.float32))
    return best_of(lambda: model(x), repeat)


class _Accumulator:
    """A retype (layers.core.base.Retype) that changes only the accumulator."""

    def __init__(self, text: str):
        self.type = FixedType.parse(text)

    def data(self, t, layer, array):
        return t

    def accumulator(self, accum, weight):
        return self.type


def narrow(network: Network, accum: str) -> Network:
    return replace(network, layers=tuple(layer.retyped(_Accumulator(accum)) for layer in network.layers))


def peak_memory_mb(images: int, batch: int = 8) -> float:
    code = (
        "import numpy as np, sys; sys.path.insert(0, '.');"
        "from accel.config import load_network; from accel.shipped import shipped_config;"
        "from accel.weights import seeded_weights; from accel.simulator import simulate;"
        "net = load_network(shipped_config('alexnet227')); w = seeded_weights(net, 0);"
        f"simulate(net, w, np.random.default_rng(1).normal(0, 1, ({images}, 3, 227, 227)), batch_size={batch},"
        " keep='last');"
        # VmHWM, not ru_maxrss: Linux carries a forking parent's RSS into the child's ru_maxrss
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    from accel.memory import keep_freed_memory

    keep_freed_memory()  # as the accel command does
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, skip the loop path")
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    rng = np.random.default_rng(0)
    results = {}

    big = load_network(shipped_config("alexnet227"))
    big_w = seeded_weights(big, 0)
    images = rng.normal(0, 1, (8, 3, 227, 227))
    start = time.perf_counter()
    big_sim = Simulator(big, big_w, detail=False)  # weights quantized once, as for any long run; no LRN error report
    results["alexnet227_prepare_s"] = time.perf_counter() - start
    ours = best_of(lambda: big_sim.run(images, batch_size=8), repeat) / 8
    theirs = torch_seconds(big, big_w, images, repeat)
    results["alexnet227_fast_s_per_image"] = ours
    results["alexnet227_torch_s_per_image"] = theirs / 8 if theirs else None
    print(f"AlexNet-227 weights prepared once in {results['alexnet227_prepare_s']:.2f} s")
    print(f"AlexNet-227 fast path: {ours * 1000:.1f} ms/image"
          + (f", float32 PyTorch {theirs / 8 * 1000:.1f} ms/image -> {ours / (theirs / 8):.1f}x" if theirs else ""))

    if not args.quick:
        slow_sim = Simulator(narrow(big, "ap_fixed<16,4,AP_TRN,AP_SAT>"), big_w)
        start = time.perf_counter()
        sim = slow_sim.run(images[:1], batch_size=1)  # the first run also compiles the JIT kernel
        first = time.perf_counter() - start
        slow = best_of(lambda: slow_sim.run(images[:2], batch_size=2), repeat) / 2
        paths = {run.name: run.result.path for run in sim.layers if run.result.path}
        results["alexnet227_narrow_sat_s_per_image"] = slow
        results["alexnet227_narrow_sat_first_run_s"] = first
        print(f"AlexNet-227 narrow SAT accumulator (paths {sorted(set(paths.values()))}): {slow:.2f} s/image"
              + (f" -> {slow / (theirs / 8):.0f}x PyTorch" if theirs else "")
              + f" (first image, with JIT compilation: {first:.1f} s)")

    small = load_network(shipped_config("alexnet32"))
    small_w = seeded_weights(small, 0)
    batch = rng.normal(0, 1, (64, 3, 32, 32))
    small_sim = Simulator(small, small_w)
    ours32 = best_of(lambda: small_sim.run(batch, batch_size=16), repeat)
    theirs32 = torch_seconds(small, small_w, batch, repeat)
    results["alexnet32_images_per_s"] = 64 / ours32
    results["alexnet32_torch_images_per_s"] = 64 / theirs32 if theirs32 else None
    print(f"alexnet32 fast path: {64 / ours32:.0f} images/s"
          + (f", float32 PyTorch {64 / theirs32:.0f} images/s" if theirs32 else ""))

    peak = peak_memory_mb(128)
    results["alexnet227_128_images_peak_mb"] = peak
    print(f"AlexNet-227, 128 images in batches of 8, logits kept: peak memory (VmHWM) {peak:.0f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
