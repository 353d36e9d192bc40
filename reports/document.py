"""``Document`` and ``render``: every command's output, in every format, one way.

A command builds a ``Document`` — a title, its tables, the plain data behind them and,
optionally, plots — and ``render(document, fmt)`` writes it as aligned text, Markdown,
CSV, JSON or one self-contained HTML page. No command formats its own output, so
``--format json`` means the same for all of them.

    >>> from reports.table import Table
    >>> doc = Document("demo", (Table("Layers", ("name", "DSP"), (("conv1", 4),)),), {"conv1": {"DSP": 4}})
    >>> print(render(doc, "json"), end="")
    {
      "conv1": {
        "DSP": 4
      }
    }
    >>> print(render(doc, "csv"), end="")
    name,DSP
    conv1,4
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from .html import page
from .table import Table

FORMATS = ("text", "md", "csv", "json", "html")


@dataclass(frozen=True)
class Document:
    title: str
    tables: tuple[Table, ...]
    data: dict  # what --format json prints
    plots: Callable[[], dict[str, bytes]] | None = None  # name -> PNG, drawn only when asked for
    csv_table: Table | None = None  # the one tidy table CSV holds (default: the first table)
    lines: tuple[str, ...] = field(default_factory=tuple)  # text after the title (text and Markdown)
    footer: str = ""  # a last line (text and Markdown)

    def drawn_plots(self) -> dict[str, bytes]:
        return self.plots() if self.plots is not None else {}


def render(doc: Document, fmt: str) -> str:
    """``doc`` in one of ``FORMATS``."""
    if fmt == "json":
        return json.dumps(_jsonable(doc.data), indent=2) + "\n"
    if fmt == "html":
        return page(doc.title, "\n".join(doc.lines), list(doc.tables), doc.drawn_plots())
    if fmt == "csv":
        return (doc.csv_table or doc.tables[0]).render("csv")
    if fmt not in ("text", "md"):
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    head = ("# " if fmt == "md" else "") + doc.title
    parts = [head + "".join(f"\n{line}" for line in doc.lines)] + [t.render(fmt) for t in doc.tables]
    return "\n\n".join(parts) + (f"\n{doc.footer}" if doc.footer else "") + "\n"


def _jsonable(value):
    """numpy scalars and arrays as plain numbers and lists."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "tolist"):
        return _jsonable(value.tolist())
    return value
