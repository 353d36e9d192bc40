"""The fixed-point types of one layer, named as hls4ml names them.

``weight``, ``bias``, ``accum`` and ``result`` are hls4ml's; two more make the
arithmetic of a tiled C++ kernel explicit:

- ``product``: the type each ``w * x`` is assigned to before it is added. hls4ml assigns
  it to ``accum`` (the default here); ``"full"`` keeps the exact ``ap_fixed`` product.
- ``partial``: the type of partial sums kept in the output buffer between input-channel
  tiles (default ``accum``, i.e. no extra rounding between tiles).

The kernel computes, for every output::

    acc = (accum) bias;
    for each reduction step (in loop-nest order, tile by tile):
        acc = (accum)(acc + (product)(w * x));
        at a tile boundary: acc = (accum)(partial) acc;
    out = (result) acc;            // (result)(acc > 0 ? acc : 0) with a fused ReLU
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from quant import FixedType, OverflowStats, arith

FULL = "full"  # the product type that keeps w * x exact
DEFAULT_DATA_TYPE = "ap_fixed<16,4,AP_RND,AP_SAT>"  # data and weights of the shipped networks and imports


@dataclass(frozen=True)
class LayerTypes:
    """Resolved types of a layer with weights (conv, dense)."""

    input: FixedType
    weight: FixedType
    bias: FixedType
    accum: FixedType
    result: FixedType
    product: FixedType | str = "accum"  # "accum", "full" or a FixedType
    partial: FixedType | str = "accum"  # "accum" or a FixedType

    @property
    def full_product(self) -> FixedType:
        """The exact type of ``weight * input``."""
        return arith.product_type(self.weight, self.input)

    @property
    def product_type(self) -> FixedType:
        if self.product == "accum":
            return self.accum
        if self.product == FULL:
            return self.full_product
        return self.product  # type: ignore[return-value]

    @property
    def partial_type(self) -> FixedType:
        return self.accum if self.partial == "accum" else self.partial  # type: ignore[return-value]


@dataclass
class StageStats:
    """Overflow and rounding counts of one layer, by stage of its arithmetic."""

    parameters: OverflowStats = field(default_factory=OverflowStats)  # weights and biases into their types (once)
    product: OverflowStats = field(default_factory=OverflowStats)  # (product)(w*x)
    accumulation: OverflowStats = field(default_factory=OverflowStats)  # (accum) bias, sums, partials
    result: OverflowStats = field(default_factory=OverflowStats)  # (result) acc, or the op's output cast

    def __iadd__(self, other: "StageStats") -> "StageStats":
        for f in fields(self):
            getattr(self, f.name).__iadd__(getattr(other, f.name))
        return self

    @property
    def overflows(self) -> int:
        return sum(getattr(self, f.name).overflows for f in fields(self))

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {f.name: getattr(self, f.name).as_dict() for f in fields(self)}


def lossless(src: FixedType, dst: FixedType) -> bool:
    """True when every value of ``src`` is exactly representable in ``dst``."""
    if dst.frac < src.frac:
        return False
    if src.signed and not dst.signed:
        return False
    return dst.integer - dst.signed >= src.integer - src.signed
