"""double → ap_fixed and ap_fixed → ap_fixed, bit for bit against the real headers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from quant import FixedType, Overflow, Rounding
from tests.oracle.ap_oracle import Program, cpp_type, encode
from tests.oracle.inputs import doubles_for, raws_for

# (overflow, N) variants: WRAP with saturation bits, WRAP_SM (signed only), the SATs
OVERFLOWS = [
    (Overflow.WRAP, 0), (Overflow.WRAP, 1), (Overflow.WRAP, 3),
    (Overflow.WRAP_SM, 0), (Overflow.WRAP_SM, 1), (Overflow.WRAP_SM, 3),
    (Overflow.SAT, 0), (Overflow.SAT_ZERO, 0), (Overflow.SAT_SYM, 0),
]


def every_mode(width: int, integer: int, signed: bool) -> list[FixedType]:
    return [
        FixedType(width, integer, signed, q, o, min(n, width))
        for q, (o, n) in itertools.product(Rounding, OVERFLOWS)
        if signed or o is not Overflow.WRAP_SM
    ]


# every rounding x overflow mode, signed and unsigned, on shapes with I < 0, I > W, W = 1
MODE_GRID = [
    t
    for shape in [(8, 3), (5, -2), (6, 9), (16, 4), (4, 0)]
    for signed in (True, False)
    for t in every_mode(*shape, signed)
] + [t for t in every_mode(1, 1, True)] + [t for t in every_mode(3, 3, False)]

# a grid of widths and integer bits (1..64 signed, 1..63 unsigned) in two mode pairs
WIDTH_GRID = [
    FixedType(w, i, s, q, o)
    for w in (1, 2, 7, 16, 31, 32, 33, 53, 54, 63, 64)
    for i in sorted({-3, 1, w // 2, w + 4})
    for s in (True, False)
    for q, o in ((Rounding.TRN, Overflow.WRAP), (Rounding.RND_CONV, Overflow.SAT_SYM))
    if s or w <= 63
]
WIDE = [FixedType(70, 20), FixedType(100, 40, True, Rounding.RND, Overflow.SAT), FixedType(90, -5, False, Rounding.RND_INF, Overflow.WRAP, 2)]
DOUBLE_TYPES = MODE_GRID + WIDTH_GRID + WIDE

CAST_SOURCES = [FixedType(16, 4), FixedType(32, 8), FixedType(12, 2, False), FixedType(20, 20), FixedType(64, 30), FixedType(70, 21)]
CAST_TARGETS = every_mode(8, 3, True) + every_mode(8, 3, False) + [
    FixedType(6, -1, True, Rounding.RND, Overflow.SAT), FixedType(10, 14, True, Rounding.RND_CONV, Overflow.WRAP, 2),
    FixedType(40, 12, True, Rounding.RND_ZERO, Overflow.SAT_SYM), FixedType(63, 40, False, Rounding.RND_MIN_INF, Overflow.SAT),
    FixedType(80, 30, True, Rounding.RND_INF, Overflow.WRAP_SM, 2),
]


def header_asserts(s: FixedType, t: FixedType) -> bool:
    """The headers read the first dropped bit even when it lies above the source MSB
    (``F2 - F - 1 >= W2``) and abort C-sim with an assertion; built with NDEBUG (and in
    synthesis) they ignore that bit, which is what quant computes (test below)."""
    return s.frac - t.frac - 1 >= s.width and t.rounding is not Rounding.TRN


CASTS = [(s, t) for s in CAST_SOURCES for t in CAST_TARGETS if not header_asserts(s, t)]


@pytest.fixture(scope="module")
def program() -> Program:
    cases = [f"from_double<{cpp_type(t)}>" for t in DOUBLE_TYPES]
    cases += [f"cast<{cpp_type(s)}, {cpp_type(t)}>" for s, t in CASTS]
    return Program(cases)


def assert_same(ours: np.ndarray, theirs: np.ndarray, inputs, what: str) -> None:
    ours_l, theirs_l = np.asarray(ours).tolist(), np.asarray(theirs).tolist()
    bad = [i for i, (a, b) in enumerate(zip(ours_l, theirs_l)) if a != b]
    assert len(ours_l) == len(theirs_l)
    detail = "; ".join(f"in={inputs[i]!r} ours={ours_l[i]} C++={theirs_l[i]}" for i in bad[:5])
    assert not bad, f"{what}: {len(bad)} of {len(ours_l)} mismatches: {detail}"


def test_double_to_fixed_matches_headers(program: Program, rng) -> None:
    inputs = {t: doubles_for(t, rng) for t in DOUBLE_TYPES}
    requests = [(f"from_double<{cpp_type(t)}>", len(x), x.view(np.uint64)) for t, x in inputs.items()]
    for (t, x), result in zip(inputs.items(), program.run(requests)):
        assert (result.type.width, result.type.integer, result.type.signed) == (t.width, t.integer, t.signed)
        assert_same(t.to_raw(x), result.raw, x.tolist(), f"double -> {t}")


def test_fixed_to_fixed_matches_headers(program: Program, rng) -> None:
    inputs = {s: raws_for(s, rng) for s in CAST_SOURCES}
    requests = [(f"cast<{cpp_type(s)}, {cpp_type(t)}>", len(inputs[s]), encode(inputs[s], s)) for s, t in CASTS]
    for (s, t), result in zip(CASTS, program.run(requests)):
        x = inputs[s]
        assert_same(t.cast(x, s), result.raw, x.tolist(), f"{s} -> {t}")


def test_grid_covers_what_the_issue_asks() -> None:
    """Guard against the grid silently shrinking: every mode pair, both signs, N > 0,
    negative integer bits and integer > width are all present."""
    seen = {(t.rounding, t.overflow, t.signed) for t in MODE_GRID}
    assert len(seen) == 7 * 5 + 7 * 4
    assert any(t.integer < 0 for t in DOUBLE_TYPES) and any(t.integer > t.width for t in DOUBLE_TYPES)
    assert {t.width for t in WIDTH_GRID if t.signed} >= {1, 64} and max(t.width for t in WIDTH_GRID if not t.signed) == 63
    assert any(t.sat_bits for t in MODE_GRID if not t.signed)


def test_cast_that_asserts_in_the_headers_rounds_by_value() -> None:
    # 3.99 in ap_ufixed<12,2> is 0.249 units of a 16-valued LSB: every mode rounds it to 0,
    # and 8.0 (0.5 units) is a tie: RND goes up, RND_CONV to the even 0.
    src, value = FixedType(12, 2, False), [int(3.99 * 1024), 0]
    dst = FixedType(10, 14, True, Rounding.RND_CONV)
    assert header_asserts(src, dst)
    assert dst.cast(value, src).tolist() == [0, 0]
    wide = FixedType(16, 10, False)
    assert FixedType(4, 8, True, Rounding.RND).cast([8 * 64, 7 * 64], wide).tolist() == [1, 0]
    assert FixedType(4, 8, True, Rounding.RND_CONV).cast([8 * 64, 24 * 64], wide).tolist() == [0, 2]
