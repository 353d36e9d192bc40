"""Running sums of a fixed-point run against its float reference, that merge.

A sweep evaluates each point on chunks of images, possibly on other machines; what comes
back must add up to the numbers one long run would give. So the tallies keep sums
(error energy, signal energy, overflow counts, correct answers), never averages:

    >>> a = LayerTally(noise=1.0, signal=100.0, max_error=0.5, product=0, accumulation=2, result=1)
    >>> b = LayerTally(noise=1.0, signal=100.0, max_error=0.25, product=1, accumulation=0, result=0)
    >>> m = a.merged(b); round(m.sqnr_db, 2), m.max_error, m.overflows
    (20.0, 0.5, 4)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from .simulator import Simulation

STAGES = ("product", "accumulation", "result")


@dataclass(frozen=True)
class LayerTally:
    noise: float = 0.0  # sum of squared errors
    signal: float = 0.0  # sum of squared float values
    max_error: float = 0.0
    product: int = 0  # overflows by stage
    accumulation: int = 0
    result: int = 0

    @classmethod
    def of(cls, fixed: np.ndarray, reference: np.ndarray, stats) -> "LayerTally":
        err = (fixed - reference).reshape(-1).astype(np.float64)
        ref = reference.reshape(-1).astype(np.float64)
        return cls(float(err @ err), float(ref @ ref), float(np.abs(err).max(initial=0.0)),
                   *(getattr(stats, stage).overflows for stage in STAGES))

    def merged(self, other: "LayerTally") -> "LayerTally":
        return LayerTally(self.noise + other.noise, self.signal + other.signal, max(self.max_error, other.max_error),
                          *(getattr(self, s) + getattr(other, s) for s in STAGES))

    @property
    def sqnr_db(self) -> float:
        return 10 * math.log10(self.signal / self.noise) if self.noise > 0 else math.inf

    @property
    def overflows(self) -> int:
        return self.product + self.accumulation + self.result


@dataclass(frozen=True)
class RunTally:
    """One point on some images: classification counts and per-layer tallies."""

    images: int = 0
    fixed_correct: int = 0
    float_correct: int = 0
    agree: int = 0
    layers: dict[str, LayerTally] = field(default_factory=dict)

    @classmethod
    def of(cls, sim: Simulation, reference: dict[str, np.ndarray], labels: np.ndarray) -> "RunTally":
        fixed = sim.output.values().argmax(axis=1)
        floating = reference[sim.layers[-1].name].argmax(axis=1)
        layers = {run.name: LayerTally.of(run.result.values(), reference[run.name], run.result.stats)
                  for run in sim.layers}
        return cls(len(labels), int((fixed == labels).sum()), int((floating == labels).sum()),
                   int((fixed == floating).sum()), layers)

    def merged(self, other: "RunTally") -> "RunTally":
        names = list(dict.fromkeys([*self.layers, *other.layers]))
        layers = {n: self.layers.get(n, LayerTally()).merged(other.layers.get(n, LayerTally())) for n in names}
        return RunTally(self.images + other.images, self.fixed_correct + other.fixed_correct,
                        self.float_correct + other.float_correct, self.agree + other.agree, layers)

    def as_dict(self) -> dict:
        return {**{f.name: getattr(self, f.name) for f in fields(self) if f.name != "layers"},
                "layers": {name: asdict(t) for name, t in self.layers.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> "RunTally":
        layers = {name: LayerTally(**t) for name, t in data["layers"].items()}
        return cls(data["images"], data["fixed_correct"], data["float_correct"], data["agree"], layers)
