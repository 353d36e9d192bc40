"""The compiled MAC kernels (``layers.kernels.jit_mac``) against the numpy loop-order reference:
the same raws and the same counts by stage, over random nests, tilings, types, every
rounding mode and the overflow modes a datapath uses, with overflow forced."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.kernels import jit_mac, trailing_zeros
from layers.core.loop_nest import LoopNest
from layers.kernels.mac import _sum_in_order, multiply_accumulate
from layers.kernels.mac_operands import Schedule
from layers.core.types import LayerTypes, StageStats
from quant import FixedType, Overflow, Rounding

pytestmark = pytest.mark.skipif(not jit_mac.jit_loop.available(), reason="numba is not installed or ACCEL_NO_JIT=1")

OVERFLOWS = [Overflow.WRAP, Overflow.SAT, Overflow.SAT_SYM, Overflow.SAT_ZERO]


@st.composite
def datapaths(draw):
    """A layer's types as hls4ml and hand-written HLS have them: narrow operands, a
    product cast (or none), a narrow or wide accumulator, partial sums between tiles."""
    data = FixedType(draw(st.integers(6, 16)), draw(st.integers(1, 6)), draw(st.booleans()))
    weight = FixedType(draw(st.integers(4, 16)), draw(st.integers(1, 4)))
    accum = FixedType(draw(st.integers(10, 40)), draw(st.integers(3, 14)), draw(st.sampled_from([True, True, False])),
                      draw(st.sampled_from(list(Rounding))),
                      draw(st.sampled_from(OVERFLOWS)))
    product = draw(st.sampled_from(["accum", "full", FixedType(14, 5, draw(st.booleans()), draw(st.sampled_from(list(Rounding))),
                                                               draw(st.sampled_from(OVERFLOWS)))]))
    partial = draw(st.sampled_from(["accum", FixedType(max(accum.width - 3, 4), accum.integer, True,
                                                       Rounding.RND, Overflow.SAT)]))
    return LayerTypes(input=data, weight=weight, bias=FixedType(12, 5), accum=accum,
                      result=FixedType(12, 4, True, Rounding.RND, Overflow.SAT), product=product, partial=partial)


@settings(max_examples=30, deadline=None)  # each new mode combination compiles a kernel (once; cached)
@given(types=datapaths(), seed=st.integers(0, 2**32 - 1), order=st.permutations(["n", "i", "j"]),
       tn=st.integers(1, 5), scale=st.sampled_from([0.05, 0.5, 3.0]), checked=st.booleans(), bounded=st.booleans())
def test_compiled_kernel_equals_the_numpy_loop(types, seed, order, tn, scale, checked, bounded) -> None:
    if not jit_mac.supports(types):
        return
    rng = np.random.default_rng(seed)
    nest = LoopNest.build({"n": 5, "i": 2, "j": 3}, order=order, tiles={"n": tn}, reduction=("n", "i", "j"))
    schedule = Schedule(*nest.reduction_schedule())
    x = types.input.to_raw(np.clip(rng.normal(0.3, scale * 4, (37, 30)), types.input.min_value, types.input.max_value))
    x[rng.random(x.shape) < 0.3] = 0  # as after a ReLU: the kernel skips zero inputs
    w = types.weight.to_raw(np.clip(rng.normal(0, scale, (30, 7)), types.weight.min_value, types.weight.max_value))
    acc0 = types.accum.cast(types.bias.to_raw(rng.normal(0, 2, 7).clip(-15, 15)), types.bias)
    rows, cols = np.nonzero(np.ones((37, 7), bool))
    reference, compiled = StageStats(), StageStats()
    expected = _sum_in_order(x, w, acc0, rows, cols, types, schedule, reference).reshape(37, 7)
    if not checked and reference.accumulation.overflows and types.accum.overflow is not Overflow.WRAP:
        return  # unchecked is only ever used where no sum can overflow (or it wraps, uncounted)
    # bounded: the data's largest product given, as mac passes it (it may prove products in range)
    largest = int(np.abs(x).max()) * int(np.abs(w).max()) if bounded else None
    got = jit_mac.multiply_accumulate(x, w, acc0, types, schedule, checked, compiled, largest_product=largest)
    assert got.tolist() == expected.tolist()
    if checked:
        assert compiled.as_dict() == reference.as_dict()
    else:  # products counted exactly; the sums' overflows are not tested by this kernel
        assert compiled.product.as_dict() == reference.product.as_dict()


def test_hls4ml_datapaths_take_the_compiled_kernels() -> None:
    """hls4ml's per-product casts: <16,4> x <16,4> into accum <32,12> (order-free) and
    <16,4> (wrapping, counted: ordered), through ``multiply_accumulate`` as layers call it."""
    parse = FixedType.parse
    rng = np.random.default_rng(3)
    x = parse("ap_fixed<16,4>").to_raw(rng.normal(0, 2, (50, 40)).clip(-8, 7.9))
    w = parse("ap_fixed<16,4>").to_raw(rng.normal(0, 1, (40, 12)).clip(-8, 7.9))
    bias = parse("ap_fixed<16,4>").to_raw(rng.normal(0, 1, 12))
    schedule = Schedule(np.arange(40), np.array([], dtype=np.int64))
    for accum, path in [("ap_fixed<32,12>", "elementwise-jit"), ("ap_fixed<16,4>", "loop-jit")]:
        types = LayerTypes(parse("ap_fixed<16,4>"), parse("ap_fixed<16,4>"), parse("ap_fixed<16,4>"), parse(accum),
                           parse("ap_fixed<16,4>"))
        fast_stats, slow_stats = StageStats(), StageStats()
        fast, taken = multiply_accumulate(x, w, bias, types, schedule, True, fast_stats)
        import os

        os.environ["ACCEL_NO_JIT"] = "1"
        try:
            slow, reference = multiply_accumulate(x, w, bias, types, schedule, True, slow_stats, force_path="loop")
        finally:
            del os.environ["ACCEL_NO_JIT"]
        assert taken == path and reference == "loop"
        assert fast.tolist() == slow.tolist() and fast_stats.as_dict() == slow_stats.as_dict()
        assert fast_stats.product.rounded > 0


def test_rounded_products_count_by_trailing_zeros() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(-300, 300, (20, 9))
    x[rng.random(x.shape) < 0.3] = 0
    w = rng.integers(-300, 300, (9, 4)) * rng.choice([1, 2, 4, 16], (9, 4))
    for shift in (1, 3, 6):
        products = x[:, :, None] * w[None, :, :]
        w_hist = trailing_zeros.trailing_zero_histogram(w, shift)
        assert trailing_zeros.rounded_products(x.T, w_hist, shift) == int(np.count_nonzero(products % (1 << shift)))


@pytest.mark.parametrize("shift", [1, 5, 12, 31])
def test_trailing_zero_histogram_counts_like_python(shift) -> None:
    """The de Bruijn count of trailing zeros (capped at ``shift``; a zero has them all)
    against Python's ``int.bit_length`` on signed values with many zeros and low zero bits."""
    from layers.kernels.trailing_zeros import trailing_zero_histogram

    a = np.random.default_rng(shift).integers(-2**31, 2**31, (4, 500)).astype(np.int64)
    a[:, ::3] = 0
    a[:, 1::4] <<= 7
    a[:, 2::5] = -(2**31)
    expected = np.zeros((4, shift + 1), np.int64)
    for k in range(4):
        for v in map(int, a[k]):
            expected[k, shift if v == 0 else min(shift, (v & -v).bit_length() - 1)] += 1
    np.testing.assert_array_equal(trailing_zero_histogram(a, shift), expected)
