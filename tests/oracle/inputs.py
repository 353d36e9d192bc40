"""Test inputs that probe every corner of a conversion: scales, ties and range edges."""

from __future__ import annotations

import random as pyrandom

import numpy as np

from quant import FixedType

HUGE = [1e19, -1e19, 3e30, -3e30, 1.7e308, -1.7e308, 2.0**63, -(2.0**63), 2.0**64]
TINY = [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 2.0**-1022, -(2.0**-1022)]


def doubles_for(t: FixedType, rng: np.random.Generator, count: int = 400) -> np.ndarray:
    """Doubles that exercise ``t``: random values at many scales around its range,
    exact ties half an LSB from representable values, and the range boundaries."""
    lsb = np.ldexp(1.0, -t.frac)
    top = np.ldexp(1.0, t.integer - int(t.signed)) if t.signed else np.ldexp(1.0, t.integer)
    scales = top * np.array([2.0**-40, 1e-6, 1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 16.0, 1e3, 2.0**40])
    random = rng.standard_normal(count) * rng.choice(scales, count)
    ties = (rng.integers(t.min_raw // 2 - 3, t.max_raw // 2 + 3, 64, dtype=np.int64)
            if t.width < 62 else rng.integers(-(2**40), 2**40, 64)) + 0.5
    edges_raw = np.array([t.min_raw, t.min_raw + 1, t.max_raw - 1, t.max_raw, 0, 1, -1], dtype=np.float64)
    around = np.concatenate([edges_raw + d for d in (-1.0, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0)])
    wraps = np.array([2.0**t.width, -(2.0**t.width), 2.0**t.width + 0.5, 3 * 2.0**(t.width - 1) + 0.5,
                      -(2.0**(t.width - 1)) - 0.5, 2.0**(t.width + 1) - 0.5])
    in_lsbs = np.concatenate([ties, around, wraps, -ties])
    values = np.concatenate([random, in_lsbs * lsb, HUGE, TINY, rng.uniform(-4, 4, 32), near_ties(np.concatenate([ties[:16], [0.5, 1.5]]) * lsb)])
    return values[np.isfinite(values)]


def near_ties(ties: np.ndarray, ulps: int = 3) -> np.ndarray:
    """Doubles within ``ulps`` units in the last place of each tie, both sides and both
    signs: a rounding that computes the dropped fraction in float64 sees some of them as
    exact ties (e.g. -0.5 LSB + 1 ulp, where 1 - 0.49999999999999994 rounds to 0.5)."""
    found = []
    for start in np.concatenate([ties, -ties]):
        up = down = float(start)
        for _ in range(ulps):
            up, down = np.nextafter(up, np.inf), np.nextafter(down, -np.inf)
            found += [up, down]
    return np.array(found)


def raws_for(t: FixedType, rng: np.random.Generator, count: int = 300) -> np.ndarray:
    """Raw values of ``t``: uniform over its range, plus both extremes and their neighbours."""
    lo, hi = t.min_raw, t.max_raw
    edges = [v for v in (lo, lo + 1, lo + 2, hi - 2, hi - 1, hi, 0, 1, -1, 2) if lo <= v <= hi]
    if t.is_native:
        random = rng.integers(lo, hi, count, dtype=np.int64, endpoint=True)
        small = rng.integers(max(lo, -300), min(hi, 300), count // 3, dtype=np.int64, endpoint=True)
        return np.concatenate([random, small, np.array(edges, dtype=np.int64)])
    draw = pyrandom.Random(int(rng.integers(2**31)))
    values = [draw.randint(lo, hi) for _ in range(count)] + edges
    return np.array(values, dtype=object)
