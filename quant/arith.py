"""Arithmetic of two fixed-point operands, as ``ap_fixed`` computes it.

``ap_fixed`` operators never round or overflow: ``a * b``, ``a + b``, ``a - b`` and
``a / b`` produce a *full-precision* type wide enough for the exact result (the quotient
is truncated toward zero), and precision is lost only when that result is assigned to a
narrower type. These functions give the same result types (``ap_fixed_base::RType``)
and raw values; the narrowing is the destination type's ``cast``::

    >>> a, b = FixedType(16, 4), FixedType(16, 4)
    >>> raw, t = multiply([6144], a, [-2048], b)        # 1.5 * -0.5
    >>> str(t), raw.tolist(), t.from_raw(raw).tolist()
    ('ap_fixed<32,8>', [-12582912], [-0.75])
    >>> FixedType(16, 4).cast(raw, t).tolist()          # (ap_fixed<16,4>)(a * b)
    [-3072]

Full-precision results wider than 64 bits (63 unsigned) carry Python-int raw arrays.
"""

from __future__ import annotations

import numpy as np

from .fixed_type import FixedType


# ---------------------------------------------------------------- result types
def product_type(a: FixedType, b: FixedType) -> FixedType:
    """``RType::mult``: ``<W1+W2, I1+I2>``, signed if either operand is."""
    return FixedType(a.width + b.width, a.integer + b.integer, a.signed or b.signed)


def _sum_integer_bits(a: FixedType, b: FixedType) -> int:
    # an unsigned operand needs one more integer bit to sit in a signed result
    return max(a.integer + (b.signed and not a.signed), b.integer + (a.signed and not b.signed)) + 1


def sum_type(a: FixedType, b: FixedType) -> FixedType:
    """``RType::plus``: one integer bit of growth over the wider operand."""
    integer = _sum_integer_bits(a, b)
    return FixedType(integer + max(a.frac, b.frac), integer, a.signed or b.signed)


def difference_type(a: FixedType, b: FixedType) -> FixedType:
    """``RType::minus``: as ``plus``, but always signed."""
    integer = _sum_integer_bits(a, b)
    return FixedType(integer + max(a.frac, b.frac), integer, True)


def quotient_type(a: FixedType, b: FixedType) -> FixedType:
    """``RType::div``: ``<S2 + W1 + max(F2, 0), S2 + I1 + F2>``."""
    s2 = int(b.signed)
    return FixedType(s2 + a.width + max(b.frac, 0), s2 + a.integer + b.frac, a.signed or b.signed)


# ---------------------------------------------------------------- raw arithmetic
def multiply(a_raw, a: FixedType, b_raw, b: FixedType) -> tuple[np.ndarray, FixedType]:
    """Full-precision ``a * b``: (raw, product_type(a, b))."""
    t = product_type(a, b)
    if not t.is_native:
        small = _small_int64(a_raw, 0, b_raw, 0, product=True)
        if small is not None:  # a wide type whose values still fit int64
            return small[0] * small[1], t
    x, y = _operands(a_raw, b_raw, t)
    return x * y, t


def add(a_raw, a: FixedType, b_raw, b: FixedType) -> tuple[np.ndarray, FixedType]:
    """Full-precision ``a + b``: (raw, sum_type(a, b))."""
    t = sum_type(a, b)
    small = None if t.is_native else _small_int64(a_raw, t.frac - a.frac, b_raw, t.frac - b.frac)
    if small is not None:  # a wide type whose values still fit int64
        return (small[0] << (t.frac - a.frac)) + (small[1] << (t.frac - b.frac)), t
    x, y = _operands(a_raw, b_raw, t)
    return _align(x, a, t) + _align(y, b, t), t


def subtract(a_raw, a: FixedType, b_raw, b: FixedType) -> tuple[np.ndarray, FixedType]:
    """Full-precision ``a - b``: (raw, difference_type(a, b))."""
    t = difference_type(a, b)
    small = None if t.is_native else _small_int64(a_raw, t.frac - a.frac, b_raw, t.frac - b.frac)
    if small is not None:
        return (small[0] << (t.frac - a.frac)) - (small[1] << (t.frac - b.frac)), t
    x, y = _operands(a_raw, b_raw, t)
    return _align(x, a, t) - _align(y, b, t), t


def divide(a_raw, a: FixedType, b_raw, b: FixedType) -> tuple[np.ndarray, FixedType]:
    """``a / b`` as the headers compute it in C-simulation: ``(a_raw << max(F2, 0)) / b_raw``
    truncated toward zero, in a ``W1``-bit divider, into quotient_type(a, b). ``W1`` is
    just wide enough for the shifted dividend, so the one quotient that needs a bit more —
    the minimum over −1 — wraps there, as in C-sim (``-32768 / -1`` raw at ⟨16,4⟩ gives
    ``-2**27``, not ``+2**27``). A zero divisor raises ``ZeroDivisionError`` (the C++
    program would crash)."""
    t = quotient_type(a, b)
    shift = max(b.frac, 0)
    divider_bits = max(a.width + shift + int(b.signed and not a.signed), b.width + int(a.signed and not b.signed))
    native = t.is_native and divider_bits <= 62
    x, y = (np.asarray(v, dtype=np.int64 if native else object) for v in (a_raw, b_raw))
    if np.any(y == 0):
        raise ZeroDivisionError(f"division of {a} by a zero {b}: ap_fixed has no value for x/0")
    x = x << shift
    magnitude = np.abs(x) // np.abs(y)
    quotient = np.where((x < 0) != (y < 0), -magnitude, magnitude)
    if a.signed or b.signed:  # two's complement in the divider's width: only min / -1 moves
        half = 1 << (divider_bits - 1)
        quotient = (quotient + half) % (2 * half) - half
    return quotient.astype(t.raw_dtype), t


def _operands(a_raw, b_raw, result: FixedType) -> tuple[np.ndarray, np.ndarray]:
    """Both operands as arrays wide enough for the result (int64 or Python ints)."""
    dtype = result.raw_dtype
    return np.asarray(a_raw).astype(dtype, copy=False), np.asarray(b_raw).astype(dtype, copy=False)


def _small_int64(a_raw, a_shift: int, b_raw, b_shift: int, product: bool = False):
    """Both operands as int64 when the result of the operation cannot leave int64: each
    sum of the aligned magnitudes below 2**63 for a sum, the product of the magnitudes below 2**63 for a
    product. None otherwise (and for Python-int arrays): the caller takes the exact path."""
    a, b = np.asarray(a_raw), np.asarray(b_raw)
    if a.dtype != np.int64 or b.dtype != np.int64:
        return None
    a_max = int(np.abs(a).max(initial=0))
    b_max = int(np.abs(b).max(initial=0))
    if product:
        return (a, b) if a_max * b_max < (1 << 63) else None
    return (a, b) if (a_max << a_shift) + (b_max << b_shift) < (1 << 63) else None


def _align(raw: np.ndarray, t: FixedType, result: FixedType) -> np.ndarray:
    return raw << (result.frac - t.frac)
