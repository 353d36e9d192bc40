"""``RawFormat``: what the conversions read of a fixed-point type.

``convert``, ``exact`` and ``overflow`` move raw integers between types; they need a type's
width, fraction bits, signedness, modes and raw range, nothing else. Saying so in a
``Protocol`` keeps the dependency one way: ``FixedType`` (which has all of these) is built on
the conversions, and the conversions never name ``FixedType``.

    >>> from quant import FixedType
    >>> isinstance(FixedType(16, 4), RawFormat)
    True
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from .modes import Overflow, Rounding


@runtime_checkable
class RawFormat(Protocol):
    """A type whose values are ``raw * 2**-frac`` with ``min_raw <= raw <= max_raw``."""

    @property
    def width(self) -> int: ...
    @property
    def signed(self) -> bool: ...
    @property
    def rounding(self) -> Rounding: ...
    @property
    def overflow(self) -> Overflow: ...
    @property
    def sat_bits(self) -> int: ...
    @property
    def frac(self) -> int: ...
    @property
    def min_raw(self) -> int: ...
    @property
    def max_raw(self) -> int: ...
    @property
    def is_native(self) -> bool: ...
    @property
    def raw_dtype(self) -> np.dtype: ...
