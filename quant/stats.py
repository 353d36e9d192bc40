"""``OverflowStats``: what a conversion did to its elements.

Pass one to any conversion (``to_raw``, ``cast``); it adds up, over
every call it is given to, how many elements were converted, how many were above or
below the target range (saturated or wrapped, depending on the overflow mode), and how
many lost precision (had nonzero bits below the target LSB). The layers keep one per
stage (product, accumulation, result), so a report can say *where* a design overflows.

    >>> from quant import FixedType
    >>> stats = OverflowStats()
    >>> _ = FixedType.parse("ap_fixed<8,3,AP_RND,AP_SAT>").to_raw([0.1, 5.0, -9.0, 1.0], stats)
    >>> stats.elements, stats.overflows, stats.rounded
    (4, 2, 1)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass
class OverflowStats:
    """Running counts of one conversion stage (mutable: it accumulates)."""

    elements: int = 0
    overflow_high: int = 0  # above the maximum before overflow handling
    overflow_low: int = 0  # below the minimum (and, for SAT_SYM, equal to it)
    rounded: int = 0  # elements whose exact value was not representable in the LSB

    @property
    def overflows(self) -> int:
        """Elements that were out of range, in either direction."""
        return self.overflow_high + self.overflow_low

    def record(self, elements: int, high, low, rounded) -> None:
        """Add one batch. ``high``/``low``/``rounded`` are boolean arrays, counts or None."""
        self.elements += int(elements)
        self.overflow_high += _count(high)
        self.overflow_low += _count(low)
        self.rounded += _count(rounded)

    def __iadd__(self, other: "OverflowStats") -> "OverflowStats":
        self.record(other.elements, other.overflow_high, other.overflow_low, other.rounded)
        return self

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "overflows": self.overflows}


def _count(flags) -> int:
    if flags is None:
        return 0
    if isinstance(flags, np.ndarray):
        return int(np.count_nonzero(flags))
    return int(flags)
