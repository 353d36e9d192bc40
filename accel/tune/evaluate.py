"""A tune point's accuracy (the bit-exact simulator) and cost (the estimator).

Accuracy is computed chunk by chunk of the search images for all of a round's candidates
at once, in parallel (``accel.sweep.task.evaluate_chunk`` on the sweep's executors), every
(point, chunk) appended to the results file as it finishes — a rerun reuses them. A
candidate whose misses on the chunks done already exceed what the target allows on all
the images can never meet it: it is dropped there (exact, not a guess), so a hopeless
candidate costs one chunk, not the whole set.

    misses allowed = floor(N · (1 − threshold / 100))
"""

from __future__ import annotations

import hashlib
import sys
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from math import ceil, floor

import numpy as np

from layers.hw import DEFAULT_CLOCK_NS, Device

from ..estimator import estimate_network
from ..network import Network
from ..progress import Progress
from ..sweep.grid import context_hash
from ..sweep.results_file import ResultsFile
from ..sweep.task import evaluate_chunk
from ..sweep.tally import RunTally
from ..weights import Weights
from .point import TunePoint
from .target import Target, cost


@dataclass(frozen=True)
class Judged:
    """One evaluated point: the target's metric (on the images it was run on), its cost,
    and whether it meets the target (False also when it was dropped early)."""

    point: TunePoint
    value: float  # per cent, on ``images``
    images: int
    cost: float
    meets: bool
    tally: RunTally  # on the images it was run on (all the search images unless dropped early)
    resources: dict = field(default_factory=dict)  # the estimate: BRAM_18K, DSP, FF, LUT, URAM, latency_ms


@dataclass
class Evaluator:
    network: Network
    weights: Weights
    pixels: np.ndarray
    labels: np.ndarray
    target: Target
    objective: str
    device: Device
    preset: str = "config"
    clock_ns: float = DEFAULT_CLOCK_NS
    chunk: int = 100
    quiet: bool = False
    prune: bool = True  # drop a candidate once it cannot meet the target (False: every image, as a check)
    _costs: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        images = hashlib.sha256(self.pixels.tobytes() + np.asarray(self.labels).tobytes()).hexdigest()[:16]
        self.context = "tune:" + context_hash(self.network, self.weights, images, self.chunk)
        self.chunks = ceil(len(self.labels) / self.chunk)
        self.allowed = floor(len(self.labels) * (1 - self.target.threshold / 100) + 1e-9)

    def cost(self, point: TunePoint) -> float:
        return self.estimate(point)[0]

    def estimate(self, point: TunePoint) -> tuple[float, dict]:
        """(the objective's cost, the estimate's resources and latency) of a point, cached."""
        if point not in self._costs:
            estimate = estimate_network(point.apply(self.network), self.device, self.preset, clock_ns=self.clock_ns)
            self._costs[point] = (cost(estimate, self.objective, self.device),
                                  {**estimate.total.resources(), "latency_ms": estimate.latency_ms()})
        return self._costs[point]

    def judge(self, points: list[TunePoint], results: ResultsFile, executor: Executor, workers: int,
              label: str = "tune") -> dict[TunePoint, Judged]:
        """Accuracy and cost of ``points`` (distinct), chunk by chunk, dropping the hopeless."""
        alive = list(dict.fromkeys(points))
        done: dict[TunePoint, RunTally] = {}
        dropped: dict[TunePoint, RunTally] = {}
        bar = Progress(len(alive) * self.chunks, label, enabled=not self.quiet and len(alive) * self.chunks > 1)
        for chunk in range(self.chunks):
            self._run_chunk(chunk, alive, results, executor, workers, bar)
            for point in list(alive):
                so_far = self._so_far(point, chunk, results)
                if self.prune and self._misses(so_far) > self.allowed:
                    alive.remove(point)
                    dropped[point] = so_far
                    if chunk + 1 < self.chunks:  # (its chunks not run count as done)
                        bar(self.chunks - chunk - 1)
        for point in alive:
            done[point] = results.tally(point.key(self.context), self.chunks)
        judged = {p: Judged(p, self.target.value(t), t.images, self.cost(p), self.target.met(t), t, self.estimate(p)[1])
                  for p, t in done.items()}
        judged.update({p: Judged(p, self.target.value(t), t.images, self.cost(p), False, t, self.estimate(p)[1])
                       for p, t in dropped.items()})
        return {p: judged[p] for p in dict.fromkeys(points)}

    def _run_chunk(self, chunk: int, points: list[TunePoint], results: ResultsFile, executor: Executor,
                   workers: int, bar: Progress) -> None:
        todo = [p for p in points if not results.has(p.key(self.context), chunk)]
        if len(todo) < len(points):
            bar(len(points) - len(todo))
        if not todo:
            return
        part = slice(chunk * self.chunk, (chunk + 1) * self.chunk)
        pixels, labels = self.pixels[part], self.labels[part]
        size = max(1, ceil(len(todo) / workers))
        futures = {executor.submit(evaluate_chunk, self.network, self.weights, todo[i:i + size], pixels, labels):
                   todo[i:i + size] for i in range(0, len(todo), size)}
        for future in as_completed(futures):
            for point, tally in zip(futures[future], future.result()):
                results.add(point.key(self.context), chunk, point.as_dict(), RunTally.from_dict(tally))
                bar(1)

    def _so_far(self, point: TunePoint, chunk: int, results: ResultsFile) -> RunTally:
        key = point.key(self.context)
        total = RunTally()
        for c in range(chunk + 1):
            total = total.merged(results.done[(key, c)])
        return total

    def _misses(self, tally: RunTally) -> int:
        hits = tally.agree if self.target.metric == "agreement" else tally.fixed_correct
        return tally.images - hits


def note(text: str, quiet: bool = False) -> None:
    if not quiet:
        print(text, file=sys.stderr)
