"""Where sweep tasks run: a local process pool, or a Dask cluster.

Both are ``concurrent.futures.Executor``s (Dask's ``Client.get_executor()`` is one), so
the sweep does not care which. Local workers start fresh (``spawn``) and split the cores'
BLAS threads between them, so that N workers do not fight over the cores.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def _init_worker(parent: int) -> None:
    from ..memory import keep_freed_memory

    keep_freed_memory()
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="parent-watch").start()


def _exit_with(parent: int, every: float = 0.5) -> None:
    """A worker whose sweep died (SIGKILL, SIGTERM) exits too, even mid-task: nobody is
    left to take its result, and it would otherwise hold its memory forever."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


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
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                   initializer=_init_worker, initargs=(os.getpid(),))
        try:
            yield pool, workers
        except BaseException:  # Ctrl-C or an error: stop now, do not finish the tasks in flight
            for process in list((pool._processes or {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
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
