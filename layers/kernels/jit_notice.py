"""Say on stderr when numba compiles a kernel, on every path that compiles one.

A compiled kernel is built the first time an arithmetic is used and then cached on disk
(``cache=True``): a later process loads it in milliseconds. The first run after an
install, or with new rounding/overflow modes, compiles instead — seconds each, tens of
seconds for a whole network — and a silent pause that long looks like a hang. numba
announces every real compilation (not a load from its cache) as a ``numba:compile``
event; the listener here prints one line when the first starts and, at exit, how many
were compiled and how long they took.

Set ``ACCEL_QUIET_JIT=1`` to silence it.
"""

from __future__ import annotations

import atexit
import os
import sys
import time


class _CompileNotice:
    """What a numba event listener calls (``on_start``/``on_end``): it counts outermost
    compilations (a kernel's compilation compiles the functions it inlines, too)."""

    def __init__(self) -> None:
        self.depth, self.count, self.seconds, self.started = 0, 0, 0.0, 0.0

    def on_start(self, event) -> None:
        if self.depth == 0:
            if self.count == 0 and not _quiet():
                print("accel: compiling kernels for this arithmetic (first use after an install or for new "
                      "modes: seconds each; cached on disk, later runs load them at once)...", file=sys.stderr,
                      flush=True)
            self.started = time.perf_counter()
        self.depth += 1

    def on_end(self, event) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.count += 1
            self.seconds += time.perf_counter() - self.started

    def summary(self) -> None:
        if self.count and not _quiet():
            print(f"accel: compiled {self.count} kernel(s) in {self.seconds:.1f} s (cached on disk for later runs)",
                  file=sys.stderr)


def _quiet() -> bool:
    return os.environ.get("ACCEL_QUIET_JIT", "") not in ("", "0")


_NOTICE = _CompileNotice()
_INSTALLED: list[bool] = []


def install() -> None:
    """Listen to numba's compilations in this process (once; a no-op without numba)."""
    if _INSTALLED:
        return
    _INSTALLED.append(True)
    try:
        from numba.core import event
    except ImportError:  # pragma: no cover - numba absent or without its event API
        return
    class Listener(event.Listener):  # numba accepts only its own Listener class
        on_start, on_end = staticmethod(_NOTICE.on_start), staticmethod(_NOTICE.on_end)

    event.register("numba:compile", Listener())
    atexit.register(_NOTICE.summary)


def compiled() -> tuple[int, float]:
    """(kernels compiled in this process, seconds spent): what the exit line says."""
    return _NOTICE.count, _NOTICE.seconds
