"""The points of a bit-width sweep, and how a point retypes a network.

A point sets the total width ``W`` and integer bits ``I`` of the data types — weights,
biases, layer results (and the network input when every layer is in scope) — of the
layers in its *scope*: all of them, one kind (``conv``, ``dense``, ``lrn``), or named
layers. Rounding and overflow modes stay those of the network file. With automatic
integer bits, ``I`` comes per layer and per array from observed ranges (``accel.sweep.ranges``).

The accumulator of conv/dense layers follows ``accum``:

- ``exact`` (default): fraction bits ``2·(W − I)`` so every product is exact, the file's
  integer bits, at most 64 bits — the data width alone decides accuracy;
- ``keep``: the network file's accumulator;
- ``same``: the data type itself, as one ``typedef ap_fixed<W,I> fixed_type`` would;
- a number: that many bits, with the file's integer bits and modes.

    >>> parse_range("8:16:4", "--width"), parse_range("4", "--int"), parse_range("12,16", "--width")
    ([8, 12, 16], [4], [12, 16])
    >>> SweepPoint(16, 4).label()
    '<16,4> acc exact'
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

from layers import Layer
from quant import FixedType

from ..network import Network

ACCUM_KEYWORDS = ("exact", "keep", "same")
MAX_ACCUM_WIDTH = 64


@dataclass(frozen=True)
class SweepPoint:
    width: int
    integer: int | None  # None: per-layer integer bits from ``auto_int``
    accum: str = "exact"  # exact | keep | same | a width, as text
    scope: tuple[str, ...] = ("all",)
    auto_int: tuple[tuple[str, str, int], ...] = ()  # (layer or "input", array, integer bits)

    def label(self) -> str:
        integer = "auto" if self.integer is None else self.integer
        scope = "" if self.scope == ("all",) else f" in {','.join(self.scope)}"
        return f"<{self.width},{integer}> acc {self.accum}{scope}"

    def as_dict(self) -> dict:
        return {"width": self.width, "integer": self.integer, "accum": self.accum, "scope": list(self.scope),
                "auto_int": [list(entry) for entry in self.auto_int]}

    def key(self, context: str) -> str:
        """A stable hash of this point within a sweep ``context`` (network, weights, images)."""
        text = json.dumps({"point": self.as_dict(), "context": context}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def apply(self, network: Network) -> Network:
        """``network`` with this point's types in its scope (``apply_point``)."""
        return apply_point(network, self)


def parse_range(text: str, what: str) -> list[int]:
    """``start:stop[:step]`` (inclusive), a comma list, or one integer."""
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] < 1) or parts[1] < parts[0]:
                raise ValueError
            start, stop, step = parts[0], parts[1], parts[2] if len(parts) == 3 else 1
            return list(range(start, stop + 1, step))
        return [int(p) for p in text.split(",")]
    except ValueError:
        raise ValueError(f"{what} {text!r}: expected START:STOP[:STEP] with STOP >= START, "
                         f"a list like 8,12,16, or one integer") from None


def grid(widths: list[int], integers: list[int] | None, accums: list[str], scope: tuple[str, ...] = ("all",),
         auto_int: tuple[tuple[str, str, int], ...] = ()) -> list[SweepPoint]:
    """Every (W, I, accumulator) combination; I > W (all-integer types and beyond) is skipped."""
    for accum in accums:
        if accum not in ACCUM_KEYWORDS and not (accum.isdigit() and 2 <= int(accum) <= MAX_ACCUM_WIDTH):
            raise ValueError(f"--accum {accum!r}: expected exact, keep, same or a width from 2 to "
                             f"{MAX_ACCUM_WIDTH}, such as 32")
    for width in widths:
        if not 2 <= width <= 64:
            raise ValueError(f"--width {width}: data widths from 2 to 64 bits can be swept")
    finest = max(widths)  # the most fraction bits a point's types get: W - I
    for integer in integers or ():
        _check_fraction_bits(finest - integer, f"--int {integer} with --width {finest}")
    for layer, array, integer in auto_int:
        _check_fraction_bits(finest - integer, f"--auto-int: {layer} {array}: {integer} integer bits (the range "
                                               f"plus --headroom) with --width {finest}")
    if integers is None:
        return [SweepPoint(w, None, a, scope, auto_int) for w in widths for a in accums]
    return [SweepPoint(w, i, a, scope) for w in widths for i in integers for a in accums if i <= w]


MAX_FRACTION_BITS = 62  # raws of finer types leave int64: exact big-integer arithmetic, minutes an image


def _check_fraction_bits(fraction: int, what: str) -> None:
    """A type with more than ``MAX_FRACTION_BITS`` fraction bits is legal in Vitis but no
    sweep point: its step is below 2**-62, finer than anything the data can use, and its raws
    need big-integer arithmetic (minutes for a few images)."""
    if fraction > MAX_FRACTION_BITS:
        raise ValueError(f"{what}: {fraction} fraction bits; a step below 2**-{MAX_FRACTION_BITS} is finer than any "
                         f"data needs and would be simulated in big-integer arithmetic (minutes an image): give "
                         f"integer bits of at least W - {MAX_FRACTION_BITS}")


def in_scope(layer: Layer, scope: tuple[str, ...]) -> bool:
    return "all" in scope or layer.op in scope or layer.name in scope


def retypable(network: Network) -> list[Layer]:
    """The layers a point can retype: those with data arrays (conv, dense, LRN)."""
    return [layer for layer in network.layers if layer.data_arrays()]


def check_scope(network: Network, scope: tuple[str, ...]) -> None:
    names = {layer.name for layer in network.layers}
    kinds = sorted({layer.op for layer in retypable(network)})
    unknown = [s for s in scope if s != "all" and s not in kinds and s not in names]
    if unknown:
        raise ValueError(f"--scope {','.join(unknown)}: not a layer kind ({', '.join(kinds)}) or a layer of "
                         f"{network.name} ({', '.join(sorted(names))})")


def apply_point(network: Network, point: SweepPoint) -> Network:
    """``network`` with the point's types in its scope."""
    retype = PointRetype(point)
    layers = tuple(layer.retyped(retype) if in_scope(layer, point.scope) else layer for layer in network.layers)
    input_type = network.input_type
    if "all" in point.scope:
        input_type = retype.data(network.input_type, "input", "result")
    return replace(network, layers=layers, input_type=input_type)


@dataclass(frozen=True)
class PointRetype:
    """A point's types, as layers ask for them (``layers.core.base.Retype``)."""

    point: SweepPoint

    def data(self, t: FixedType, layer: str, array: str) -> FixedType:
        """Width ``W``; integer bits ``I``, or this array's own from ``auto_int``."""
        auto = {(name, kind): bits for name, kind, bits in self.point.auto_int}
        integer = self.point.integer if self.point.integer is not None else auto.get((layer, array), t.integer)
        return replace(t, width=self.point.width, integer=integer)

    def accumulator(self, accum: FixedType, weight: FixedType) -> FixedType:
        policy = self.point.accum
        if policy == "keep":
            return accum
        if policy == "same":
            return weight
        if policy == "exact":
            frac = 2 * (weight.width - weight.integer)  # of weight * data at this point's widths
            return replace(accum, width=min(MAX_ACCUM_WIDTH, max(accum.integer + frac, 1)))
        return replace(accum, width=int(policy))


def context_hash(network: Network, weights: dict, images_digest: str, chunk: int) -> str:
    """What the results of a sweep depend on besides the point itself."""
    digest = hashlib.sha256()
    digest.update(repr((network.name, network.input_shape, network.input_type, network.layers, network.wiring,
                        network.preprocess)).encode())
    for name in sorted(weights):
        for param in sorted(weights[name]):
            digest.update(f"{name}.{param}".encode())
            digest.update(weights[name][param].tobytes())
    digest.update(f"{images_digest}:{chunk}".encode())
    return digest.hexdigest()[:16]

