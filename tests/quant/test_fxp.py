"""fxpmath interop: the documented mode mapping really gives the same bits."""

from __future__ import annotations

import numpy as np
import pytest
from fxpmath import Fxp

from quant import FixedType, Overflow, Rounding
from quant.fxp import from_fxp, fxpmath_modes, to_fxp

SHAPES = [(16, 4, True), (8, 3, False), (8, -2, True), (6, 9, True), (32, 8, True)]


@pytest.mark.parametrize("rounding", list(Rounding))
@pytest.mark.parametrize("overflow", [Overflow.WRAP, Overflow.SAT])
def test_fxpmath_with_mapped_modes_quantizes_like_quant(rounding, overflow, rng) -> None:
    for width, integer, signed in SHAPES:
        t = FixedType(width, integer, signed, rounding, overflow)
        ties = (rng.integers(-200, 200, 100) + 0.5) * t.lsb
        x = np.concatenate([rng.normal(0, 2.0 ** (integer - 1), 300), ties, [t.max_value * 3, t.min_value * 3 - 1]])
        fxp_round, fxp_overflow = fxpmath_modes(t)
        theirs = Fxp(x, signed=signed, n_word=width, n_frac=t.frac, rounding=fxp_round, overflow=fxp_overflow)
        assert t.to_raw(x).tolist() == np.asarray(theirs.val).astype(np.int64).tolist(), str(t)


def test_fxpmath_defaults_are_not_vitis_defaults() -> None:
    # the reason the mapping is explicit: fxpmath's defaults truncate toward zero and saturate
    t = FixedType(8, 3)  # AP_TRN, AP_WRAP
    x = np.array([-0.01, 5.0])
    default = Fxp(x, signed=True, n_word=8, n_frac=5)
    assert np.asarray(default.val).tolist() == [0, 127]
    assert t.to_raw(x).tolist() == [-1, -96]  # floor(-0.32) = -1; 160 wraps to 160 - 256


def test_round_trip_keeps_bits_and_type(rng) -> None:
    for width, integer, signed in SHAPES:
        t = FixedType(width, integer, signed, Rounding.RND_CONV, Overflow.SAT)
        raw = t.to_raw(rng.normal(0, 2.0 ** (integer - 1), 50))
        fxp = to_fxp(raw, t)
        back_raw, back_t = from_fxp(fxp)
        assert back_t == t and back_raw.tolist() == raw.tolist()
        assert np.array_equal(fxp.get_val(), t.from_raw(raw))


@pytest.mark.parametrize("text", ["ap_fixed<8,3,AP_TRN,AP_SAT_SYM>", "ap_fixed<8,3,AP_TRN,AP_SAT_ZERO>",
                                  "ap_fixed<8,3,AP_TRN,AP_WRAP_SM>", "ap_fixed<8,3,AP_TRN,AP_WRAP,2>"])
def test_modes_fxpmath_lacks_are_refused(text) -> None:
    with pytest.raises(ValueError, match="fxpmath cannot express"):
        to_fxp([1], FixedType.parse(text))


def test_fxpmath_ceil_is_refused() -> None:
    with pytest.raises(ValueError, match="'ceil' has no ap_fixed equivalent"):
        from_fxp(Fxp(0.5, signed=True, n_word=8, n_frac=4, rounding="ceil"))
