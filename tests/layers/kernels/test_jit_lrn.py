"""The compiled LRN (``layers.kernels.jit_lrn``) against the numpy reference path of
``layers.lrn``: the same raws and the same counts by stage, over all three modes, random
window sizes and internal types (every rounding mode, the overflow modes, narrow types
that overflow), and the libm ``pow`` the C++ calls."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.kernels import jit_lrn
from layers.kernels.lrn_norm import constant_type, default_sum_type, libm_pow
from layers.lrn import LRN
from quant import FixedType, Overflow, Rounding

pytestmark = pytest.mark.skipif(not jit_lrn.available(), reason="numba is not installed or ACCEL_NO_JIT=1")

OVERFLOWS = [Overflow.WRAP, Overflow.SAT, Overflow.SAT_SYM, Overflow.SAT_ZERO]


def a_type(draw, width, integer, signed=True) -> FixedType:
    return FixedType(draw(st.integers(*width)), draw(st.integers(*integer)), signed,
                     draw(st.sampled_from(list(Rounding))), draw(st.sampled_from(OVERFLOWS)))


@st.composite
def layers_and_inputs(draw):
    in_type = FixedType(draw(st.integers(6, 16)), draw(st.integers(1, 6)), draw(st.booleans()))
    layer = LRN(
        "lrn", a_type(draw, (6, 16), (1, 5)), size=draw(st.integers(1, 7)), alpha=draw(st.sampled_from([1e-4, 0.05, 1.0])),
        beta=draw(st.sampled_from([0.75, 0.5, 1.3])), k=draw(st.sampled_from([1.0, 2.0])),
        alpha_convention=draw(st.sampled_from(["pytorch", "tensorflow"])),
        mode=draw(st.sampled_from(["exact", "linear", "pwl"])), segments=draw(st.integers(1, 9)),
        # a narrow sum (forces window overflow) or the exact default
        sum_type=draw(st.sampled_from([None, FixedType(draw(st.integers(8, 20)), draw(st.integers(2, 8)), True,
                                                       Rounding.TRN, draw(st.sampled_from(OVERFLOWS)))])),
        scale_type=a_type(draw, (12, 32), (3, 8)), coef_type=a_type(draw, (10, 24), (1, 3)),
        norm_type=a_type(draw, (10, 24), (1, 3)),
    )
    return layer, in_type, draw(st.integers(0, 2**32 - 1)), draw(st.sampled_from([0.3, 2.0, 10.0]))


@settings(max_examples=15, deadline=None)  # each new mode combination compiles a kernel (~5 s, then cached)
@given(case=layers_and_inputs())
def test_compiled_lrn_equals_the_numpy_path(case) -> None:
    layer, in_type, seed, spread = case
    rng = np.random.default_rng(seed)
    raw = in_type.to_raw(np.clip(rng.normal(0, spread, (3, 6, 4, 5)), in_type.min_value, in_type.max_value))
    sum_t = layer.sum_type or default_sum_type(in_type, layer.size)
    alpha_t = constant_type(layer.alpha_prime)
    try:
        expected = layer._run_group(raw, in_type, sum_t, alpha_t)
    except ValueError:  # u <= 0: both must refuse
        with pytest.raises(ValueError, match="u = k"):
            layer._run_compiled(raw, in_type, sum_t, alpha_t)
        return
    got = layer._run_compiled(raw, in_type, sum_t, alpha_t)
    if got is None:  # the types leave int64 (or d too large): the numpy path runs
        return
    assert got.raw.tolist() == expected.raw.tolist()
    assert got.stats.as_dict() == expected.stats.as_dict()


@pytest.mark.parametrize("mode", ["exact", "linear", "pwl"])
def test_the_shipped_lrn_takes_the_compiled_path_with_reports(mode, rng) -> None:
    in_type = FixedType.parse("ap_fixed<16,4,AP_RND,AP_SAT>")
    layer = LRN("lrn", in_type, mode=mode)
    raw = in_type.to_raw(np.clip(rng.normal(0, 2, (5, 16, 6, 6)), -7, 7))
    got = layer.run_fixed(raw, in_type, {})
    assert got.path == "jit"
    sum_t, alpha_t = default_sum_type(in_type, 5), constant_type(layer.alpha_prime)
    expected = layer._run_group(raw, in_type, sum_t, alpha_t)
    assert got.raw.tolist() == expected.raw.tolist()
    assert got.stats.as_dict() == expected.stats.as_dict()
    assert got.extra.keys() == expected.extra.keys()
    for key in got.extra:
        assert got.extra[key] == pytest.approx(expected.extra[key], rel=1e-12, abs=1e-15)


def test_pow_is_the_c_librarys() -> None:
    """The reference calls libm's pow, the function the C++ calls (math.pow is it)."""
    u = np.random.default_rng(1).uniform(2, 3, 2000)
    assert libm_pow(u, -0.75).tolist() == [math.pow(v, -0.75) for v in u]
