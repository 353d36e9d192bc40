"""A bit-width sweep: accuracy and hardware cost of every point, computed in parallel.

Work is cut into tasks of (some points, one chunk of images) and handed to any
``concurrent.futures.Executor`` — a local process pool, or a Dask cluster's executor —
and every finished (point, chunk) is appended to the results file at once. A rerun
reads that file and submits only what is missing. The estimator (milliseconds a point)
runs here, not in the workers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass
from math import ceil

import numpy as np

from layers.hw import DEFAULT_CLOCK_NS

from ..estimator import estimate_network
from ..network import Network
from ..weights import Weights
from .grid import SweepPoint, apply_point, context_hash
from .pareto import pareto_front
from .results_file import ResultsFile
from .task import evaluate_chunk
from .tally import RunTally

PARETO_COSTS = ("DSP", "BRAM_18K", "latency_ms")
POINTS_PER_TASK = 4  # small tasks: progress moves steadily and an interruption loses little


@dataclass(frozen=True)
class SweepPlan:
    network: Network
    weights: Weights
    points: tuple[SweepPoint, ...]
    pixels: np.ndarray  # uint8 (N, 3, H, W) image pixels, or the network's float inputs (``--input``)
    labels: np.ndarray
    chunk: int = 100  # images per task

    @property
    def chunks(self) -> int:
        return ceil(len(self.labels) / self.chunk)

    def context(self) -> str:
        images = hashlib.sha256(self.pixels.tobytes() + np.asarray(self.labels).tobytes()).hexdigest()[:16]
        return context_hash(self.network, self.weights, images, self.chunk)

    def images(self, chunk: int) -> tuple[np.ndarray, np.ndarray]:
        part = slice(chunk * self.chunk, (chunk + 1) * self.chunk)
        return self.pixels[part], self.labels[part]


def finished_points(plan: SweepPlan, results: ResultsFile) -> int:
    context = plan.context()
    return sum(results.tally(p.key(context), plan.chunks) is not None for p in plan.points)


def pending_tasks(plan: SweepPlan, results: ResultsFile, workers: int) -> list[tuple[int, list[SweepPoint]]]:
    """(chunk, points) still to compute; a chunk's points split so every worker has work."""
    context = plan.context()
    tasks = []
    groups = max(1, ceil(2 * workers / plan.chunks))
    for chunk in range(plan.chunks):
        todo = [p for p in plan.points if not results.has(p.key(context), chunk)]
        size = max(1, min(ceil(len(todo) / groups), POINTS_PER_TASK))
        tasks += [(chunk, todo[i:i + size]) for i in range(0, len(todo), size)]
    return tasks


def run_sweep(plan: SweepPlan, results: ResultsFile, executor: Executor, workers: int,
              progress: Callable[[bool, int], None] | None = None) -> dict[SweepPoint, RunTally]:
    """Compute what ``results`` lacks; return every point's merged tally.
    ``progress(point_finished, images)`` is called as each (point, chunk) result arrives."""
    context = plan.context()
    futures = {}
    tasks = pending_tasks(plan, results, workers)
    for chunk, points in tasks:
        pixels, labels = plan.images(chunk)
        future = executor.submit(evaluate_chunk, plan.network, plan.weights, points, pixels, labels)
        futures[future] = (chunk, points, len(labels))
    for future in as_completed(futures):
        chunk, points, images = futures[future]
        for point, tally in zip(points, future.result()):
            key = point.key(context)
            results.add(key, chunk, point.as_dict(), RunTally.from_dict(tally))
            if progress is not None:
                progress(results.tally(key, plan.chunks) is not None, images)
    return {p: results.tally(p.key(context), plan.chunks) for p in plan.points}


def summarize(plan: SweepPlan, tallies: dict[SweepPoint, RunTally], board: str, preset: str,
              clock_ns: float = DEFAULT_CLOCK_NS) -> list[dict]:
    """One row per point: accuracy, per-layer SQNR and overflows, the estimator's costs;
    ``pareto`` marks the front of accuracy against DSP, BRAM and latency."""
    rows = []
    for point, tally in tallies.items():
        est = estimate_network(apply_point(plan.network, point), board, preset, clock_ns=clock_ns)
        total = est.total
        rows.append({
            "point": point.label(), "width": point.width, "integer": point.integer, "accum": point.accum,
            "scope": list(point.scope), "images": tally.images,
            "fixed_top1": tally.fixed_correct / tally.images, "float_top1": tally.float_correct / tally.images,
            "agreement": tally.agree / tally.images,
            "min_sqnr_db": min((t.sqnr_db for t in tally.layers.values()), default=float("inf")),
            "overflows": sum(t.overflows for t in tally.layers.values()),
            "sqnr_db": {name: t.sqnr_db for name, t in tally.layers.items()},
            "layer_overflows": {name: t.overflows for name, t in tally.layers.items()},
            **total.resources(), "latency_ms": est.latency_ms(), "throughput_ips": est.throughput(),
        })
    front = set(pareto_front(rows, "fixed_top1", PARETO_COSTS))
    for i, row in enumerate(rows):
        row["pareto"] = i in front
    return rows
