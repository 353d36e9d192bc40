"""``LayerTally``: one layer's fixed-point output against its float reference, as sums
that merge.

Every command that compares a layer with float — ``accel run``, ``accel testbench``, the
classification check and the sweep — keeps the same tally, so SQNR, error and overflow
counts mean the same everywhere. A sweep evaluates each point on chunks of images,
possibly on other machines; what comes back must add up to the numbers one long run
would give, so the tally keeps sums (error energy, signal energy, overflow counts), never
averages:

    >>> a = LayerTally(noise=1.0, signal=100.0, max_error=0.5, product=0, accumulation=2, result=1)
    >>> b = LayerTally(noise=1.0, signal=100.0, max_error=0.25, product=1, accumulation=0, result=0)
    >>> m = a.merged(b); round(m.sqnr_db, 2), m.max_error, m.overflows
    (20.0, 0.5, 4)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from .tally_sums import raw_sums

STAGES = ("parameters", "product", "accumulation", "result")  # where a layer can overflow, in order


@dataclass(frozen=True)
class LayerTally:
    noise: float = 0.0  # sum of squared errors
    signal: float = 0.0  # sum of squared float values
    max_error: float = 0.0
    parameters: int = 0  # overflows by stage: weights and biases quantized,
    product: int = 0  # products cast,
    accumulation: int = 0  # sums (and partial sums),
    result: int = 0  # the output cast
    count: int = 0  # elements compared
    abs_error: float = 0.0  # sum of absolute errors
    within: int = 0  # elements within the tolerance given to ``of``
    low: float = math.inf  # the float reference's range: what the result type had to hold
    high: float = -math.inf

    @classmethod
    def of(cls, fixed: np.ndarray, reference: np.ndarray, stats, tolerance: float = math.inf) -> "LayerTally":
        """``stats``: the layer's ``StageStats`` (anything with ``product``, ``accumulation``
        and ``result`` counters); ``tolerance``: the absolute error ``within`` counts."""
        # one float64 temporary for the error, reused for its magnitude: a classification
        # tallies every layer of every batch, and the copies were an eighth of its time
        err = np.subtract(fixed, reference, dtype=np.float64).reshape(-1)
        noise = float(err @ err)
        np.abs(err, out=err)
        ref = reference.reshape(-1)
        ref64 = ref.astype(np.float64, copy=False)
        within = err.size if math.isinf(tolerance) else int(np.count_nonzero(err <= tolerance))
        counts = {stage: getattr(stats, stage).overflows for stage in STAGES if hasattr(stats, stage)}
        return cls(noise, float(ref64 @ ref64), float(err.max(initial=0.0)), **counts,
                   count=err.size, abs_error=float(err.sum()), within=within,
                   low=float(ref.min(initial=math.inf)), high=float(ref.max(initial=-math.inf)))

    @classmethod
    def of_result(cls, result, reference: np.ndarray, tolerance: float = math.inf) -> "LayerTally":
        """``of`` for a layer's result (``layers.core.base.LayerResult``: raws, type, stats),
        in one compiled pass over the raws (``tally_sums``) where it applies."""
        sums = raw_sums(result.raw, result.type, reference, tolerance) if result.raw is not None else None
        if sums is None:
            return cls.of(result.values(), reference, result.stats, tolerance)
        stats = result.stats
        counts = {stage: getattr(stats, stage).overflows for stage in STAGES if hasattr(stats, stage)}
        return cls(**sums, **counts)

    def merged(self, other: "LayerTally") -> "LayerTally":
        summed = {f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        # the parameters are the same in every chunk of images: their count is not a sum
        return LayerTally(**{**summed, "max_error": max(self.max_error, other.max_error),
                             "parameters": max(self.parameters, other.parameters),
                             "low": min(self.low, other.low), "high": max(self.high, other.high)})

    @property
    def sqnr_db(self) -> float:
        """Signal-to-quantization-noise ratio: ``10·log10(Σ ref² / Σ err²)`` (inf when exact)."""
        return 10 * math.log10(self.signal / self.noise) if self.noise > 0 else math.inf

    @property
    def mean_error(self) -> float:
        return self.abs_error / self.count if self.count else 0.0

    @property
    def share_within(self) -> float:
        return self.within / self.count if self.count else 1.0

    @property
    def overflows(self) -> int:
        return self.product + self.accumulation + self.result

    def overflows_by_stage(self) -> dict[str, int]:
        return {stage: getattr(self, stage) for stage in STAGES}
