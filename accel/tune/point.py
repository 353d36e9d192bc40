"""``TunePoint``: one total width per *knob* — a layer (all its data arrays), or, at
array granularity, a layer's weights (with its biases) and its results apart.

Each array's integer bits come from the float model's ranges (``accel.sweep.ranges``, the
``--auto-int`` of a sweep) plus a headroom, so a narrower width gives up fraction bits,
never range. The accumulator of a conv or dense layer is made exact for its products —
the file's integer bits, and the fraction bits of the weights plus those of the layer's
input as the point types it — so the data widths alone decide accuracy.

    >>> p = TunePoint.uniform(("conv1", "fc.weight", "fc.result"), 16)
    >>> p.with_width("fc.weight", 8).label(), p.total_bits()
    ('conv1:16 fc.weight:8 fc.result:16', 48)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

from quant import FixedType

from ..network import Network
from ..sweep.grid import MAX_ACCUM_WIDTH, retypable

PARAMETERS = ("weight", "bias")  # one knob at array granularity: the biases follow the weights


def knobs(network: Network, granularity: str = "layer") -> tuple[str, ...]:
    """What a tune sets: each retypable layer, or its parameters and its results apart."""
    if granularity not in ("layer", "array"):
        raise ValueError(f"--granularity {granularity!r}: layer or array")
    if granularity == "layer":
        return tuple(layer.name for layer in retypable(network))
    names = []
    for layer in retypable(network):
        arrays = layer.data_arrays()
        names += [f"{layer.name}.weight"] if any(a in PARAMETERS for a in arrays) else []
        names += [f"{layer.name}.{a}" for a in arrays if a not in PARAMETERS]
    return tuple(names)


@dataclass(frozen=True)
class TunePoint:
    widths: tuple[tuple[str, int], ...]  # (knob, total width W), in network order
    auto_int: tuple[tuple[str, str, int], ...] = ()  # (layer, array, integer bits) from the ranges

    @classmethod
    def uniform(cls, knob_names: tuple[str, ...], width: int, auto_int=()) -> "TunePoint":
        return cls(tuple((name, width) for name in knob_names), tuple(auto_int))

    def width(self, knob: str) -> int:
        return dict(self.widths)[knob]

    def with_width(self, knob: str, width: int) -> "TunePoint":
        return replace(self, widths=tuple((name, width if name == knob else w) for name, w in self.widths))

    def total_bits(self) -> int:
        return sum(w for _, w in self.widths)

    def label(self) -> str:
        return " ".join(f"{name}:{w}" for name, w in self.widths)

    def as_dict(self) -> dict:
        return {"widths": dict(self.widths), "auto_int": [list(entry) for entry in self.auto_int]}

    def key(self, context: str) -> str:
        """A stable hash of this point within a run's ``context`` (network, weights, images)."""
        text = json.dumps({"tune": self.as_dict(), "context": context}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def apply(self, network: Network) -> Network:
        """``network`` with every knob's arrays at its width, then each accumulator exact
        for the products of its weights and its (retyped) input."""
        data = _Data(dict(self.widths), {(layer, array): bits for layer, array, bits in self.auto_int})
        network = replace(network, layers=tuple(layer.retyped(data) for layer in network.layers))
        layers = tuple(layer.retyped(_ExactAccumulator(_frac(incoming))) for layer, incoming, _ in network.io_types())
        return replace(network, layers=layers)


@dataclass(frozen=True)
class _Data:
    """Widths of the knobs, integer bits of the ranges; accumulators untouched."""

    widths: dict[str, int]
    integer: dict[tuple[str, str], int]

    def data(self, t: FixedType, layer: str, array: str) -> FixedType:
        knob = f"{layer}.{'weight' if array in PARAMETERS else array}"
        width = self.widths.get(knob, self.widths.get(layer))
        if width is None:
            return t
        return replace(t, width=width, integer=self.integer.get((layer, array), t.integer))

    def accumulator(self, accum: FixedType, weight: FixedType) -> FixedType:
        return accum


@dataclass(frozen=True)
class _ExactAccumulator:
    """The file's integer bits, and the fraction bits of a product of the weights and the
    input: every product fits (at most ``MAX_ACCUM_WIDTH`` bits)."""

    input_frac: int

    def data(self, t: FixedType, layer: str, array: str) -> FixedType:
        return t

    def accumulator(self, accum: FixedType, weight: FixedType) -> FixedType:
        frac = max(0, weight.width - weight.integer) + self.input_frac
        return replace(accum, width=min(MAX_ACCUM_WIDTH, max(accum.integer + frac, 1)))


def _frac(incoming) -> int:
    """Fraction bits of a layer's input (a merge: the finest of its inputs)."""
    types = incoming if isinstance(incoming, tuple) else (incoming,)
    return max(max(0, t.width - t.integer) for t in types)

