"""im2col: a convolution's input as the (P, K) matrix of its patches, one row per output
position, columns in the PyTorch weight layout's order ``k = (n * kh + i) * kw + j``.

The conv kernel multiplies it by the (K, M) weights (``mac``). Built in groups of images
whose matrix stays in cache (``Im2col.chunks``), compiled where numba is there
(``jit_gemm.im2col``: one pass from the input into a transposed buffer), else by numpy
(``Im2col.patches``); both into one per-thread scratch block that only grows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import jit_gemm

PATCH_BYTES = 1 << 23  # im2col bytes built and consumed at once: in cache (measured best of 1-64 MiB)
HUGE_PAGE = 1 << 21  # a transparent huge page on x86-64
_SCRATCH = threading.local()  # per thread: simulations may run in threads (a Dask worker's)


@dataclass(frozen=True)
class Im2col:
    """The patches of a ``kernel`` window moved by ``stride`` over an input zero-padded
    by ``padding``, per group of ``groups`` (input channels split evenly)."""

    kernel: tuple[int, int]
    stride: int
    padding: int
    groups: int

    def chunks(self, shape: tuple[int, ...], positions: int, itemsize: int,
               chunked: bool = True) -> list[tuple[int, int]]:
        """Images in groups whose im2col matrix is about PATCH_BYTES: built, multiplied
        and finished while it is in cache (a whole batch's would stream through memory
        three times). One group when numba is off (the numpy im2col is one pass anyway)."""
        batch = shape[0]
        per_image = positions * (shape[1] // self.groups) * self.kernel[0] * self.kernel[1] * itemsize
        step = batch if not (chunked and jit_gemm.available()) else max(1, PATCH_BYTES // max(1, per_image))
        return [(first, min(first + step, batch)) for first in range(0, batch, step)]

    def compiled(self, raw: np.ndarray, dtype, rows: int, cols: int) -> Iterator[np.ndarray]:
        """Per group, the (P, K) matrix of ``raw`` in ``dtype``: compiled (returned as a
        view of the transposed buffer) or, without numba, ``patches``. Each group's patches
        are overwritten by the next group's."""
        if not jit_gemm.available():
            yield from self.patches(raw.astype(dtype), pad_value=0)
            return
        n_in = raw.shape[1] // self.groups
        for g in range(self.groups):
            buffer = scratch((n_in * self.kernel[0] * self.kernel[1], raw.shape[0] * rows * cols), dtype)
            jit_gemm.im2col(raw, buffer, g * n_in, self.kernel, self.stride, self.padding, rows, cols)
            yield buffer.T  # (P, K), a view: the matrix product reads it transposed

    def patches(self, x: np.ndarray, pad_value) -> Iterator[np.ndarray]:
        """Per group, the (P, K) matrix by numpy. The rows are copied into the scratch
        block: fresh memory of this size would be page-faulted in on every batch, which
        costs more than the copy itself."""
        p = self.padding
        padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=pad_value) if p else x
        windows = sliding_window_view(padded, self.kernel, axis=(2, 3))[:, :, ::self.stride, ::self.stride]
        n_in = x.shape[1] // self.groups
        for g in range(self.groups):
            part = windows[:, g * n_in:(g + 1) * n_in].transpose(0, 2, 3, 1, 4, 5)  # (B, R, C, n, kh, kw)
            buffer = scratch(part.shape, x.dtype)
            np.copyto(buffer, part)
            yield buffer.reshape(-1, n_in * self.kernel[0] * self.kernel[1])


def scratch(shape: tuple, dtype) -> np.ndarray:
    """A buffer of ``shape`` and ``dtype``, overwritten by each use: a view of one block
    of memory per thread that only grows. Fresh memory of this size would be page-faulted
    in on every call; the cache of buffers per shape this replaces thrashed once a run
    had more shapes than it kept (fixed and float patches, last chunks: im2col in a
    classification run took 3.5-4 ns per element on conv2-5, 0.5-0.8 ns now). Each use
    is consumed before the next begins (patches are multiplied before the next are built).
    The block starts on a 2 MiB boundary, so that the kernel can back it with huge pages
    (numpy asks for them on large arrays): unaligned, whether it got them varied from one
    process to the next, and the exact path took 1.2 or 2.2 ms/image accordingly."""
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    block = getattr(_SCRATCH, "block", None)
    if block is None or block.nbytes < nbytes:
        raw = np.empty(max(nbytes, 1) + HUGE_PAGE, dtype=np.uint8)
        start = -raw.ctypes.data % HUGE_PAGE
        block = _SCRATCH.block = raw[start:start + max(nbytes, 1)]
    return block[:nbytes].view(dtype).reshape(shape)
