"""A minimal progress bar on stderr (no dependency), silent when stderr is not a terminal
unless forced, so that logs and CI output stay clean."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int, label: str, enabled: bool | None = None, width: int = 30):
        self.total, self.label, self.width, self.done = max(total, 1), label, width, 0
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.start = time.perf_counter()

    def __call__(self, step: int = 1) -> None:
        self.done += step
        if not self.enabled:
            return
        filled = int(self.width * self.done / self.total)
        rate = self.done / max(time.perf_counter() - self.start, 1e-9)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
                         f"{self.done}/{self.total} ({rate:.1f}/s)")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()
