"""Where a report goes: standard output, or a folder with the report file and its plots."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

FORMATS = ("text", "md", "csv", "json", "html")
SUFFIX = {"text": "txt", "md": "md", "csv": "csv", "json": "json", "html": "html"}


def emit(text: str, fmt: str, out: str | None, stem: str, plots: Callable[[], dict[str, bytes]],
         with_plots: bool = True) -> list[Path]:
    """Print ``text``, or write ``OUT/STEM.<suffix>`` plus one PNG per plot (HTML has its
    plots inline already). Returns the files written."""
    if out is None:
        sys.stdout.write(text)
        return []
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / f"{stem}.{SUFFIX[fmt]}"]
    written[0].write_text(text)
    if with_plots and fmt != "html":
        for name, png in plots().items():
            written.append(folder / f"{name}.png")
            written[-1].write_bytes(png)
    print("wrote " + ", ".join(str(p) for p in written))
    return written
