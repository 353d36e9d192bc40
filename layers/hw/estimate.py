"""``Estimate``: what one layer costs, named as Vitis HLS and hls4ml reports name it.

Resources ``BRAM_18K``, ``DSP``, ``FF``, ``LUT``, ``URAM``; latencies ``BestLatency`` and
``WorstLatency`` and initiation intervals ``IntervalMin``/``IntervalMax`` in cycles.
``dominant`` says which loop or array drives the number a user most likely wants to cut,
and ``memories`` lists every array with where it went.

    >>> a = Estimate(BRAM_18K=4, DSP=1, BestLatency=100, WorstLatency=120, IntervalMin=101, IntervalMax=121)
    >>> b = Estimate(BRAM_18K=2, DSP=3, BestLatency=50, WorstLatency=50, IntervalMin=51, IntervalMax=51)
    >>> s = sequential([a, b]); s.BRAM_18K, s.WorstLatency, s.IntervalMax
    (6, 170, 171)
    >>> dataflow([a, b]).IntervalMax    # stages overlap: the slowest one sets the interval
    121
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RESOURCES = ("BRAM_18K", "DSP", "FF", "LUT", "URAM")
LATENCIES = ("BestLatency", "WorstLatency", "IntervalMin", "IntervalMax")
Storage = Literal["BRAM", "URAM", "LUTRAM", "registers", "port"]  # port: the caller's memory


@dataclass(frozen=True)
class MemoryCost:
    """One on-chip array: its shape, banks, copies (2 = ping-pong) and what it occupies."""

    name: str
    width: int
    depth: int  # words per copy, all banks together
    banks: int
    copies: int
    storage: Storage
    BRAM_18K: int = 0
    URAM: int = 0
    LUT: int = 0
    FF: int = 0


@dataclass(frozen=True)
class Estimate:
    BRAM_18K: int = 0
    DSP: int = 0
    FF: int = 0
    LUT: int = 0
    URAM: int = 0
    BestLatency: int = 0
    WorstLatency: int = 0
    IntervalMin: int = 0
    IntervalMax: int = 0
    dominant: str = ""
    memories: tuple[MemoryCost, ...] = ()
    parallel: int = 1  # multiplies (or lanes) working each cycle

    def resources(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in RESOURCES}

    def latencies(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in LATENCIES}

    def report(self) -> dict[str, int]:
        """The Vitis-named numbers, resources first."""
        return {**self.resources(), **self.latencies()}

    def latency_ms(self, clock_ns: float, worst: bool = True) -> float:
        return (self.WorstLatency if worst else self.BestLatency) * clock_ns * 1e-6


def _sum_resources(parts: list[Estimate]) -> dict[str, int]:
    return {name: sum(getattr(p, name) for p in parts) for name in RESOURCES}


def sequential(parts: list[Estimate]) -> Estimate:
    """Kernels run one after another on their own hardware: resources and latencies add;
    the next input can enter when the last kernel is done."""
    best = sum(p.BestLatency for p in parts)
    worst = sum(p.WorstLatency for p in parts)
    return Estimate(**_sum_resources(parts), BestLatency=best, WorstLatency=worst,
                    IntervalMin=best + 1, IntervalMax=worst + 1, dominant=_slowest(parts))


def dataflow(parts: list[Estimate]) -> Estimate:
    """Kernels connected by ping-pong buffers under DATAFLOW: the latency still adds up,
    but a new input enters as soon as the slowest stage is free."""
    total = sequential(parts)
    return Estimate(**total.resources(), BestLatency=total.BestLatency, WorstLatency=total.WorstLatency,
                    IntervalMin=max((p.IntervalMin for p in parts), default=0),
                    IntervalMax=max((p.IntervalMax for p in parts), default=0), dominant=total.dominant)


def _slowest(parts: list[Estimate]) -> str:
    return max(parts, key=lambda p: p.WorstLatency).dominant if parts else ""
