"""Property tests: what the oracle grid does not say.

The oracle checks a grid of types; these search the whole type space at random for the
properties the grid relies on: the fast numpy paths agree bit for bit with the exact
Python-int path, the overflow counts are right, saturation is monotone, rounding stays
within its error bound, and chunking never changes a result.
"""

from __future__ import annotations

from fractions import Fraction
from math import floor

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from quant import FixedType, Overflow, OverflowStats, Rounding
from quant import convert, exact


@st.composite
def fixed_types(draw, max_width: int = 64) -> FixedType:
    signed = draw(st.booleans())
    width = draw(st.integers(1, max_width if signed else max_width - 1))
    integer = draw(st.integers(-10, width + 10))
    overflow = draw(st.sampled_from([o for o in Overflow if signed or o is not Overflow.WRAP_SM]))
    sat_bits = draw(st.integers(0, min(width, 4))) if overflow in (Overflow.WRAP, Overflow.WRAP_SM) else 0
    return FixedType(width, integer, signed, draw(st.sampled_from(list(Rounding))), overflow, sat_bits)


@st.composite
def doubles_near(draw, t: FixedType) -> np.ndarray:
    """Doubles anywhere, and doubles within a few ranges (and half-LSB ties) of ``t``."""
    anywhere = st.floats(allow_nan=False, allow_infinity=False)
    in_lsbs = st.integers(-(2 ** min(t.width + 2, 70)), 2 ** min(t.width + 2, 70)).map(lambda k: k / 2)
    near = in_lsbs.map(lambda v: float(np.ldexp(v, -t.frac)))
    return np.array(draw(st.lists(st.one_of(anywhere, near), min_size=1, max_size=40)), dtype=np.float64)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_fast_float_path_equals_exact_path(data) -> None:
    t = data.draw(fixed_types())
    x = data.draw(doubles_near(t))
    fast_stats, exact_stats = OverflowStats(), OverflowStats()
    fast = t.to_raw(x, fast_stats)
    reference = exact.quantize_floats(x, t, exact_stats)
    assert fast.tolist() == reference.tolist()
    assert fast_stats == exact_stats


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_fast_cast_path_equals_exact_path(data) -> None:
    src, dst = data.draw(fixed_types()), data.draw(fixed_types())
    raws = data.draw(st.lists(st.integers(src.min_raw, src.max_raw), min_size=1, max_size=40))
    raw = np.array(raws, dtype=np.int64)
    fast_stats, exact_stats = OverflowStats(), OverflowStats()
    fast = dst.cast(raw, src, fast_stats)
    reference = exact.quantize_dyadic(raws, src.frac, dst, exact_stats)
    assert fast.tolist() == reference.tolist()
    assert fast_stats == exact_stats


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_stats_count_out_of_range_and_inexact_values(data) -> None:
    t = data.draw(fixed_types(max_width=40)).with_modes(rounding="TRN", overflow="SAT", sat_bits=0)
    x = data.draw(doubles_near(t))
    stats = OverflowStats()
    t.to_raw(x, stats)
    scaled = [Fraction(v) * Fraction(2) ** t.frac for v in x.tolist()]  # exact, by Fraction
    assert stats.elements == len(x)
    assert stats.overflow_high == sum(floor(s) > t.max_raw for s in scaled)
    assert stats.overflow_low == sum(floor(s) < t.min_raw for s in scaled)
    assert stats.rounded == sum(s.denominator != 1 for s in scaled)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_saturation_is_monotone(data) -> None:
    t = data.draw(fixed_types()).with_modes(overflow=data.draw(st.sampled_from([Overflow.SAT, Overflow.SAT_SYM])), sat_bits=0)
    x = np.sort(data.draw(doubles_near(t)))
    raw = t.to_raw(x)
    assert all(a <= b for a, b in zip(raw.tolist(), raw.tolist()[1:]))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_rounding_error_is_bounded_in_range(data) -> None:
    t = data.draw(fixed_types(max_width=50)).with_modes(overflow="SAT", sat_bits=0)
    x = data.draw(doubles_near(t))
    x = x[(x >= t.min_value) & (x <= t.max_value)]
    error = [Fraction(float(q)) - Fraction(float(v)) for q, v in zip(t.quantize(x), x)]
    lsb = Fraction(2) ** -t.frac
    for e in error:
        if t.rounding is Rounding.TRN:
            assert -lsb < e <= 0
        elif t.rounding is Rounding.TRN_ZERO:
            assert abs(e) < lsb
        else:
            assert abs(e) <= lsb / 2


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_representable_values_survive_every_mode(data) -> None:
    t = data.draw(fixed_types(max_width=52))
    raw = np.array(data.draw(st.lists(st.integers(t.min_raw, t.max_raw), min_size=1, max_size=30)), dtype=np.int64)
    if t.overflow is Overflow.SAT_SYM and t.signed and t.width > 1:
        raw = raw[raw != t.min_raw]  # SAT_SYM treats the minimum itself as an overflow
    assert t.to_raw(t.from_raw(raw)).tolist() == raw.tolist()
    assert t.cast(raw, t).tolist() == raw.tolist()


def test_chunking_never_changes_a_result(rng) -> None:
    t = FixedType(12, 3, True, Rounding.RND_CONV, Overflow.WRAP_SM, 2)
    x = rng.normal(0, 8, convert.CHUNK * 2 + 17)
    x[convert.CHUNK - 1: convert.CHUNK + 1] = [1e30, -3.5]  # the slow path right at a chunk edge
    whole = t.to_raw(x)
    picks = np.concatenate([rng.integers(0, x.size, 300), [convert.CHUNK - 1, convert.CHUNK, x.size - 1]])
    assert [int(whole[i]) for i in picks] == [int(exact.quantize_floats(x[i:i + 1], t)[0]) for i in picks]
    src = FixedType(32, 8)
    raw = src.to_raw(x / 4)
    assert t.cast(raw, src)[picks].tolist() == exact.quantize_dyadic(raw[picks].tolist(), src.frac, t).tolist()
