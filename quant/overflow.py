"""Overflow handling: one function per ``ap_o_mode``, registered in a table.

A conversion rounds first; what is left is an integer ``q`` in units of the target LSB,
possibly outside ``[min_raw, max_raw]``. For the elements that are, the handler of the
target's overflow mode decides the raw value. It sees what the Vitis headers look at
(``ap_fixed_base::overflow_adjust``), already reduced to a few arrays (``OutOfRange``) so
that the same handler serves int64 raws and wide (Python-int) raws:

- ``wrapped``: ``q`` reduced to the target's W bits (two's complement for signed types),
- ``high`` / ``low``: the direction of the overflow,
- ``negative``: ``q < 0``,
- ``bit_above``: bit W of the floor *before* rounding, which ``WRAP_SM`` consults.

Bit manipulations are written as arithmetic on signed values (``~v == -v - 1``; the top
N bits forced by adding a constant), so every constant fits ``int64`` up to 64 bits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .modes import Overflow
from .raw_format import RawFormat


@dataclass(frozen=True)
class OutOfRange:
    """The out-of-range elements of one conversion, as the overflow handler sees them."""

    wrapped: np.ndarray
    high: np.ndarray
    low: np.ndarray
    negative: np.ndarray
    bit_above: np.ndarray | None  # only computed for WRAP_SM


OverflowHandler = Callable[["RawFormat", OutOfRange], np.ndarray]

OVERFLOW_HANDLERS: dict[Overflow, OverflowHandler] = {}


def _handler(mode: Overflow):
    def register(fn: OverflowHandler) -> OverflowHandler:
        OVERFLOW_HANDLERS[mode] = fn
        return fn

    return register


def low_bound(t: RawFormat) -> int:
    """The smallest raw value that is not an underflow: SAT_SYM excludes ``min_raw``
    (the headers saturate to ``min | 1``, which for a 1-bit type is ``min`` itself)."""
    symmetric = t.signed and t.overflow is Overflow.SAT_SYM and t.width > 1
    return t.min_raw + 1 if symmetric else t.min_raw


def wrap(q: np.ndarray, t: RawFormat, out: np.ndarray | None = None) -> np.ndarray:
    """Reduce integers to the W bits of ``t`` (sign-extended for signed types);
    int64 input may be wrapped in place with ``out=q``."""
    w = t.width
    if q.dtype == object:
        half = (1 << (w - 1)) if t.signed else 0
        result = (q + half) % (1 << w) - half
    elif t.signed:
        shift = 64 - w  # shift the sign bit to bit 63 and back: arithmetic sign extension
        result = np.right_shift(np.left_shift(q, shift, out=out), shift, out=out)
    else:
        result = np.bitwise_and(q, (1 << w) - 1, out=out)
    if out is not None and result is not out:
        out[...] = result
        return out
    return result


def _force_top_bits(v: np.ndarray, negative: np.ndarray, t: RawFormat) -> np.ndarray:
    """Keep the low W-N bits of ``v`` and force the top N: for signed types the MSB to
    the sign and the N-1 below it to its complement; for unsigned ones all N to 1."""
    w, n = t.width, t.sat_bits
    kept = v & ((1 << (w - n)) - 1)
    if not t.signed:
        return kept + ((1 << w) - (1 << (w - n)))
    top_if_negative = _like(v, -(1 << (w - 1)))
    top_if_positive = _like(v, (1 << (w - 1)) - (1 << (w - n)))
    return kept + np.where(negative, top_if_negative, top_if_positive)


def _like(v: np.ndarray, value: int) -> np.ndarray:
    """A constant in ``v``'s dtype, so that wide (Python-int) constants stay exact."""
    return np.array(value, dtype=v.dtype)


@_handler(Overflow.WRAP)
def _wrap(t: RawFormat, r: OutOfRange) -> np.ndarray:
    if t.sat_bits == 0:
        return r.wrapped
    return _force_top_bits(r.wrapped, r.negative, t)


@_handler(Overflow.SAT)
def _saturate(t: RawFormat, r: OutOfRange) -> np.ndarray:
    return np.where(r.high, _like(r.wrapped, t.max_raw), _like(r.wrapped, low_bound(t)))


@_handler(Overflow.SAT_SYM)
def _saturate_symmetric(t: RawFormat, r: OutOfRange) -> np.ndarray:
    return _saturate(t, r)  # the symmetry lives in low_bound()


@_handler(Overflow.SAT_ZERO)
def _saturate_to_zero(t: RawFormat, r: OutOfRange) -> np.ndarray:
    return np.zeros_like(r.wrapped)


@_handler(Overflow.WRAP_SM)
def _wrap_sign_magnitude(t: RawFormat, r: OutOfRange) -> np.ndarray:
    v = r.wrapped
    msb = v < 0
    if t.sat_bits == 0:
        return np.where(r.bit_above != msb, ~v, v)
    if t.sat_bits == 1:
        return np.where(r.negative != msb, ~v, v)
    bit_below_forced = ((v >> (t.width - t.sat_bits)) & 1).astype(bool)
    v = np.where(bit_below_forced == r.negative, ~v, v)
    return _force_top_bits(v, r.negative, t)


def settle(q: np.ndarray, floor: np.ndarray | None, t: RawFormat) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply ``t``'s overflow mode to 1-D rounded integers ``q`` (overwritten in place).

    ``floor`` (the pre-rounding floor) is needed for WRAP_SM only. Returns the raw values
    and the high/low overflow masks.
    """
    high = q > t.max_raw
    low = q < low_bound(t)
    out_of_range = high | low
    if not out_of_range.any():
        return q, high, low
    where = np.flatnonzero(out_of_range)
    sub = q[where]
    bit_above = None
    if t.overflow is Overflow.WRAP_SM:
        shift = t.width if floor.dtype == object else min(t.width, 63)
        bit_above = ((floor[where] >> shift) & 1).astype(bool)
    excess = OutOfRange(
        wrapped=wrap(sub, t),
        high=high[where],
        low=low[where],
        negative=sub < 0,
        bit_above=bit_above,
    )
    q[where] = OVERFLOW_HANDLERS[t.overflow](t, excess)
    return q, high, low
