"""``FixedArray``: raw values with their type, and ``ap_fixed`` operators.

A thin value wrapper over ``quant.arith`` for interactive use and for writing kernels
that read like their C++::

    >>> w = FixedArray.from_float([0.75, -1.5], "ap_fixed<16,4>")
    >>> x = FixedArray.from_float([2.0, 0.3], "ap_fixed<16,4>")   # 0.3 floors to 1228/4096
    >>> p = w * x                        # full precision, as in C++
    >>> str(p.type)
    'ap_fixed<32,8>'
    >>> p.to_float().tolist()            # -1.5 * 1228/4096, exact in 24 fraction bits
    [1.5, -0.44970703125]
    >>> p.cast("ap_fixed<8,3,AP_RND>").to_float().tolist()   # 5 fraction bits: -14.39/32 -> -14/32
    [1.5, -0.4375]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import arith
from .fixed_type import FixedType
from .stats import OverflowStats


@dataclass(frozen=True, eq=False)
class FixedArray:
    """An array of fixed-point values: ``raw`` integers of type ``type``."""

    raw: np.ndarray
    type: FixedType

    @classmethod
    def from_float(cls, x, t: "FixedType | str", stats: OverflowStats | None = None) -> "FixedArray":
        t = FixedType.parse(t)
        return cls(t.to_raw(x, stats), t)

    def cast(self, t: "FixedType | str", stats: OverflowStats | None = None) -> "FixedArray":
        """Assign to another type (rounding and overflow by that type's modes): the array
        form of ``FixedType.cast``, the one spelling of an assignment."""
        t = FixedType.parse(t)
        return FixedArray(t.cast(self.raw, self.type, stats), t)

    def to_float(self) -> np.ndarray:
        return self.type.from_raw(self.raw)

    def __mul__(self, other: "FixedArray") -> "FixedArray":
        return FixedArray(*arith.multiply(self.raw, self.type, other.raw, other.type))

    def __add__(self, other: "FixedArray") -> "FixedArray":
        return FixedArray(*arith.add(self.raw, self.type, other.raw, other.type))

    def __sub__(self, other: "FixedArray") -> "FixedArray":
        return FixedArray(*arith.subtract(self.raw, self.type, other.raw, other.type))

    def __truediv__(self, other: "FixedArray") -> "FixedArray":
        return FixedArray(*arith.divide(self.raw, self.type, other.raw, other.type))

    def __repr__(self) -> str:
        return f"FixedArray({self.to_float().tolist()!r}, {self.type})"
