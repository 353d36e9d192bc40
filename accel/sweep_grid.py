"""The points of a bit-width sweep, and how a point retypes a network.

A point sets the total width ``W`` and integer bits ``I`` of the data types — weights,
biases, layer results (and the network input when every layer is in scope) — of the
layers in its *scope*: all of them, one kind (``conv``, ``dense``, ``lrn``), or named
layers. Rounding and overflow modes stay those of the network file. With automatic
integer bits, ``I`` comes per layer and per array from observed ranges (``accel.ranges``).

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

from layers import LRN, Conv, Dense, Layer
from quant import FixedType

from .network import Network

ACCUM_KEYWORDS = ("exact", "keep", "same")
KINDS = ("conv", "dense", "lrn")
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
        if accum not in ACCUM_KEYWORDS and not (accum.isdigit() and 2 <= int(accum) <= 1024):
            raise ValueError(f"--accum {accum!r}: expected exact, keep, same or a width such as 32")
    for width in widths:
        if not 2 <= width <= 64:
            raise ValueError(f"--width {width}: data widths from 2 to 64 bits can be swept")
    if integers is None:
        return [SweepPoint(w, None, a, scope, auto_int) for w in widths for a in accums]
    return [SweepPoint(w, i, a, scope) for w in widths for i in integers for a in accums if i <= w]


def in_scope(layer: Layer, scope: tuple[str, ...]) -> bool:
    return "all" in scope or layer.op in scope or layer.name in scope


def check_scope(network: Network, scope: tuple[str, ...]) -> None:
    names = {layer.name for layer in network.layers}
    unknown = [s for s in scope if s != "all" and s not in KINDS and s not in names]
    if unknown:
        raise ValueError(f"--scope {','.join(unknown)}: not a layer kind ({', '.join(KINDS)}) or a layer of "
                         f"{network.name} ({', '.join(sorted(names))})")


def apply_point(network: Network, point: SweepPoint) -> Network:
    """``network`` with the point's types in its scope."""
    auto = {(layer, array): bits for layer, array, bits in point.auto_int}

    def retype(t: FixedType, layer: str, array: str) -> FixedType:
        integer = point.integer if point.integer is not None else auto.get((layer, array), t.integer)
        return replace(t, width=point.width, integer=integer)

    layers = []
    for layer in network.layers:
        if in_scope(layer, point.scope):
            layer = _retyped(layer, retype, point)
        layers.append(layer)
    input_type = network.input_type
    if "all" in point.scope:
        input_type = retype(network.input_type, "input", "result")
    return replace(network, layers=tuple(layers), input_type=input_type)


def _retyped(layer: Layer, retype, point: SweepPoint) -> Layer:
    if isinstance(layer, (Conv, Dense)):
        t = layer.types
        result = retype(t.result, layer.name, "result")
        weight, bias = retype(t.weight, layer.name, "weight"), retype(t.bias, layer.name, "bias")
        types = replace(t, weight=weight, bias=bias, result=result, accum=_accumulator(t.accum, weight, point))
        return replace(layer, types=types)
    if isinstance(layer, LRN):
        return replace(layer, result=retype(layer.result, layer.name, "result"))
    return layer


def _accumulator(accum: FixedType, weight: FixedType, point: SweepPoint) -> FixedType:
    if point.accum == "keep":
        return accum
    if point.accum == "same":
        return weight
    if point.accum == "exact":
        frac = 2 * (weight.width - weight.integer)  # of weight * data at this point's widths
        return replace(accum, width=min(MAX_ACCUM_WIDTH, max(accum.integer + frac, 1)))
    return replace(accum, width=int(point.accum))


def context_hash(network: Network, weights: dict, images_digest: str, chunk: int) -> str:
    """What the results of a sweep depend on besides the point itself."""
    digest = hashlib.sha256()
    digest.update(repr((network.name, network.input_shape, network.input_type, network.layers)).encode())
    for name in sorted(weights):
        for param in sorted(weights[name]):
            digest.update(f"{name}.{param}".encode())
            digest.update(weights[name][param].tobytes())
    digest.update(f"{images_digest}:{chunk}".encode())
    return digest.hexdigest()[:16]

