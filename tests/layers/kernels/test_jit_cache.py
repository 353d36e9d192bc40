"""Compiled kernels loaded from numba's on-disk cache work as freshly compiled ones.

The rest of the suite compiles its kernels in its own process; a user's second run loads
them from the cache instead. Once, during development, that run failed in the epilogue
("NRT_adapt_ndarray_to_python: descr is NULL" on the array it returned; it now fills an
array it is given) and the failure could not be reproduced after. Two runs of the main
job in fresh processes: the second loads every kernel the first compiled or loaded;
both must succeed with the same numbers. With an empty cache (a fresh install), the first
says on stderr that it compiles, and how many kernels it compiled; the second says nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from layers.kernels import jit_loop

pytestmark = pytest.mark.skipif(not jit_loop.available(), reason="numba is not installed or ACCEL_NO_JIT=1")


def test_a_second_process_runs_the_cached_kernels(tmp_path) -> None:
    # 20 images: the dense layers take the small-batch integer product, conv the blas epilogue,
    # LRN and max-pool their kernels, the float reference the compiled im2col
    command = [sys.executable, "-m", "accel.cli", "run", "--images", "20", "--format", "json"]
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}  # as after a fresh install
    env.pop("ACCEL_QUIET_JIT", None)
    runs = [subprocess.run(command, capture_output=True, text=True, timeout=600, env=env) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
    assert "accel: compiling kernels for this arithmetic" in runs[0].stderr
    count = re.search(r"accel: compiled (\d+) kernel\(s\) in [\d.]+ s", runs[0].stderr)
    assert count and int(count.group(1)) >= 5, runs[0].stderr  # conv, LRN, pool, dense, tally kernels
    assert "compil" not in runs[1].stderr, runs[1].stderr  # loaded from the cache, silently
    first, second = (json.loads(run.stdout) for run in runs)
    for result in (first, second):
        result.pop("seconds", None)
        for layer in result.get("layers", []):
            layer.pop("ms_per_image", None)
            layer.pop("seconds", None)
    assert first == second
    assert first["images"] == 20 and 0 < first["agreement"] <= 1
