"""``reports.tally_sums``: the compiled tally pass against the tally's numpy definition."""

from __future__ import annotations

import math

import numpy as np
import pytest

from layers.core.base import LayerResult
from layers.kernels.jit_loop import available, numba
from layers.core.types import StageStats
from quant import FixedType
from reports.tally import LayerTally
from reports.tally_sums import BLOCK, raw_sums

pytestmark = pytest.mark.skipif(not available(), reason="numba is not installed")
SUMS = ("noise", "signal", "abs_error")


def _result(raw: np.ndarray, t: FixedType) -> LayerResult:
    stats = StageStats()
    stats.result.record(raw.size, 3, 2, 0)  # (casts, above, below, rounded): the counts must come through
    return LayerResult(raw, t, stats)


@pytest.mark.parametrize("size", [1, 7, 8, 1001, BLOCK, 3 * BLOCK + 5])
@pytest.mark.parametrize("raw_dtype, ref_dtype", [(np.int64, np.float32), (np.int16, np.float64), (np.int32, np.float32)])
def test_compiled_tally_is_the_numpy_tally(size, raw_dtype, ref_dtype) -> None:
    rng = np.random.default_rng(size)
    t = FixedType.parse("ap_fixed<16,4>")
    raw = rng.integers(-2**15, 2**15, size).astype(raw_dtype)
    reference = (raw * 2.0**-t.frac + rng.normal(0, 0.01, size)).astype(ref_dtype)
    reference[::5] = raw[::5] * 2.0**-t.frac  # exact elements: errors of 0 count as within
    result = _result(raw, t)
    for tolerance in (math.inf, 0.005):
        ours = LayerTally.of_result(result, reference, tolerance)
        numpy = LayerTally.of(result.values(), reference, result.stats, tolerance)
        for name in SUMS:  # sums in another order: equal to the last few bits
            assert getattr(ours, name) == pytest.approx(getattr(numpy, name), rel=1e-12, abs=1e-300)
        for name in ("max_error", "within", "count", "low", "high", "result", "product", "accumulation"):
            assert getattr(ours, name) == getattr(numpy, name), name
    assert ours.result == 5 and 0 < ours.within < size or size < 5


def test_same_bits_on_any_number_of_threads() -> None:
    rng = np.random.default_rng(1)
    raw = rng.integers(-2**15, 2**15, 5 * BLOCK + 3)
    reference = rng.normal(0, 4, raw.size)
    t = FixedType.parse("ap_fixed<16,4>")
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = raw_sums(raw, t, reference, 0.1)
        numba.set_num_threads(before)
        many = raw_sums(raw, t, reference, 0.1)
    finally:
        numba.set_num_threads(before)
    assert one == many  # every float bit


def test_falls_back_where_a_double_cannot_hold_the_raws() -> None:
    t = FixedType.parse("ap_fixed<60,10>")
    raw = np.array([2**58 + 1, -(2**57) - 3], dtype=np.int64)  # not exact in a double
    reference = np.array([2.0**8, -(2.0**7)])
    assert raw_sums(raw, t, reference, math.inf) is None
    assert LayerTally.of_result(_result(raw, t), reference) == \
        LayerTally.of(_result(raw, t).values(), reference, _result(raw, t).stats)
