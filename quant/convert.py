"""Fast conversions: float64 → raw, raw → raw, raw → float64, vectorized in numpy.

Both fast paths follow the same three steps as ``ap_fixed_base``'s constructor and
assignment operator:

1. express the source in units of the target LSB and take the floor, keeping what the
   rounding rule needs (the first dropped bit, whether any bit below it is set);
2. add the rounding increment (``rounding.ROUNDING_RULES``);
3. settle overflow (``overflow.settle`` and its handler table).

Why it is fast: for float input, ``x * 2**F`` is exact (a power-of-two scale), its floor
and fraction are exact, and so every decision is made in float64 and int64 arithmetic
with no per-element Python. Work is done in chunks that stay in the CPU cache, so each
of the few passes costs cache bandwidth, not memory bandwidth. Elements the int64
arithmetic cannot hold (``|x * 2**F| >= 2**62``, or types wider than 64 bits) go to the
exact path (``quant.exact``), which agrees bit for bit.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import exact
from .modes import Overflow, Rounding
from .overflow import low_bound, settle, wrap
from .raw_format import RawFormat
from .rounding import increment
from .stats import OverflowStats


CHUNK = 1 << 18  # elements per chunk: 2 MiB of float64, cache-resident
_FAST_LIMIT = 2.0**62  # |q| below this keeps q, q + 1 and q << 1 inside int64


# ---------------------------------------------------------------- float64 → raw
def float_to_raw(x, t: RawFormat, stats: OverflowStats | None = None) -> np.ndarray:
    """Raw values of ``t`` for ``x``, exactly as ``T v = (double)x`` in C++."""
    arr = _as_numeric_array(x, t)
    if arr.dtype.kind in "iub":
        return _integers_to_raw(arr, t, stats)
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not t.is_native:
        _require_finite(arr, t)
        return exact.quantize_floats(arr.reshape(-1), t, stats).reshape(arr.shape)
    out = np.empty(arr.shape, dtype=np.int64)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    # two float64 work buffers reused by every chunk: fresh ones would cost page faults
    scratch = np.empty((2, min(CHUNK, flat_in.size)))
    for start in range(0, flat_in.size, CHUNK):
        stop = min(start + CHUNK, flat_in.size)
        y, floor = scratch[0, : stop - start], scratch[1, : stop - start]
        _floats_chunk(flat_in[start:stop], flat_out[start:stop], y, floor, t, stats, start)
    return out


def _floats_chunk(x: np.ndarray, out: np.ndarray, y: np.ndarray, floor: np.ndarray, t: RawFormat,
                  stats: OverflowStats | None, offset: int) -> None:
    _scale(x, t.frac, out=y)
    exact_idx = _needs_exact_path(x, y, t, offset)
    if exact_idx is not None:
        y[exact_idx] = 0.0  # placeholder; overwritten by the exact result below
    if t.rounding is Rounding.TRN and stats is None:
        floor = q = np.floor(y, out=y)  # y is not needed again: floor in place, in cache
        rounded = None
    elif t.rounding is Rounding.TRN:
        q = np.floor(y, out=floor)
        rounded = y != floor
    else:
        np.floor(y, out=floor)
        # Compare y with floor + 1/2 instead of forming y - floor: for a small negative y
        # that difference rounds (1 - 0.49999999999999994 is 0.5 in float64) and a value
        # just above a tie would look like one. floor + 1/2 is exact while |floor| < 2**52;
        # beyond, y has no fraction bits, equals its floor, and rounds nowhere.
        whole = y == floor
        mid = floor + 0.5
        half = (y >= mid) & ~whole
        rest = (y != mid) & ~whole
        odd = np.fmod(floor, 2.0) != 0.0 if t.rounding is Rounding.RND_CONV else None
        q = floor + increment(t.rounding, half, rest, floor < 0.0, odd)
        rounded = (half | rest) if stats is not None else None
    np.copyto(out, q, casting="unsafe")  # integer-valued and < 2**62: exact
    floor_int = floor.astype(np.int64) if t.overflow is Overflow.WRAP_SM else None
    _settle_into(out, floor_int, t, stats, rounded)
    if exact_idx is not None:
        if stats is not None:
            stats.elements -= exact_idx.size  # counted again, exactly, below
        out[exact_idx] = exact.quantize_floats(x[exact_idx], t, stats)


def _scale(x: np.ndarray, frac: int, out: np.ndarray) -> np.ndarray:
    """``x * 2**frac`` into ``out``; exact except for float64 over/underflow."""
    with np.errstate(over="ignore"):  # an overflow to inf sends the element to the exact path
        if -1022 <= frac <= 1023:
            return np.multiply(x, float(2.0**frac), out=out)
        return np.ldexp(x, frac, out=out)


def _needs_exact_path(x: np.ndarray, y: np.ndarray, t: RawFormat, offset: int) -> np.ndarray | None:
    """Indices the int64 arithmetic cannot take, or None (the usual case, checked cheaply)."""
    lowest, highest = (y.min(), y.max()) if y.size else (0.0, 0.0)
    tiny_possible = t.frac < 0  # a nonzero x may scale to 0.0 and lose its sign
    if -_FAST_LIMIT < lowest and highest < _FAST_LIMIT and not tiny_possible:
        return None
    bad = ~(np.abs(y) < _FAST_LIMIT)  # NaN and inf land here too
    if tiny_possible:
        bad |= (y == 0.0) & (x != 0.0)
    if not bad.any():
        return None
    idx = np.flatnonzero(bad)
    _require_finite(x, t, offset)
    return idx


# ---------------------------------------------------------------- raw → raw
def raw_to_raw(raw, src: RawFormat, dst: RawFormat, stats: OverflowStats | None = None) -> np.ndarray:
    """Raw values of ``dst`` for raw values of ``src`` (``T v = src_value`` in C++)."""
    arr = np.asarray(raw)
    if arr.dtype.kind not in "iuO" and arr.size:
        raise ValueError(
            f"raw values of {src} must be integers, got dtype {arr.dtype} "
            f"(use to_raw() to convert real numbers)"
        )
    shift = src.frac - dst.frac  # bits dropped (> 0) or appended (< 0)
    if not (dst.is_native and -62 <= shift <= 62):
        flat = arr.reshape(-1)
        return exact.quantize_dyadic(flat.tolist(), src.frac, dst, stats).reshape(arr.shape)
    if not src.is_native:
        # a wide type (e.g. the exact result of a long chain of + and *) whose values may
        # still fit int64: then the int64 path computes the same bits, much faster
        narrowed = _as_int64(arr)
        if narrowed is None:
            return exact.quantize_dyadic(arr.reshape(-1).tolist(), src.frac, dst, stats).reshape(arr.shape)
        arr = narrowed
    arr = np.ascontiguousarray(arr, dtype=np.int64)
    out = np.empty(arr.shape, dtype=np.int64)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for start in range(0, flat_in.size, CHUNK):
        stop = start + CHUNK
        _raws_chunk(flat_in[start:stop], flat_out[start:stop], src, dst, shift, stats)
    return out


def _as_int64(arr: np.ndarray) -> np.ndarray | None:
    """``arr`` as int64 when every value fits, else None. (Shifting right only shrinks
    values; shifting left guards each value on its own, so any int64 value is safe.)"""
    if arr.dtype.kind in "iu" and arr.dtype != np.uint64:
        return arr.astype(np.int64, copy=False)
    flat = arr.reshape(-1).tolist()
    if flat and not (min(flat) >= -(1 << 63) and max(flat) < (1 << 63)):
        return None
    return np.array(flat, dtype=np.int64).reshape(arr.shape)


def _raws_chunk(raw, out, src: RawFormat, dst: RawFormat, shift: int, stats) -> None:
    rounded = None
    exact_idx = None
    if shift > 0:
        np.right_shift(raw, shift, out=out)  # the floor
        floor = out.copy() if dst.overflow is Overflow.WRAP_SM else None
        if dst.rounding is not Rounding.TRN or stats is not None:
            dropped = raw & ((1 << shift) - 1)
            half = dropped >= (1 << (shift - 1))
            rest = (dropped & ((1 << (shift - 1)) - 1)) != 0
            rounded = half | rest
            odd = (out & 1).astype(bool) if dst.rounding is Rounding.RND_CONV else None
            inc = increment(dst.rounding, half, rest, raw < 0, odd)
            if inc is not None:
                out += inc
    else:
        if src.width - shift > 63:  # appended zeros may push a raw past int64
            exact_idx = np.flatnonzero(np.abs(raw) >= (1 << (62 + shift)))
            exact_idx = exact_idx if exact_idx.size else None
        np.left_shift(raw, -shift, out=out)
        if exact_idx is not None:
            out[exact_idx] = 0
        floor = out.copy() if dst.overflow is Overflow.WRAP_SM else None
    _settle_into(out, floor, dst, stats, rounded)
    if exact_idx is not None:
        if stats is not None:
            stats.elements -= exact_idx.size
        out[exact_idx] = exact.quantize_dyadic(raw[exact_idx].tolist(), src.frac, dst, stats)


# ---------------------------------------------------------------- shared last step
def _settle_into(q: np.ndarray, floor, t: RawFormat, stats, rounded) -> None:
    """Overflow handling of rounded int64 values, in place."""
    if stats is None:
        if t.overflow is Overflow.WRAP and t.sat_bits == 0:
            wrap(q, t, out=q)
            return
        if t.overflow in (Overflow.SAT, Overflow.SAT_SYM):
            np.clip(q, low_bound(t), t.max_raw, out=q)
            return
    _, high, low = settle(q, floor, t)
    if stats is not None:
        stats.record(q.size, high, low, rounded)


# ---------------------------------------------------------------- raw → float64
def raw_to_float(raw, t: RawFormat) -> np.ndarray:
    """float64 values of raw integers (exact whenever the value fits a double)."""
    arr = np.asarray(raw)
    if arr.dtype == object:
        return exact.raw_to_float(arr, t)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"raw values of {t} must be integers, got dtype {arr.dtype}")
    return np.ldexp(arr.astype(np.float64), -t.frac)


# ---------------------------------------------------------------- input checks
def _as_numeric_array(x, t: RawFormat) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as err:
        raise ValueError(f"cannot convert {x!r} to {t}: {err}") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            f"cannot convert {_preview(arr)} to {t}: expected real numbers "
            f"(float or int), got dtype {arr.dtype}; e.g. to_raw([0.5, -1.25])"
        )
    return arr


def _integers_to_raw(arr: np.ndarray, t: RawFormat, stats) -> np.ndarray:
    """Integers convert exactly (as C++ assigns a ``long``), never through a double."""
    if arr.dtype.kind == "u" and arr.dtype.itemsize == 8:
        return raw_to_raw(arr.astype(object), _integer_type(t, signed=False), t, stats)
    return raw_to_raw(arr.astype(np.int64), _integer_type(t, signed=True), t, stats)


def _integer_type(t: RawFormat, signed: bool) -> RawFormat:
    """A 64-bit C++ integer (``long`` or ``unsigned long``) as a fixed-point type: ``t`` with
    new fields (``dataclasses.replace``), so that this module never names ``FixedType``."""
    return replace(t, width=64, integer=64, signed=signed, rounding=Rounding.TRN, overflow=Overflow.WRAP,
                   sat_bits=0)


def _require_finite(x: np.ndarray, t: RawFormat, offset: int = 0) -> None:
    finite = np.isfinite(x)
    if not finite.all():
        i = int(np.flatnonzero(~finite.reshape(-1))[0])
        raise ValueError(
            f"cannot convert {float(x.reshape(-1)[i])!r} (element {offset + i}) to {t}: NaN and ±inf have "
            f"no ap_fixed value; clean the input first (e.g. np.nan_to_num)"
        )


def _preview(arr: np.ndarray) -> str:
    items = arr.reshape(-1)[:3].tolist()
    return repr(items[0]) if arr.size == 1 else f"{items!r}{'...' if arr.size > 3 else ''}"
