"""The search: greedy bit removal, then a local refinement.

Why this search: a layer's width trades cost against accuracy nearly independently of the
others at the widths that matter, and the estimator prices a candidate in milliseconds
while the simulator needs seconds. So every round prices all one-step moves first and
simulates only those that lower the cost.

1. *Greedy removal.* From the uniform start (which must meet the target), each round tries
   narrowing every layer by ``step`` bits; among the candidates that still meet the target
   it takes the one that saves the most cost per point of accuracy lost (bits saved when no
   candidate changes the cost: a narrower type is never dearer to store or move). When no
   candidate meets the target, the step halves (4, 2, 1); at step 1 the phase ends.
2. *Refinement.* Moves one bit from a layer to another (``a−1, b+1``) or takes one bit off
   a layer, wherever the estimator says the cost drops; the cheapest candidate meeting the
   target is taken, until none is.

Every point is judged on all search images (or dropped as soon as it cannot meet the
target), so the result meets the target on the search images by construction; the
tie-breaks (the earlier layer first) make it deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .evaluate import Judged
from .point import TunePoint

EPSILON = 1e-9  # accuracy points: a candidate losing none ranks first


class StartMissesTarget(ValueError):
    pass


@dataclass
class SearchLog:
    """Every point judged, in order, and the points the search moved through."""

    judged: dict[TunePoint, Judged] = field(default_factory=dict)
    path: list[TunePoint] = field(default_factory=list)
    stopped: str = ""


def search(start: TunePoint, judge: Callable[[list[TunePoint]], dict[TunePoint, Judged]],
           price: Callable[[TunePoint], float], min_width: int = 2, steps: tuple[int, ...] = (4, 2, 1),
           budget: int | None = None, report: Callable[[str], None] = lambda text: None) -> SearchLog:
    """The cheapest point found that meets the target (``log.path[-1]``). ``judge`` simulates
    points (with their costs), ``price`` is the estimator alone; ``budget`` caps the points
    simulated."""
    log = SearchLog()

    def run(points: list[TunePoint]) -> list[Judged]:
        fresh = [p for p in dict.fromkeys(points) if p not in log.judged]
        if budget is not None:
            fresh = fresh[:max(0, budget - len(log.judged))]
        log.judged.update(judge(fresh) if fresh else {})
        return [log.judged[p] for p in points if p in log.judged]

    current = run([start])[0]
    if not current.meets:
        raise StartMissesTarget(f"the start {start.label()} reaches {current.value:.2f} % on the search images, "
                                f"below the target: start wider (--start)")
    log.path.append(start)
    layers = [name for name, _ in start.widths]
    for step in steps:
        while True:
            moves = [current.point.with_width(n, current.point.width(n) - step) for n in layers
                     if current.point.width(n) - step >= min_width]
            moves = [m for m in moves if price(m) <= current.cost]
            chosen = _best_ratio(current, [j for j in run(moves) if j.meets])
            if chosen is None:
                break
            current = chosen  # (taken even when the budget ran out judging it: it meets the target)
            log.path.append(current.point)
            report(f"tune: step {step}: {current.point.label()} ({current.value:.2f} %, cost {current.cost:.4g})")
            if _over(budget, log):
                break
    while not _over(budget, log):
        moves = []
        for a in layers:
            if current.point.width(a) - 1 >= min_width:
                narrower = current.point.with_width(a, current.point.width(a) - 1)
                moves.append(narrower)
                moves += [narrower.with_width(b, narrower.width(b) + 1) for b in layers if b != a]
        moves = [m for m in moves if (price(m), m.total_bits()) < (current.cost, current.point.total_bits())]
        feasible = [j for j in run(moves) if j.meets]
        if not feasible:
            break
        current = min(feasible, key=lambda j: (j.cost, j.point.total_bits(), moves.index(j.point)))
        log.path.append(current.point)
        report(f"tune: refined: {current.point.label()} ({current.value:.2f} %, cost {current.cost:.4g})")
    if _over(budget, log):
        log.stopped = f"the budget of {budget} simulated points ran out"
    return log


def _best_ratio(current: Judged, feasible: list[Judged]) -> Judged | None:
    """The candidate saving the most cost per point of accuracy lost (bits when no
    candidate changes the cost); the earlier one on a tie."""
    if not feasible:
        return None
    saves_cost = any(j.cost < current.cost for j in feasible)

    def ratio(j: Judged) -> float:
        saved = current.cost - j.cost if saves_cost else current.point.total_bits() - j.point.total_bits()
        return saved / max(current.value - j.value, EPSILON)

    return max(feasible, key=lambda j: (ratio(j), -feasible.index(j)))


def _over(budget: int | None, log: SearchLog) -> bool:
    return budget is not None and len(log.judged) >= budget
