"""The compiled work around the exact matrix product (``layers.kernels.jit_gemm``) against numpy:
im2col against sliding windows, and the fused epilogue (bias, wrap, ReLU, result cast in
every rounding and overflow mode, counts, NCHW store) against ``quant``'s casts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.kernels import jit_gemm
from layers.conv import Conv
from layers.core.types import LayerTypes
from quant import FixedType, OverflowStats, Overflow, Rounding
from quant.overflow import wrap

pytestmark = pytest.mark.skipif(not jit_gemm.available(), reason="numba is not installed or ACCEL_NO_JIT=1")


@settings(max_examples=25, deadline=None)  # each new mode combination compiles an epilogue (once; cached)
@given(rounding=st.sampled_from(list(Rounding)), overflow=st.sampled_from([Overflow.WRAP, Overflow.SAT,
                                                                          Overflow.SAT_SYM, Overflow.SAT_ZERO]),
       signed=st.booleans(), relu=st.booleans(), wrapping=st.booleans(), as_int=st.booleans(),
       seed=st.integers(0, 2**32 - 1), first_row=st.integers(0, 9))
def test_epilogue_equals_the_numpy_casts(rounding, overflow, signed, relu, wrapping, as_int, seed, first_row) -> None:
    rng = np.random.default_rng(seed)
    accum = FixedType(24, 10, True, Rounding.TRN, Overflow.WRAP if wrapping else Overflow.SAT)
    result = FixedType(10, 3, signed, rounding, overflow)
    align = 2  # the products' units: two bits coarser than the accumulator's LSB
    images, outputs, positions = 3, 5, 7
    rows = images * positions - first_row
    total = rng.integers(-2**22, 2**22, (outputs, rows))
    acc0 = rng.integers(-2**12, 2**12, outputs)
    out = np.full((images, outputs + 2, positions), -99, dtype=np.int64)
    counts = jit_gemm.epilogue(total if as_int else total.astype(np.float64), first_row, acc0, align, accum, relu,
                               result, out, 1)
    acc = (total.T << align) + acc0
    if wrapping:
        acc = wrap(acc, accum)
    if relu:
        acc = np.maximum(acc, 0)
    stats = OverflowStats()
    expected = result.cast(acc, accum, stats)
    flat = out.transpose(0, 2, 1).reshape(images * positions, outputs + 2)
    assert flat[first_row:, 1:1 + outputs].tolist() == expected.tolist()
    assert (flat[:first_row] == -99).all() and (flat[:, 0] == -99).all() and (flat[:, -1] == -99).all()
    assert counts == (stats.overflow_high, stats.overflow_low, stats.rounded)


@settings(max_examples=25, deadline=None)
@given(kernel=st.integers(1, 5), stride=st.integers(1, 3), padding=st.integers(0, 3), size=st.integers(5, 9),
       groups=st.sampled_from([1, 2]), seed=st.integers(0, 2**32 - 1))
def test_im2col_equals_the_sliding_windows(kernel, stride, padding, size, groups, seed) -> None:
    padding = min(padding, kernel - 1)
    t = FixedType(16, 4)
    layer = Conv("conv", 2 * groups, (kernel, kernel), LayerTypes(input=t, weight=t, bias=t, accum=FixedType(40, 16),
                                                                   result=t), stride=stride, padding=padding,
                 groups=groups)
    raw = np.random.default_rng(seed).integers(-2**15, 2**15, (2, 2 * groups, size, size + 1))
    # both write into the same per-thread scratch block: keep copies
    _, rows, cols = layer.output_shape(raw.shape[1:])
    compiled = [patches.copy() for patches in layer.im2col.compiled(raw, np.float64, rows, cols)]
    reference = [patches.copy() for patches in layer.im2col.patches(raw.astype(np.float64), 0)]
    assert len(compiled) == groups
    assert [c.tolist() for c in compiled] == [r.tolist() for r in reference]


@pytest.mark.parametrize("dtype", [np.int16, np.int32])
def test_small_batch_product_equals_the_int64_product(dtype) -> None:
    rng = np.random.default_rng(3)
    info = np.iinfo(dtype)
    x = rng.integers(-2**20, 2**20, (5, 300))
    x[rng.random(x.shape) < 0.4] = 0  # skipped, exactly
    w = rng.integers(info.min, info.max, (300, 700), endpoint=True).astype(dtype)
    assert jit_gemm.small_batch_product(x, w).tolist() == (x @ w.astype(np.int64)).T.tolist()


def test_dense_layers_on_few_images_take_the_integer_product_and_agree_with_blas() -> None:
    from layers.dense import Dense
    from layers.kernels.mac_operands import MacWeights

    t = FixedType.parse("ap_fixed<16,4,AP_RND,AP_SAT>")
    layer = Dense("fc", 300, LayerTypes(input=t, weight=t, bias=t, accum=FixedType(40, 16), result=t), relu=True)
    rng = np.random.default_rng(4)
    params = {"weight": rng.normal(0, 0.3, (300, 200)), "bias": rng.normal(0, 0.5, 300)}
    raw = t.to_raw(np.clip(rng.normal(0, 2, (40, 200)), -7.9, 7.9))
    prepared = layer.prepare(params)
    few = layer.run_fixed(raw[:3], t, prepared)  # the integer product (3 <= SMALL_BATCH images)
    many = layer.run_fixed(raw, t, prepared)  # the float64 matrix product
    (weights, _), = prepared.groups
    assert isinstance(weights, MacWeights) and weights.narrow is not None and weights.narrow.dtype == np.int16
    assert few.path == many.path == "blas"
    assert few.raw.tolist() == many.raw[:3].tolist()
    assert few.stats.product.elements == 3 * 300 * 200 and few.stats.result.elements == 3 * 300
