"""What a synthesis report says of a module: its latency, interval, loops and resources.

``csynth`` reads them from Vitis' per-module reports (XML and text), ``csynth_summary``
from the Synthesis Summary Report of Vitis 2022.1 and later; ``calibrate`` compares them
with the estimates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RESOURCES = ("BRAM_18K", "DSP", "FF", "LUT", "URAM")


@dataclass(frozen=True)
class LoopReport:
    name: str
    trip_count: int | None
    latency: int | None  # worst case, cycles
    iteration_latency: int | None = None
    ii: int | None = None  # achieved initiation interval (pipelined loops)
    depth: int | None = None  # pipeline depth
    loops: tuple["LoopReport", ...] = ()  # loops nested in this one


@dataclass(frozen=True)
class ModuleReport:
    name: str
    source: str
    best_latency: int | None
    worst_latency: int | None
    interval: int | None  # Interval-max
    resources: dict[str, int] = field(default_factory=dict)
    loops: tuple[LoopReport, ...] = ()
    part: str = ""
    clock_ns: float | None = None
    version: str = ""
    from_summary: bool = False  # a row of the Synthesis Summary Report (one latency, no clock)

    def all_loops(self) -> list[LoopReport]:
        found, stack = [], list(self.loops)
        while stack:
            loop = stack.pop(0)
            found.append(loop)
            stack[:0] = list(loop.loops)
        return found


def number(text: str | None, kind=int):
    """An integer (or ``kind``) from a report cell; None for ``?``, ``undef``, ``-``, empty."""
    if text is None:
        return None
    text = text.strip().replace(",", "")
    try:
        return kind(float(text)) if kind is int else kind(text)
    except ValueError:
        return None
