"""Where sweep tasks run: a local process pool, or a Dask cluster.

Both are ``concurrent.futures.Executor``s (Dask's ``Client.get_executor()`` is one), so
the sweep does not care which. Local workers start fresh (``spawn``) and split the cores'
BLAS threads between them, so that N workers do not fight over the cores.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def _init_worker() -> None:
    from ..memory import keep_freed_memory

    keep_freed_memory()


@contextmanager
def local_executor(workers: int):
    """A pool of ``workers`` processes sharing the cores: each gets cores/workers BLAS threads."""
    if workers < 1:
        raise ValueError(f"--workers {workers}: at least one worker is needed")
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    # workers start on demand, at a submit: the variables stay set while the pool lives
    os.environ.update({name: threads for name in THREAD_VARIABLES})
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                 initializer=_init_worker) as pool:
            yield pool, workers
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def dask_executor(address: str):
    """The executor of the Dask cluster at ``address`` (needs the ``dask`` extra)."""
    try:
        from distributed import Client
    except ImportError:
        raise ValueError("--scheduler needs Dask: pip install 'accel-hls[dask]'") from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError) as err:
        raise ValueError(f"--scheduler {address}: cannot reach the Dask scheduler ({err})") from None
    with client:
        workers = max(1, sum(client.nthreads().values()))
        executor: Executor = client.get_executor()
        yield executor, workers
