"""Compiled max-pooling (numba): one pass over each channel plane.

The numpy path (``MaxPool._pool``) makes one strided pass per window offset (nine for a
3×3 window), each over the whole batch. This kernel visits each output once and reads its
window from the plane while the plane is in cache; planes are shared among the cores.
Taking a maximum never rounds or overflows, so there is nothing to count: the result is
one of the inputs (padding, outside the image, never wins: it holds the type's minimum).
"""

from __future__ import annotations

import numpy as np

from .jit_loop import available, numba


def pool(x: np.ndarray, kernel: int, stride: int, padding: int, rows: int, cols: int) -> np.ndarray | None:
    """(N, C, rows, cols) maxima of an (N, C, H, W) integer array, or None without numba."""
    if not available() or padding >= kernel:  # (a window wholly in the padding: the numpy path)
        return None
    batch, channels, height, width = x.shape
    planes = np.ascontiguousarray(x).reshape(batch * channels, height, width)
    return _pool(planes, kernel, stride, padding, rows, cols).reshape(batch, channels, rows, cols)


if numba is not None:
    @numba.njit(parallel=True, cache=True)
    def _pool(planes, kernel, stride, padding, rows, cols):
        """Separable: the maximum along each needed input row's windows first, then down
        the columns — 2k comparisons per output instead of k*k (a window that overlaps
        its neighbours would read each input k*k/stride**2 times)."""
        count, height, width = planes.shape
        out = np.empty((count, rows, cols), dtype=planes.dtype)
        for p in numba.prange(count):
            plane = planes[p]
            across = np.empty((height, cols), dtype=planes.dtype)  # row maxima per output column
            for y in range(height):
                for c in range(cols):
                    left = c * stride - padding
                    j0, j1 = max(left, 0), min(left + kernel, width)
                    best = plane[y, j0]
                    for j in range(j0 + 1, j1):
                        best = max(best, plane[y, j])
                    across[y, c] = best
            for r in range(rows):
                top = r * stride - padding
                i0, i1 = max(top, 0), min(top + kernel, height)
                for c in range(cols):
                    out[p, r, c] = across[i0, c]
                for i in range(i0 + 1, i1):
                    for c in range(cols):
                        out[p, r, c] = max(out[p, r, c], across[i, c])
        return out
