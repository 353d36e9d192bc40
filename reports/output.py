"""Where a document goes: standard output, or a folder with the document and its plots."""

from __future__ import annotations

import sys
from pathlib import Path

from .document import FORMATS, Document, render

SUFFIX = {"text": "txt", "md": "md", "csv": "csv", "json": "json", "html": "html"}

__all__ = ["FORMATS", "emit"]


def emit(doc: Document, fmt: str, out: str | None, stem: str, with_plots: bool = True) -> list[Path]:
    """Print ``doc`` rendered as ``fmt``, or write ``OUT/STEM.<suffix>`` plus one PNG per
    plot (HTML has its plots inline already). Returns the files written."""
    text = render(doc, fmt)
    if out is None:
        sys.stdout.write(text)
        return []
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / f"{stem}.{SUFFIX[fmt]}"]
    written[0].write_text(text)
    if with_plots and fmt != "html":
        for name, png in doc.drawn_plots().items():
            written.append(folder / f"{name}.png")
            written[-1].write_bytes(png)
    print("wrote " + ", ".join(str(p) for p in written))
    return written
