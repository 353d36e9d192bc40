"""The "Synthesis Summary Report" Vitis HLS 2022.1 and later write as ``syn/report/csynth.rpt``.

One table holds every module and loop of the design, nested by indentation::

    + Performance & Resource Estimates:
        PS: '+' for module; 'o' for loop; '*' for dataflow
        +---------------+-------+-------+---------+-----------+----------+---------+------+----------+---------+-----+-----+-----+-----+
        |    Modules    | Issue |       | Latency |  Latency  | Iteration|         | Trip |          |         |     |     |     |     |
        |    & Loops    |  Type | Slack | (cycles)|    (ns)   |  Latency | Interval| Count| Pipelined|  BRAM   | DSP | FF  | LUT | URAM|
        +---------------+-------+-------+---------+-----------+----------+---------+------+----------+---------+-----+-----+-----+-----+
        |+ top          |      -|   0.12|    32709|  1.636e+05|         -|    32710|     -|        no| 124 (44%)| ... |
        | + top_Pipe... |      -|   0.12|     2050|  1.025e+04|         -|     2050|     -|        no|        -| ... |
        |  o LOOP_1     |     II|   3.65|     2048|  1.024e+04|         3|        2|  1024|       yes|        -| ... |
        | o LOOP_2      |      -|   3.65|    15328|  7.666e+04|       479|        -|    32|        no|        -| ... |

``read_summary`` gives one ``ModuleReport`` per module row (``+`` or ``*``), with the loops
(``o``) nested under it, a loop's II being its interval. Columns are found by their header
words, not their position, so a release that adds or drops one still reads. The summary
has one latency per module (best and worst alike) and no clock; ``calibrate`` takes the
clock from ``--clock-ns`` or the per-module reports beside it.
"""

from __future__ import annotations

import re

from .synth_report import RESOURCES, LoopReport, ModuleReport, number

TITLE = re.compile(r"== Synthesis Summary Report of '([^']+)'")
COLUMNS = {"name": "Modules", "latency": "Latency (cycles)", "iteration": "Iteration Latency",
           "interval": "Interval", "trip": "Trip Count", "pipelined": "Pipelined",
           **{key: "BRAM" if key == "BRAM_18K" else key for key in RESOURCES}}


def is_summary(text: str) -> bool:
    return TITLE.search(text) is not None


def read_summary(text: str, source: str) -> list[ModuleReport]:
    """Every module of the summary table, its loops nested as the indentation says."""
    part = re.search(r"\* Target device:\s*(\S+)", text)
    version = re.search(r"\* Version:\s*(\S+)", text)
    header, rows = _table(text, source)
    column = _columns(header, source)
    modules: list[tuple[int, dict]] = []  # (depth, fields) of module rows, in order
    stack: list[tuple[int, list]] = []  # open modules and loops: (depth, the list their children go into)
    for cells in rows:
        label = cells[column["name"]]
        depth = len(label) - len(label.lstrip(" "))
        marker, name = label.strip()[:1], label.strip()[1:].strip()
        while stack and stack[-1][0] >= depth:
            stack.pop()

        def cell(key: str) -> int | None:
            return number(cells[column[key]].split("(")[0]) if key in column else None

        if marker in "+*":
            fields = {"name": name, "latency": cell("latency"), "interval": cell("interval"), "loops": [],
                      "resources": {key: cell(key) or 0 for key in RESOURCES}}
            modules.append((depth, fields))
            stack.append((depth, fields["loops"]))
        elif marker == "o":
            if not stack:
                raise ValueError(f"{source}: loop {name!r} outside any module in the summary table")
            pipelined = cells[column["pipelined"]].strip().lower() == "yes" if "pipelined" in column else False
            children: list = []
            stack[-1][1].append((name, cell("trip"), cell("latency"), cell("iteration"),
                                 cell("interval") if pipelined else None, children))
            stack.append((depth, children))
        else:
            raise ValueError(f"{source}: summary row {label.strip()!r} is neither a module (+, *) nor a loop (o)")
    return [ModuleReport(f["name"], source, f["latency"], f["latency"], f["interval"], f["resources"],
                         tuple(_loop(loop) for loop in f["loops"]), part.group(1) if part else "", None,
                         version.group(1) if version else "", from_summary=True)
            for _, f in modules]


def _loop(entry: tuple) -> LoopReport:
    name, trip, latency, iteration, ii, children = entry
    return LoopReport(name, trip, latency, iteration, ii, loops=tuple(_loop(child) for child in children))


def _table(text: str, source: str) -> tuple[list[str], list[list[str]]]:
    """The header (each column's words joined) and the data rows of the estimates table."""
    start = text.find("+ Performance & Resource Estimates")
    if start < 0:
        raise ValueError(f"{source}: a synthesis summary without its 'Performance & Resource Estimates' table")
    header_lines, rows, borders = [], [], 0
    for line in text[start:].splitlines()[1:]:
        stripped = line.strip()
        if stripped.startswith("+-"):
            borders += 1
            if borders == 3:
                break
        elif stripped.startswith("|") and stripped.endswith("|"):
            cells = [c for c in stripped[1:-1].split("|")]
            (header_lines if borders == 1 else rows).append(cells)
        elif borders:
            break
    if borders < 3 or not header_lines:
        raise ValueError(f"{source}: the summary's estimates table is cut short")
    header = [" ".join(line[k].strip() for line in header_lines if k < len(line)).strip()
              for k in range(len(header_lines[0]))]
    return header, rows


def _columns(header: list[str], source: str) -> dict[str, int]:
    found = {}
    for key, words in COLUMNS.items():
        index = next((k for k, text in enumerate(header) if text == words or text.startswith(words + " ")
                      or (key == "name" and text.startswith(words))), None)
        if index is not None:
            found[key] = index
    if "name" not in found or "latency" not in found:
        raise ValueError(f"{source}: the summary table has no 'Modules & Loops' or 'Latency (cycles)' column "
                         f"(columns: {header})")
    return found
