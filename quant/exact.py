"""The exact path: conversions computed on Python integers, element by element.

Every source value is an exact dyadic rational ``numerator * 2**-frac_bits`` (a double
is one, a fixed-point raw is one). Rounding and overflow then use the same rule and
handler tables as the fast paths, on arrays of Python ints, so no value is ever too wide.

This path is slow (microseconds per element). The fast paths send it only what they
cannot represent in int64: types wider than 64 bits and values far out of range. It is
also the reference the fast paths are tested against.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .overflow import settle
from .raw_format import RawFormat
from .rounding import increment
from .stats import OverflowStats


def quantize_dyadic(
    numerators, frac_bits, t: RawFormat, stats: OverflowStats | None = None
) -> np.ndarray:
    """Raw values of ``t`` for the values ``numerators[i] * 2**-frac_bits[i]``.

    ``frac_bits`` is one int for all elements or a sequence of them.
    """
    nums = [int(m) for m in numerators]
    count = len(nums)
    shifts = [int(frac_bits)] * count if np.isscalar(frac_bits) else [int(f) for f in frac_bits]
    floors, halves, rests = [], [], []
    for m, f2 in zip(nums, shifts):
        k = f2 - t.frac  # bits below the target LSB
        if k <= 0:
            floors.append(m << -k)
            halves.append(False)
            rests.append(False)
        else:
            floors.append(m >> k)
            halves.append(bool((m >> (k - 1)) & 1))
            rests.append(m & ((1 << (k - 1)) - 1) != 0)
    floor = np.array(floors, dtype=object)
    half = np.array(halves, dtype=bool)
    rest = np.array(rests, dtype=bool)
    neg = np.array([m < 0 for m in nums], dtype=bool)
    odd = np.array([f & 1 == 1 for f in floors], dtype=bool)
    inc = increment(t.rounding, half, rest, neg, odd)
    q = floor + inc.astype(int) if inc is not None else floor.copy()
    raw, high, low = settle(q, floor, t)
    if stats is not None:
        stats.record(count, high, low, half | rest)
    return raw.astype(t.raw_dtype)


def quantize_floats(x: np.ndarray, t: RawFormat, stats: OverflowStats | None = None) -> np.ndarray:
    """Raw values of ``t`` for finite float64 values, exactly (``T v = (double)x``)."""
    nums, shifts = [], []
    for value in x.tolist():
        numerator, denominator = float(value).as_integer_ratio()
        nums.append(numerator)
        shifts.append(denominator.bit_length() - 1)  # the denominator is a power of two
    return quantize_dyadic(nums, shifts, t, stats)


def raw_to_float(raw: np.ndarray, t: RawFormat) -> np.ndarray:
    """float64 values of wide raws: correctly rounded, ±inf beyond the double range."""
    scale = Fraction(2) ** -t.frac
    values = []
    for v in np.asarray(raw, dtype=object).reshape(-1).tolist():
        try:
            values.append(float(Fraction(int(v)) * scale))
        except OverflowError:
            values.append(float("inf") if v > 0 else float("-inf"))
    return np.array(values, dtype=np.float64).reshape(np.shape(raw))
