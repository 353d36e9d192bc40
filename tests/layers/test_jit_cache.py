"""Compiled kernels loaded from numba's on-disk cache work as freshly compiled ones.

The rest of the suite compiles its kernels in its own process; a user's second run loads
them from the cache instead. Once, during development, that run failed in the epilogue
("NRT_adapt_ndarray_to_python: descr is NULL" on the array it returned; it now fills an
array it is given) and the failure could not be reproduced after. Two runs of the main
job in fresh processes: the second loads every kernel the first compiled or loaded;
both must succeed with the same numbers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from layers import jit_loop

pytestmark = pytest.mark.skipif(not jit_loop.available(), reason="numba is not installed or ACCEL_NO_JIT=1")


def test_a_second_process_runs_the_cached_kernels() -> None:
    # 20 images: the dense layers take the small-batch integer product, conv the blas epilogue,
    # LRN and max-pool their kernels, the float reference the compiled im2col
    command = [sys.executable, "-m", "accel.cli", "run", "--images", "20", "--format", "json"]
    runs = [subprocess.run(command, capture_output=True, text=True, timeout=600) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    first, second = (json.loads(run.stdout) for run in runs)
    for result in (first, second):
        result.pop("seconds", None)
        for layer in result.get("layers", []):
            layer.pop("ms_per_image", None)
            layer.pop("seconds", None)
    assert first == second
    assert first["images"] == 20 and 0 < first["agreement"] <= 1
