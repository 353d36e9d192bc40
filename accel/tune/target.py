"""What a tune keeps and what it lowers.

The *target* is an accuracy figure of the fixed-point network on the search images that
must stay at or above a threshold: ``agreement`` (top-1 the same as the float model's, in
per cent) or ``top1`` (top-1 right against the labels). The *objective* is a cost from the
estimator: a resource total (``dsp``, ``lut``, ``ff``, ``bram``), the ``latency``, or the
``score`` — the sum of the four resources as fractions of the board's, one number for
"how much of this board the design takes".

    >>> Target.parse("agreement>=99.5")
    Target(metric='agreement', threshold=99.5)
    >>> Target.parse("top1 >= 70").describe()
    'top-1 accuracy >= 70 %'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from layers.hw import Device

METRICS = {"agreement": "agreement with the float model", "top1": "top-1 accuracy"}
OBJECTIVES = ("score", "dsp", "lut", "ff", "bram", "latency")
SCORED = ("DSP", "BRAM_18K", "LUT", "FF")


@dataclass(frozen=True)
class Target:
    metric: str  # agreement | top1
    threshold: float  # per cent

    @classmethod
    def parse(cls, text: str) -> "Target":
        found = re.fullmatch(r"\s*(\w+)\s*>=\s*([0-9.]+)\s*%?\s*", text)
        if found is None or found.group(1) not in METRICS:
            raise ValueError(f"--target {text!r}: write METRIC>=PERCENT with METRIC one of {', '.join(METRICS)}, "
                             f"e.g. agreement>=99.5")
        threshold = float(found.group(2))
        if not 0 < threshold <= 100:
            raise ValueError(f"--target {text!r}: a percentage above 0 and at most 100")
        return cls(found.group(1), threshold)

    def describe(self) -> str:
        return f"{METRICS[self.metric]} >= {self.threshold:g} %"

    def value(self, tally) -> float:
        """The metric of a ``RunTally``, in per cent."""
        hits = tally.agree if self.metric == "agreement" else tally.fixed_correct
        return 100.0 * hits / tally.images

    def met(self, tally) -> bool:
        return self.value(tally) >= self.threshold - 1e-9


def check_objective(objective: str) -> str:
    if objective not in OBJECTIVES:
        raise ValueError(f"--objective {objective!r}: one of {', '.join(OBJECTIVES)}")
    return objective


def cost(estimate, objective: str, device: Device) -> float:
    """The objective's value for a network estimate (``accel.estimator``)."""
    total = estimate.total
    if objective == "latency":
        return float(estimate.latency_ms())
    if objective == "score":
        return sum(getattr(total, name) / max(1, getattr(device, name)) for name in SCORED)
    return float(getattr(total, {"dsp": "DSP", "lut": "LUT", "ff": "FF", "bram": "BRAM_18K"}[objective]))
