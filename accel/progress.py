"""Progress of long work on stderr, without a dependency: a redrawn bar on a terminal,
a plain line every tenth of the way otherwise (logs and pipes stay readable)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, enabled: bool = True, width: int = 30):
        self.total, self.label, self.width, self.done = max(total, 1), label, width, 0
        self.enabled = enabled
        self.terminal = sys.stderr.isatty()
        self.start = time.perf_counter()
        self.next_line = 0.1

    def __call__(self, step: int = 1) -> None:
        self.done += step
        if not self.enabled:
            return
        fraction = self.done / self.total
        rate = self.done / max(time.perf_counter() - self.start, 1e-9)
        if self.terminal:
            filled = int(self.width * fraction)
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
                             f"{self.done}/{self.total} ({rate:.1f}/s{self._eta(rate)})")
            if self.done >= self.total:
                sys.stderr.write("\n")
        elif fraction >= self.next_line or self.done >= self.total:
            sys.stderr.write(f"{self.label}: {self.done}/{self.total} ({rate:.1f}/s{self._eta(rate)})\n")
            self.next_line = (int(fraction * 10) + 1) / 10
        sys.stderr.flush()

    def _eta(self, rate: float) -> str:
        left = self.total - self.done
        if left <= 0 or rate <= 0:
            return ""
        seconds = int(left / rate)
        return f", {seconds // 60}:{seconds % 60:02d} left"
