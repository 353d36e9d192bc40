"""``RunTally``: one sweep point on some images — classification counts and a
``reports.tally.LayerTally`` per layer — as sums that merge across chunks and machines.

    >>> a = RunTally(images=100, fixed_correct=80, float_correct=82, agree=95)
    >>> b = RunTally(images=50, fixed_correct=40, float_correct=41, agree=49)
    >>> a.merged(b).fixed_correct, RunTally.from_dict(a.as_dict()) == a
    (120, True)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import numpy as np

from reports.tally import LayerTally

from ..simulator import Simulation


@dataclass(frozen=True)
class RunTally:
    images: int = 0
    fixed_correct: int = 0
    float_correct: int = 0
    agree: int = 0
    layers: dict[str, LayerTally] = field(default_factory=dict)

    @classmethod
    def of(cls, sim: Simulation, reference: dict[str, np.ndarray], labels: np.ndarray) -> "RunTally":
        fixed = sim.output.values().argmax(axis=1)
        floating = reference[sim.layers[-1].name].argmax(axis=1)
        layers = {run.name: LayerTally.of_result(run.result, reference[run.name])
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
