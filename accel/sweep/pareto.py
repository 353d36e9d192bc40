"""The Pareto front: points no other point beats on accuracy and every cost at once.

    >>> rows = [{"acc": 0.80, "DSP": 10}, {"acc": 0.79, "DSP": 5}, {"acc": 0.78, "DSP": 8}]
    >>> pareto_front(rows, maximize="acc", minimize=("DSP",))
    [0, 1]
"""

from __future__ import annotations


def dominates(a: dict, b: dict, maximize: str, minimize: tuple[str, ...]) -> bool:
    """``a`` is at least as good as ``b`` everywhere and better somewhere."""
    no_worse = a[maximize] >= b[maximize] and all(a[k] <= b[k] for k in minimize)
    better = a[maximize] > b[maximize] or any(a[k] < b[k] for k in minimize)
    return no_worse and better


def pareto_front(rows: list[dict], maximize: str, minimize: tuple[str, ...]) -> list[int]:
    """Indices of the rows on the front, in their order."""
    return [i for i, row in enumerate(rows)
            if not any(dominates(other, row, maximize, minimize) for j, other in enumerate(rows) if j != i)]
