"""``TunePoint``: one total width per tuned layer, for its weights, biases and results.

Each layer's integer bits come from the float model's ranges (``accel.sweep.ranges``, the
``--auto-int`` of a sweep) plus a headroom, so a narrower width gives up fraction bits,
never range; the accumulator of a conv or dense layer stays exact for its products
(``accum: exact``: every product fits, the width alone decides accuracy). A point retypes
the network as one sweep point per layer would, each scoped to that layer.

    >>> p = TunePoint.uniform(("conv1", "fc"), 16)
    >>> p.with_width("fc", 12).label(), p.total_bits()
    ('conv1:16 fc:12', 32)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

from ..network import Network
from ..sweep.grid import SweepPoint, apply_point


@dataclass(frozen=True)
class TunePoint:
    widths: tuple[tuple[str, int], ...]  # (layer, total width W), in network order
    auto_int: tuple[tuple[str, str, int], ...] = ()  # (layer, array, integer bits) from the ranges
    accum: str = "exact"

    @classmethod
    def uniform(cls, layers: tuple[str, ...], width: int, auto_int=(), accum: str = "exact") -> "TunePoint":
        return cls(tuple((name, width) for name in layers), tuple(auto_int), accum)

    def width(self, layer: str) -> int:
        return dict(self.widths)[layer]

    def with_width(self, layer: str, width: int) -> "TunePoint":
        return replace(self, widths=tuple((name, width if name == layer else w) for name, w in self.widths))

    def total_bits(self) -> int:
        return sum(w for _, w in self.widths)

    def label(self) -> str:
        return " ".join(f"{name}:{w}" for name, w in self.widths)

    def as_dict(self) -> dict:
        return {"widths": dict(self.widths), "accum": self.accum,
                "auto_int": [list(entry) for entry in self.auto_int]}

    def key(self, context: str) -> str:
        """A stable hash of this point within a run's ``context`` (network, weights, images)."""
        text = json.dumps({"tune": self.as_dict(), "context": context}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def apply(self, network: Network) -> Network:
        """``network`` with each tuned layer at its width (integer bits from ``auto_int``)."""
        for name, width in self.widths:
            network = apply_point(network, SweepPoint(width, None, self.accum, (name,), self.auto_int))
        return network
