"""``Table``: a titled grid of cells, rendered as aligned text, Markdown or CSV.

A cell can be flagged (over budget): text and Markdown mark it with ``!``, CSV keeps the
plain value so that spreadsheets can compute with it.

    >>> t = Table("Demo", ("name", "BRAM_18K"), (("conv1", 414), ("total", 2036)), flagged={(1, 1)})
    >>> print(t.render("md"))
    ### Demo
    <BLANKLINE>
    | name | BRAM_18K |
    |---|---|
    | conv1 | 414 |
    | total | **2036 !** |
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Literal

from tabulate import tabulate

TextFormat = Literal["text", "md", "csv"]


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple, ...]
    flagged: frozenset[tuple[int, int]] | set = field(default_factory=frozenset)  # (row, column)
    notes: tuple[str, ...] = ()
    flag_meaning: str = "over budget"  # what a flagged cell is; each format says how it shows it

    def all_notes(self, marker: str) -> tuple[str, ...]:
        """The notes, preceded by what ``marker`` (how this format shows a flag) means."""
        flag = (f"{marker} a cell {self.flag_meaning}.",) if self.flagged else ()
        return flag + self.notes

    def cells(self, mark: str) -> list[list[str]]:
        out = []
        for r, row in enumerate(self.rows):
            out.append([_cell(value, mark if (r, c) in self.flagged else "") for c, value in enumerate(row)])
        return out

    def render(self, fmt: TextFormat) -> str:
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(self.headers)
            writer.writerows([[_plain(v) for v in row] for row in self.rows])
            return buffer.getvalue()
        if fmt == "md":
            lines = [f"### {self.title}", "", "| " + " | ".join(self.headers) + " |",
                     "|" + "---|" * len(self.headers)]
            lines += ["| " + " | ".join(row) + " |" for row in self.cells("md")]
            notes = self.all_notes("'!' marks")
            lines += [""] + [f"> {note}" for note in notes] if notes else []
            return "\n".join(lines)
        align = ("left",) + ("right",) * (len(self.headers) - 1)  # names left, numbers right
        body = tabulate(self.cells("text"), headers=self.headers, disable_numparse=True, colalign=align)
        rule = "=" * len(self.title)
        notes = "".join(f"\n  {note}" for note in self.all_notes("'!' marks"))
        return f"== {self.title}\n{rule}===\n{body}{notes}"


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _cell(value, mark: str) -> str:
    text = "-" if value is None else (_format_float(value) if isinstance(value, float) else str(value))
    if mark == "md":
        return f"**{text} !**"
    if mark == "text":
        return f"{text} !"
    return text


def _format_float(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"
