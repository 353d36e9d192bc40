"""Allocator tuning for the command-line tool (Linux/glibc only; a no-op elsewhere).

numpy takes large arrays from glibc's malloc, which maps them fresh from the kernel and
unmaps them when freed. A simulation allocates arrays of the same sizes batch after
batch, so by default every batch pays the page faults of all its memory again — measured
here, a third of the simulator's time. Raising malloc's mmap and trim thresholds lets
freed memory be reused instead. Called by ``accel``'s entry point and the benchmarks,
not on import: a library should not change its host process's allocator by itself.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
_done = False


def keep_freed_memory(limit: int = 1 << 30) -> bool:
    """Let glibc reuse freed blocks up to ``limit`` bytes; True if it took effect."""
    global _done
    if _done or not sys.platform.startswith("linux"):
        return _done
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        _done = bool(libc.mallopt(M_MMAP_THRESHOLD, limit)) and bool(libc.mallopt(M_TRIM_THRESHOLD, 2 * limit))
    except (OSError, AttributeError):
        _done = False
    return _done
