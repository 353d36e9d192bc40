"""Counting the products a cast rounds, without forming them.

A product ``x·w`` cast to a type with ``shift`` fewer fraction bits rounds (drops nonzero
bits) exactly when its trailing zeros, ``tz(x) + tz(w)``, are fewer than ``shift``. Counting
those per reduction index from histograms of trailing zeros costs O(P·K + K·M) instead of
the O(P·K·M) of forming every product: what the overflow/rounding tallies of the compiled
MAC kernels (``jit_mac``) need when they skip the products' casts.
"""

from __future__ import annotations

import numpy as np

from .jit_loop import numba


def rounded_products(xt: np.ndarray, w_hist: np.ndarray, shift: int) -> int:
    """How many of the products ``x[p, k] * w[k, m]`` (over every p, k, m) drop nonzero
    bits when shifted right by ``shift``: those whose trailing zeros, ``tz(x) + tz(w)``,
    are fewer than ``shift``. Counted per k from histograms of trailing zeros (capped at
    ``shift``; a zero has them all; ``w_hist`` is the weights', from
    ``trailing_zero_histogram(w, shift)``), so it costs O(P·K + K·M), not O(P·K·M).
    ``xt`` is ``x`` transposed, (K, P)."""
    x_hist = trailing_zero_histogram(xt, shift)
    below = np.cumsum(w_hist, axis=1)  # below[k, j]: weights of row k with tz <= j
    return int(sum(x_hist[:, a] @ below[:, shift - a - 1] for a in range(shift)))


def trailing_zero_histogram(a: np.ndarray, shift: int) -> np.ndarray:
    """hist[k, t]: how many of row ``a[k]`` have t trailing zeros (t capped at ``shift``)."""
    return _histogram(np.ascontiguousarray(a), shift, 4 * numba.get_num_threads(), _DE_BRUIJN_TABLE)


# Trailing zeros of a power of two 2**i by one multiply and one lookup (a de Bruijn
# sequence: the top 6 bits of 2**i * B are distinct for every i < 64): ~3x faster than
# testing the bits one by one, which made this count a fifth of a layer's time.
_DE_BRUIJN = 0x03F79D71B4CB0A89
_DE_BRUIJN_TABLE = np.zeros(64, dtype=np.int64)
for _i in range(64):
    _DE_BRUIJN_TABLE[((1 << _i) * _DE_BRUIJN % (1 << 64)) >> 58] = _i

if numba is not None:
    @numba.njit(parallel=True, cache=True)
    def _histogram(a, shift, chunks, table):
        k_len, samples = a.shape
        chunks = max(1, min(samples, chunks))
        parts = np.zeros((chunks, k_len, shift + 1), dtype=np.int64)
        for c in numba.prange(chunks):
            part = parts[c]
            lo, hi = c * samples // chunks, (c + 1) * samples // chunks
            for k in range(k_len):
                row = a[k]
                local = np.zeros(shift + 1, dtype=np.int64)
                for p in range(lo, hi):
                    v = np.int64(row[p])
                    low = np.uint64(v & -v)  # the lowest set bit; 0 for v = 0, which has every zero
                    t = table[(low * np.uint64(_DE_BRUIJN)) >> np.uint64(58)]
                    local[shift if (v == 0 or t > shift) else t] += 1
                for t in range(shift + 1):
                    part[k, t] += local[t]
        return parts.sum(axis=0)
