"""Sweep throughput: a 30-point grid over 1000 CIFAR-10 test images, at 1 and 2 workers.

    python bench/bench_sweep.py [--cifar PATH] [--images 1000]

Grid: W in 8..16 step 2 x I in 2..7 (30 points, exact accumulators), the shipped trained
alexnet32, estimates on an Ultra96. Goal: under 5 minutes on 2 cores. Reports
points/second and images/second per worker count, and the speedup from 1 to 2 workers.
Each run starts from an empty results file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accel.cifar import load_sample, read_cifar  # noqa: E402
from accel.shipped import trained_weights as trained_weights_path  # noqa: E402
from accel.config import load_network  # noqa: E402
from accel.sweep.executors import local_executor  # noqa: E402
from accel.memory import keep_freed_memory  # noqa: E402
from accel.shipped import shipped_config  # noqa: E402
from accel.sweep.results_file import ResultsFile  # noqa: E402
from accel.sweep.plan import SweepPlan, run_sweep, summarize  # noqa: E402
from accel.sweep.grid import grid  # noqa: E402
from accel.weights import load_weights  # noqa: E402

DEFAULT_CIFAR = Path(__file__).resolve().parents[2] / "shared" / "data" / "cifar-10-binary.tar.gz"


def images(path: str | None, count: int) -> tuple[np.ndarray, np.ndarray, str]:
    source = Path(path) if path else DEFAULT_CIFAR
    if source.exists():
        data = read_cifar(source, "test")
        return data.images[:count], data.labels[:count], f"CIFAR-10 test set ({source.name})"
    sample = load_sample()  # 500 images: repeated to reach the count
    reps = -(-count // len(sample))
    return (np.concatenate([sample.images] * reps)[:count], np.concatenate([sample.labels] * reps)[:count],
            "embedded sample, repeated")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cifar")
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    keep_freed_memory()
    network = load_network(shipped_config("alexnet32"))
    weights = load_weights(network, trained_weights_path("alexnet32"))
    pixels, labels, source = images(args.cifar, args.images)
    points = grid(list(range(8, 17, 2)), list(range(2, 8)), ["exact"])
    print(f"{len(points)} points x {len(labels)} images ({source})")
    seconds = {}
    for workers in (int(w) for w in args.workers.split(",")):
        plan = SweepPlan(network, weights, tuple(points), pixels, labels, chunk=100)
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            with local_executor(workers) as (pool, n):
                tallies = run_sweep(plan, ResultsFile(Path(tmp) / "r.jsonl"), pool, n)
            rows = summarize(plan, tallies, "ultra96", "config")
            seconds[workers] = time.perf_counter() - start
        rate = len(points) / seconds[workers]
        print(f"{workers} worker(s): {seconds[workers]:.1f} s, {rate:.3f} points/s, "
              f"{rate * len(labels):.0f} images/s; best point {max(rows, key=lambda r: r['fixed_top1'])['point']}")
    if 1 in seconds and 2 in seconds:
        print(f"speedup 1 -> 2 workers: {seconds[1] / seconds[2]:.2f}x")


if __name__ == "__main__":
    main()
