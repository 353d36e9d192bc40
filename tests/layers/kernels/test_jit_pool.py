"""The compiled max-pool (``layers.kernels.jit_pool``) against the numpy reference path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.kernels import jit_pool
from layers.maxpool import MaxPool
from quant import FixedType

pytestmark = pytest.mark.skipif(not jit_pool.available(), reason="numba is not installed or ACCEL_NO_JIT=1")


@settings(max_examples=40, deadline=None)
@given(kernel=st.integers(1, 4), stride=st.integers(1, 3), padding=st.integers(0, 3), size=st.integers(4, 9),
       seed=st.integers(0, 2**32 - 1))
def test_compiled_pool_equals_the_strided_passes(kernel, stride, padding, size, seed) -> None:
    padding = min(padding, kernel // 2)
    layer, t = MaxPool("pool", kernel, stride, padding), FixedType(10, 3)
    raw = np.random.default_rng(seed).integers(t.min_raw, t.max_raw + 1, (2, 3, size, size + 1))
    result = layer.run_fixed(raw, t, {})
    assert result.raw.tolist() == layer._pool(raw, t.min_raw).tolist()
    assert result.raw.shape == (2, 3, *layer.output_shape((3, size, size + 1))[1:])
