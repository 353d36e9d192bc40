"""FixedType: parsing, canonical text, range, validation and error messages."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from quant import FixedType, Overflow, Rounding


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ap_fixed<16,4>", FixedType(16, 4)),
        (" ap_fixed< 16 , 4 , AP_RND , AP_SAT > ", FixedType(16, 4, True, Rounding.RND, Overflow.SAT)),
        ("ap_ufixed<8,0,AP_RND_CONV,AP_WRAP,2>", FixedType(8, 0, False, Rounding.RND_CONV, Overflow.WRAP, 2)),
        ("ap_fixed<8,-3,RND_ZERO,SAT_SYM>", FixedType(8, -3, True, "RND_ZERO", "SAT_SYM")),
        ("ap_int<12>", FixedType(12, 12)),
        ("ap_uint<7>", FixedType(7, 7, False)),
        ("fixed<18,8>", FixedType(18, 8)),
        ("ufixed<10,20>", FixedType(10, 20, False)),
        ("ap_fixed<16,4,AP_TRN>", FixedType(16, 4)),
    ],
)
def test_parse_accepts_vitis_and_hls4ml_spellings(text, expected) -> None:
    assert FixedType.parse(text) == expected


def test_str_is_canonical_and_parses_back() -> None:
    assert str(FixedType(16, 4)) == "ap_fixed<16,4>"
    assert str(FixedType(16, 4, rounding="RND")) == "ap_fixed<16,4,AP_RND>"
    assert str(FixedType(16, 4, overflow="SAT")) == "ap_fixed<16,4,AP_TRN,AP_SAT>"
    assert str(FixedType(8, 2, False, "RND_INF", "WRAP", 3)) == "ap_ufixed<8,2,AP_RND_INF,AP_WRAP,3>"
    for q, o, n, s in itertools.product(Rounding, Overflow, (0, 2), (True, False)):
        if s or o is not Overflow.WRAP_SM:
            t = FixedType(9, -2, s, q, o, n)
            assert FixedType.parse(str(t)) == t


def test_types_are_frozen_and_hashable() -> None:
    t = FixedType(16, 4)
    assert {t: 1}[FixedType.parse("ap_fixed<16,4,AP_TRN,AP_WRAP,0>")] == 1
    with pytest.raises(AttributeError):
        t.width = 8  # type: ignore[misc]
    assert t.with_modes(rounding="RND") == FixedType(16, 4, rounding=Rounding.RND)


def test_range_properties() -> None:
    t = FixedType(16, 4)
    assert (t.frac, t.lsb, t.min_raw, t.max_raw) == (12, 2.0**-12, -32768, 32767)
    assert (t.min_value, t.max_value) == (-8.0, 8.0 - 2.0**-12)
    u = FixedType(8, 10, False)
    assert (u.frac, u.lsb, u.min_value, u.max_value) == (-2, 4.0, 0.0, 1020.0)
    assert FixedType(64, 10).is_native and not FixedType(64, 10, False).is_native
    assert FixedType(65, 10).raw_dtype == np.dtype(object)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("ap_fixed<16>", "needs 2 to 5 parameters"),
        ("ap_fixed<16,4,AP_RND,AP_SAT,1,9>", "needs 2 to 5 parameters"),
        ("ap_fixed<x,4>", "width 'x'"),
        ("ap_fixed<16,4.5>", "integer bits '4.5'"),
        ("ap_fixed<16,4,AP_ROUND>", "unknown rounding mode 'AP_ROUND'"),
        ("ap_fixed<16,4,AP_RND,AP_CLAMP>", "unknown overflow mode 'AP_CLAMP'"),
        ("ap_fixed<0,0>", "width 0 is out of range"),
        ("ap_fixed<2000,4>", "width 2000 is out of range"),
        ("ap_fixed<8,4,AP_TRN,AP_WRAP,9>", "sat_bits (N) 9"),
        ("ap_ufixed<8,4,AP_TRN,AP_WRAP_SM>", "AP_WRAP_SM is not defined for unsigned"),
        ("float", "cannot read fixed-point type 'float'"),
        ("ap_fixed<16,4", "cannot read fixed-point type"),
    ],
)
def test_bad_type_text_names_the_problem_and_shows_an_example(text, fragment) -> None:
    with pytest.raises(ValueError) as err:
        FixedType.parse(text)
    message = str(err.value)
    assert fragment in message
    assert "fixed<" in message  # a valid example or the offending text


@pytest.mark.parametrize("bad", [[1.0, float("nan")], [float("inf")], np.array([0.5, -np.inf])])
def test_nan_and_inf_are_refused_with_their_position(bad) -> None:
    with pytest.raises(ValueError, match=r"(nan|inf).*element \d+.*NaN and ±inf"):
        FixedType(16, 4).to_raw(bad)


@pytest.mark.parametrize("bad", [["a"], "1.5", [1 + 2j], [None]])
def test_non_numeric_input_is_refused(bad) -> None:
    with pytest.raises(ValueError, match="cannot convert"):
        FixedType(16, 4).to_raw(bad)


def test_bad_constructor_arguments() -> None:
    with pytest.raises(ValueError, match="width must be an integer"):
        FixedType(16.0, 4)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown rounding mode"):
        FixedType(16, 4, rounding="nearest")
    with pytest.raises(ValueError, match="raw values of ap_fixed<16,4> must be integers"):
        FixedType(8, 3).cast(np.array([0.5]), FixedType(16, 4))


def test_integers_convert_exactly_not_through_double() -> None:
    big = np.array([2**62 + 1, -(2**62) - 3], dtype=np.int64)  # not representable as doubles
    t = FixedType(64, 64)
    assert t.to_raw(big).tolist() == big.tolist()
    assert FixedType(8, 8).to_raw(np.array([300], dtype=np.int64)).tolist() == [300 - 256]
    assert FixedType(8, 8, False).to_raw(np.array([2**64 - 1], dtype=np.uint64)).tolist() == [255]


def test_from_raw_refuses_raws_outside_the_type() -> None:
    t = FixedType.parse("ap_fixed<8,3>")
    assert t.from_raw(np.array([-128, 127])).tolist() == [-4.0, 3.96875]
    for bad in ([128], [-129], [0, 300]):
        with pytest.raises(ValueError, match=r"raw values of ap_fixed<8,3> lie in \[-128, 127\]"):
            t.from_raw(np.array(bad))
    with pytest.raises(ValueError, match="lie in"):
        FixedType.parse("ap_ufixed<4,4>").from_raw(np.array([-1]))
