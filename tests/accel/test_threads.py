"""The command line's thread pools: one thread per idle core, chosen before they load."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from accel.threads import POOLS, busy_cores, pool_size, size_pools

CHILD = "import accel.cli, numba; print(numba.get_num_threads())"


def threads_in_a_fresh_process(**env) -> tuple[int, str]:
    environ = {k: v for k, v in os.environ.items() if k not in POOLS and k != "ACCEL_THREADS"}
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120,
                          env={**environ, **env}, check=True)
    return int(done.stdout.strip()), done.stderr


def test_a_core_another_job_keeps_busy_gets_no_thread() -> None:
    cores = len(os.sched_getaffinity(0))
    if cores < 2:
        pytest.skip("one core: nothing to leave out")
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        assert busy_cores(0.3) >= 0.7  # the spinner shows as (at least) a busy core
        threads, err = threads_in_a_fresh_process()
    finally:
        spinner.kill()
        spinner.wait()
    assert 1 <= threads <= cores - 1 and "cores are busy with other work" in err


def test_the_user_chooses() -> None:
    assert threads_in_a_fresh_process(ACCEL_THREADS="1")[0] == 1
    assert threads_in_a_fresh_process(NUMBA_NUM_THREADS="1")[0] == 1  # their own setting is kept


def test_nothing_is_changed_once_numpy_is_loaded_or_for_a_bad_count() -> None:
    environ: dict = {}
    assert size_pools(environ) is None and environ == {}  # this process has numpy: not ours to set
    assert pool_size(4, 2.5) == 2 and pool_size(1, 3.0) == 1
    done = subprocess.run([sys.executable, "-m", "accel.cli", "quant", "ap_fixed<8,3>", "1"], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "ACCEL_THREADS": "zero"})
    assert done.returncode == 2 and done.stderr == "accel: error: ACCEL_THREADS='zero': a number of threads of at least 1\n"
