"""The sums of a ``LayerTally`` in one compiled pass over a layer's raw integers.

A classification or a sweep tallies every layer of every batch against its float
reference. Written with numpy that is six passes (raws to doubles, the error, its square,
its magnitude, the reference's energy and range) and two temporaries as large as the
layer: on the 32×32 AlexNet it took half as long as simulating the network. Here each
element is read once::

    for i in block:                       # fixed blocks of BLOCK elements, in parallel
        v = raw[i] * 2**-frac             # the fixed value, exact in a double
        e = v - reference[i]
        noise += e*e;  signal += r*r;  abs_error += |e|;  max_error = max(max_error, |e|)
        within += |e| <= tolerance;  low = min(low, r);  high = max(high, r)

Deterministic on any machine: each block sums its elements in LANES fixed lanes
(element ``i`` into lane ``i % LANES``; the lanes are independent, so the compiler may
vectorize them without reordering any sum), and the blocks' sums are added in block
order — the same bits whatever the number of threads.
"""

from __future__ import annotations

import math

import numpy as np

from layers.kernels.jit_loop import available, numba
from quant import FixedType

BLOCK = 1 << 14
LANES = 8


def raw_sums(raw: np.ndarray, t: FixedType, reference: np.ndarray, tolerance: float) -> dict | None:
    """The tally's sums of the values of ``raw`` (of type ``t``) against ``reference``,
    or None where the kernel does not apply (no numba, raws that are not integers or
    wider than a double's 53 bits, shapes that differ)."""
    if not available() or raw.dtype.kind not in "iu" or t.width > 53 or raw.size != reference.size \
            or reference.dtype not in (np.float32, np.float64):
        return None
    raw = np.ascontiguousarray(raw).reshape(-1)
    ref = np.ascontiguousarray(reference).reshape(-1)
    parts = np.empty((max(1, -(-raw.size // BLOCK)), 7))
    _sums(raw, math.ldexp(1.0, -t.frac), ref, float(tolerance), parts)
    return {"noise": float(parts[:, 0].sum()), "signal": float(parts[:, 1].sum()),
            "max_error": float(parts[:, 2].max()), "abs_error": float(parts[:, 3].sum()),
            "within": int(parts[:, 4].sum()), "low": float(parts[:, 5].min()),
            "high": float(parts[:, 6].max()), "count": int(raw.size)}


if numba is not None:
    @numba.njit(inline="always")
    def _add(raw, ref, scale, tolerance, lane, noise, signal, absolute, largest, low, high):
        r = np.float64(ref)
        e = abs(np.float64(raw) * scale - r)
        noise[lane] += e * e
        signal[lane] += r * r
        absolute[lane] += e
        largest[lane] = e if e > largest[lane] else largest[lane]
        low[lane] = r if r < low[lane] else low[lane]
        high[lane] = r if r > high[lane] else high[lane]
        return e <= tolerance

    @numba.njit(parallel=True, cache=True)
    def _sums(raw, scale, ref, tolerance, parts):
        n = raw.size
        for b in numba.prange(parts.shape[0]):
            lo, hi = b * BLOCK, min(n, (b + 1) * BLOCK)
            noise, signal, absolute = np.zeros(LANES), np.zeros(LANES), np.zeros(LANES)
            largest, low, high = np.zeros(LANES), np.full(LANES, np.inf), np.full(LANES, -np.inf)
            within = 0
            full = lo + (hi - lo) // LANES * LANES
            for i0 in range(lo, full, LANES):  # a constant trip count: unrolled into vector lanes
                for lane in range(LANES):
                    within += _add(raw[i0 + lane], ref[i0 + lane], scale, tolerance, lane,
                                   noise, signal, absolute, largest, low, high)
            for i in range(full, hi):
                within += _add(raw[i], ref[i], scale, tolerance, i - full, noise, signal, absolute, largest, low, high)
            parts[b, 0], parts[b, 1], parts[b, 2] = noise.sum(), signal.sum(), largest.max()
            parts[b, 3], parts[b, 4], parts[b, 5], parts[b, 6] = absolute.sum(), within, low.min(), high.max()
