"""How many threads the command line's numerical libraries start: the idle cores.

numba's kernels and OpenBLAS's matrix products each start a thread per core. On a machine
another job keeps busy, those threads wait on one another's time slices (and OpenBLAS's
spin while they wait): with one of two cores busy, the 10,000-image run took 65.6 s with a
thread per core and 37.5 s with one thread. So ``accel`` sizes both pools, before they
load, to the cores that are idle (at least one): the busy share of the cores over 50 ms
(``/proc/stat``; the load average where there is none — it lags by a minute, and counts
the previous ``accel`` run as load). A core counts as busy from 70 % on. ``ACCEL_THREADS=N``
chooses the number; ``OPENBLAS_NUM_THREADS``/``NUMBA_NUM_THREADS`` set by the user are
kept. The results do not depend on it: every kernel gives the same bits on any number
of threads.

    >>> pool_size(cores=2, busy=0.1), pool_size(cores=2, busy=0.6), pool_size(cores=2, busy=0.95)
    (2, 2, 1)
    >>> pool_size(cores=8, busy=30.0)
    1
"""

from __future__ import annotations

import math
import os
import sys
import time

POOLS = ("OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def pool_size(cores: int, busy: float) -> int:
    """The cores not taken by ``busy`` cores' worth of other work, at least 1."""
    return max(1, min(cores, cores - math.floor(busy + 0.3)))


def busy_cores(seconds: float = 0.05) -> float:
    """How many of this process's cores' worth of time others used over ``seconds``
    (the ``cpuN`` lines of ``/proc/stat`` for the cores it may run on)."""
    allowed = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None

    def sample() -> tuple[int, int]:
        total = idle = 0
        with open("/proc/stat") as stat:
            for line in stat:
                name, *fields = line.split()
                if not name.startswith("cpu") or name == "cpu" or (allowed is not None and int(name[3:]) not in allowed):
                    continue
                values = [int(v) for v in fields]
                total, idle = total + sum(values), idle + values[3] + (values[4] if len(values) > 4 else 0)
        return total, idle
    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    elapsed, cores = total1 - total0, len(allowed) if allowed else (os.cpu_count() or 1)
    return cores * (elapsed - (idle1 - idle0)) / elapsed if elapsed > 0 else 0.0


def size_pools(environ=os.environ) -> int | None:
    """Set the thread pools' sizes in ``environ`` before numpy and numba load; the size
    chosen, or None where it is not ours to set (already loaded, or set by the user)."""
    if "numpy" in sys.modules or "numba" in sys.modules:
        return None  # loaded already (accel used as a library, or in tests): too late, and not ours
    if any(name in environ for name in POOLS) and "ACCEL_THREADS" not in environ:
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    chosen = environ.get("ACCEL_THREADS")
    if chosen is not None:
        if not chosen.isdigit() or int(chosen) < 1:
            raise ValueError(f"ACCEL_THREADS={chosen!r}: a number of threads of at least 1")
        threads = int(chosen)
    else:
        threads = pool_size(cores, busy_cores())
        if threads < cores:
            print(f"accel: {cores - threads} of {cores} cores are busy with other work: using {threads} "
                  f"thread(s) (ACCEL_THREADS=N to choose)", file=sys.stderr)
    for name in POOLS:
        environ.setdefault(name, str(threads))
    return threads
