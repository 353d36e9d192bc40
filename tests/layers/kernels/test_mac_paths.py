"""The fast paths of the MAC kernel are bit-identical to the loop-order path.

Random layers, tilings, loop orders and types, including accumulators forced to overflow:
the automatic choice (blas / elementwise / loop per output) must give the same raws and
the same per-stage overflow counts as stepping through the reduction in order.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.kernels import jit_loop
from layers.core.loop_nest import LoopNest
from layers.kernels.mac import multiply_accumulate
from layers.kernels.mac_operands import Schedule
from layers.core.types import LayerTypes, StageStats
from quant import FixedType, Overflow, Rounding


@st.composite
def accumulators(draw) -> FixedType:
    width = draw(st.integers(10, 44))
    integer = draw(st.integers(3, 14))
    overflow = draw(st.sampled_from([Overflow.WRAP, Overflow.SAT, Overflow.SAT_SYM, Overflow.SAT_ZERO, Overflow.WRAP_SM]))
    return FixedType(width, integer, True, draw(st.sampled_from(list(Rounding))), overflow)


@st.composite
def problems(draw):
    k_extents = (draw(st.integers(1, 4)), draw(st.integers(1, 3)), draw(st.integers(1, 3)))  # n, i, j
    order = draw(st.permutations(["n", "i", "j"]))
    tn = draw(st.integers(1, k_extents[0]))
    nest = LoopNest.build(dict(zip("nij", k_extents)), order=order, tiles={"n": tn}, reduction=("n", "i", "j"))
    accum = draw(accumulators())
    product = draw(st.sampled_from(["accum", "full", FixedType(18, 6, True, Rounding.RND, Overflow.SAT)]))
    partial = draw(st.sampled_from(["accum", accum, FixedType(accum.width - 2, accum.integer, True, Rounding.RND, Overflow.SAT)]))
    types = LayerTypes(input=FixedType(12, 4), weight=FixedType(10, 2), bias=FixedType(12, 5), accum=accum,
                       result=FixedType(12, 4, True, Rounding.RND, Overflow.SAT), product=product, partial=partial)
    scale = draw(st.sampled_from([0.05, 0.5, 3.0]))  # 3.0 forces overflow of most accumulators
    return nest, types, scale, draw(st.integers(0, 2**32 - 1)), draw(st.booleans()), draw(st.booleans())


@settings(max_examples=150, deadline=None)
@given(problems())
def test_automatic_paths_equal_the_loop_path(problem) -> None:
    with no_jit():  # each new mode combination would compile a kernel: tested below instead
        check_paths(problem)


@contextmanager
def no_jit():
    old = os.environ.get("ACCEL_NO_JIT")
    os.environ["ACCEL_NO_JIT"] = "1"
    try:
        yield
    finally:
        if old is None:
            del os.environ["ACCEL_NO_JIT"]
        else:
            os.environ["ACCEL_NO_JIT"] = old


def check_paths(problem) -> None:
    nest, types, scale, seed, relu, count = problem
    rng = np.random.default_rng(seed)
    k_len = int(np.prod([e for _, e in nest.dims]))
    positions, outputs = 7, 5
    x = types.input.to_raw(np.clip(rng.normal(0.3, scale, (positions, k_len)), -8, 7.99))
    w = types.weight.to_raw(np.clip(rng.normal(0, scale, (k_len, outputs)), -2, 1.99))
    bias = types.bias.to_raw(np.clip(rng.normal(0, scale, outputs), -16, 15.9))
    schedule = Schedule(*nest.reduction_schedule())
    results = {}
    for force in (None, "elementwise", "loop"):
        stats = StageStats()
        raw, path = multiply_accumulate(x, w, bias, types, schedule, relu, stats, count_overflows=count, force_path=force)
        results[force] = (raw.tolist(), stats.as_dict(), path)
    assert results[None][0] == results["loop"][0], results[None][2]
    assert results["elementwise"][0] == results["loop"][0], results["elementwise"][2]
    if count:  # with counting on, the fast paths report exactly what the loop path counts
        assert results[None][1] == results["loop"][1]
        assert results["elementwise"][1] == results["loop"][1]


def test_fast_paths_are_actually_taken() -> None:
    """Guard: the equivalence above is vacuous if every problem fell back to the loop."""
    rng = np.random.default_rng(1)
    schedule = Schedule(np.arange(40), np.array([20]))
    x = FixedType(16, 4).to_raw(rng.normal(0, 1, (30, 40)))
    w = FixedType(16, 4).to_raw(rng.normal(0, 0.2, (40, 8)))
    bias = np.zeros(8, dtype=np.int64)
    paths = {}
    for name, accum in [("blas", "ap_fixed<40,16>"), ("elementwise", "ap_fixed<24,8>"),
                        ("loop", "ap_fixed<16,2,AP_RND_CONV,AP_SAT>")]:
        types = LayerTypes(FixedType(16, 4), FixedType(16, 4), FixedType(16, 4), FixedType.parse(accum), FixedType(16, 4))
        paths[name] = multiply_accumulate(x, w, bias, types, schedule, False, StageStats())[1]
    assert paths["blas"] == "blas" and paths["elementwise"] in ("elementwise", "elementwise-jit")
    assert paths["loop"] in ("loop", "loop-jit")


def test_wrapping_accumulator_without_counts_uses_modular_sums() -> None:
    rng = np.random.default_rng(2)
    types = LayerTypes(FixedType(16, 4), FixedType(16, 4), FixedType(16, 4), FixedType(32, 8), FixedType(16, 4))
    x = FixedType(16, 4).to_raw(rng.normal(2, 3, (20, 500)).clip(-8, 7.9))
    w = FixedType(16, 4).to_raw(rng.normal(1, 2, (500, 6)).clip(-8, 7.9))  # sums far beyond +-128
    schedule = Schedule(np.arange(500), np.array([], dtype=np.int64))
    fast, path = multiply_accumulate(x, w, np.zeros(6, np.int64), types, schedule, False, StageStats(), count_overflows=False)
    counted = StageStats()
    slow, _ = multiply_accumulate(x, w, np.zeros(6, np.int64), types, schedule, False, counted, force_path="loop")
    assert path == "blas" and fast.tolist() == slow.tolist()
    assert counted.accumulation.overflows > 0


JIT_CASES = [  # (product, accum, partial): mode combinations a datapath uses
    ("accum", "ap_fixed<16,4,AP_TRN,AP_SAT>", "accum"),
    ("full", "ap_fixed<20,6,AP_RND_CONV,AP_SAT_SYM>", "ap_fixed<16,6,AP_RND,AP_SAT>"),
    ("ap_fixed<14,5,AP_RND_ZERO,AP_SAT_ZERO>", "ap_fixed<18,6,AP_RND_INF,AP_WRAP>", "accum"),
    ("accum", "ap_ufixed<17,7,AP_TRN_ZERO,AP_SAT>", "accum"),
]


@pytest.mark.parametrize("product, accum, partial", JIT_CASES)
def test_jit_kernel_equals_the_numpy_loop(product, accum, partial) -> None:
    if not jit_loop.available():
        pytest.skip("numba is not installed (pip install accel-hls[jit])")
    parse = FixedType.parse
    types = LayerTypes(FixedType(12, 4), FixedType(10, 2), FixedType(12, 5), parse(accum), FixedType(12, 4),
                       product=product if product in ("accum", "full") else parse(product),
                       partial=partial if partial == "accum" else parse(partial))
    assert jit_loop.supports(types)
    rng = np.random.default_rng(7)
    nest = LoopNest.build({"n": 6, "i": 3, "j": 3}, order=("i", "n", "j"), tiles={"n": 4}, reduction=("n", "i", "j"))
    schedule = Schedule(*nest.reduction_schedule())
    x = types.input.to_raw(np.clip(rng.normal(0.5, 3, (40, 54)), -8, 7.99))
    w = types.weight.to_raw(np.clip(rng.normal(0, 1, (54, 9)), -2, 1.99))
    acc0 = types.accum.cast(types.bias.to_raw(rng.normal(0, 4, 9).clip(-16, 15)), types.bias)
    picked = rng.random((40, 9)) < 0.6  # a scattered subset of outputs, as the bound leaves them
    rows, cols = np.nonzero(picked)
    from layers.kernels.mac import _sum_in_order

    reference, compiled = StageStats(), StageStats()
    expected = _sum_in_order(x, w, acc0, rows, cols, types, schedule, reference)
    got = jit_loop.sum_in_order(x, w, acc0, rows, cols, types, schedule, compiled)
    assert got.tolist() == expected.tolist()
    assert compiled.as_dict() == reference.as_dict()
    assert reference.accumulation.overflows + reference.product.overflows > 0


@pytest.mark.parametrize("rounding", list(Rounding))
def test_every_rounding_mode_on_ties_equals_the_loop_path(rounding) -> None:
    """Fixed examples, not only random search: every product one bit finer than the
    accumulator, so that half of them are ties. Rounding ``acc + p`` to the accumulator
    equals ``acc + round(p)`` only for the modes whose ties do not depend on ``acc``
    (``SEPARABLE``); round-half-to-even, -zero and -away-from-zero must take the loop path."""
    types = LayerTypes(FixedType(8, 7), FixedType(8, 8), FixedType(8, 8), FixedType(16, 16, True, rounding),
                       FixedType(16, 16), product="full")  # products have 1 fraction bit, the accumulator none
    rng = np.random.default_rng(11)
    x = rng.integers(-60, 60, (35, 24))
    w = rng.integers(-3, 4, (24, 5))
    schedule = Schedule(np.arange(24), np.array([], dtype=np.int64))
    with no_jit():
        fast, _ = multiply_accumulate(x, w, np.zeros(5, np.int64), types, schedule, False, StageStats())
        slow, _ = multiply_accumulate(x, w, np.zeros(5, np.int64), types, schedule, False, StageStats(),
                                      force_path="loop")
    assert fast.tolist() == slow.tolist()
    if rounding in (Rounding.RND_CONV, Rounding.RND_ZERO, Rounding.RND_INF):  # the case must be a real one
        by_product = types.accum.cast(x[:, :, None] * w[None], FixedType(16, 15)).sum(axis=1)
        assert (by_product != slow).sum() > 5
