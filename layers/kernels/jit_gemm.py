"""Compiled work around the exact matrix product (numba): im2col in, fused epilogue out.

On the ``blas`` path the float64 matrix product itself runs near the machine's peak; what
surrounded it cost as much again in numpy passes: converting the input to float64,
padding it, copying the im2col rows (one pass each), and after the product converting
to int64, shifting, adding the bias, wrapping, ReLU, the result cast's floor, rounding
and overflow passes, and a transpose to NCHW. Here:

- ``im2col`` writes the transposed (K, P) patch matrix straight from the (N, C, H, W)
  integer input (zeros for padding), in the dtype the product takes;
- ``epilogue`` takes a block of the product ``w.T @ patches``, (M, rows), and, per element, forms
  the accumulator ``(acc << align) + bias``, wraps it if the accumulator wraps, applies
  ReLU, casts to ``result_t`` (``jit_lrn.fit``: floor, rounding rule, overflow) and
  stores it in NCHW order, counting overflows and rounded values — one pass.

Both are exact by construction (integer arithmetic in int64; the float64 product holds
integers below 2**52, checked by the caller); the tests hold them to the numpy path.
"""

from __future__ import annotations

import numpy as np

from quant import FixedType, Overflow

from .jit_loop import ROUNDING_ID, available, numba, type_params
from .jit_mac import NONE, fit, overflow_kind, settle

WIDEST = 62


def epilogue_supported(accum: FixedType, result: FixedType) -> bool:
    """The accumulator and the result cast fit the kernel's int64 arithmetic."""
    if not available() or accum.width > WIDEST or result.width > WIDEST or result.sat_bits:
        return False
    if accum.overflow is Overflow.WRAP and accum.sat_bits:
        return False
    return result.overflow in (Overflow.WRAP, Overflow.SAT, Overflow.SAT_SYM, Overflow.SAT_ZERO) and \
        accum.width + max(0, result.frac - accum.frac) <= WIDEST


def im2col(x: np.ndarray, out: np.ndarray, first_channel: int, kernel: tuple[int, int], stride: int,
           padding: int, rows: int, cols: int) -> None:
    """Fill ``out`` (n*kh*kw, N*rows*cols) — the transposed patch matrix — with the patches
    of channels ``first_channel .. first_channel + n`` of ``x`` (N, C, H, W): row
    (channel, i, j), column (b, r, c). Transposed because then every write is a run
    along an input row, and the matrix product ``w.T @ patches`` gives (M, positions):
    the NCHW layout of the output, which the epilogue stores without a transpose."""
    _im2col(x, out, first_channel, kernel[0], kernel[1], stride, padding, rows, cols)


SMALL_BATCH = 32  # at most this many positions (a dense layer's images): the integer product


def small_batch_product(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``(x @ w).T`` (M, P) in int64 for a few positions ``x`` (P, K) and narrow integer
    weights ``w`` (K, M: int16 where the raws fit). A dense layer on a small batch reads
    each weight once per batch: its time is the weights' bytes, and int16 raws are a
    quarter of float64 ones (AlexNet-227's fc1 on 8 images: 78 ms as a float64 product,
    16 ms here). Exact: int64 sums (modulo 2**64 where a bound would not hold, as the
    int64 matrix product). Zero inputs (after a ReLU, about half) are skipped."""
    threads = numba.get_num_threads()
    block = max(256, -(-w.shape[1] // (4 * threads)))
    return _small_batch(np.ascontiguousarray(x), np.ascontiguousarray(w), block)


_KERNELS: dict = {}


def epilogue(total: np.ndarray, first_row: int, acc0: np.ndarray, align: int, accum: FixedType, relu: bool,
             result: FixedType, out: np.ndarray, first_output: int) -> tuple[int, int, int]:
    """Finish rows ``first_row ..`` of a MAC layer from ``total`` (M, rows), the sums
    of the products in units of the exact product: store ``(result_t)`` of each into
    ``out`` (N, M_all, positions) at outputs ``first_output ..``. Returns the result
    cast's (above, below, rounded) counts."""
    wrap_kind = overflow_kind(accum) if accum.overflow is Overflow.WRAP else NONE
    shift = accum.frac - result.frac
    key = (ROUNDING_ID[result.rounding] if shift > 0 else -1, overflow_kind(result), wrap_kind, int(relu))
    if key not in _KERNELS:
        _KERNELS[key] = _compile(*key)
    counts = np.zeros(3, dtype=np.int64)  # filled by the kernel (a returned new array failed to box when cached)
    _KERNELS[key](total, first_row, acc0.astype(np.int64, copy=False), align, accum.width, shift,
                  type_params(result), out, first_output, counts)
    return int(counts[0]), int(counts[1]), int(counts[2])


if numba is not None:
    @numba.njit(cache=True)
    def _im2col(x, out, first_channel, kh, kw, stride, padding, rows, cols):
        """Serial: it fills a cache-sized block between two matrix products, and waking
        numba's threads there would contend with BLAS's own. The padding's columns are
        known from ``j``: the inner loop copies along an input row without a test. The
        indices are unsigned (they are never negative here): numba then drops its
        negative-index check, and the copy vectorizes (measured 2-3.5x faster)."""
        batch, _, height, width = x.shape
        channels = out.shape[0] // (kh * kw)
        for n in range(channels):
            for i in range(kh):
                for j in range(kw):
                    dst = out[(n * kh + i) * kw + j]
                    shift = j - padding  # input column = c * stride + shift
                    c_lo = min(cols, max(0, (stride - 1 - shift) // stride))
                    c_hi = max(c_lo, min(cols, (width - 1 - shift) // stride + 1))
                    for b in range(batch):
                        plane = x[b, first_channel + n]
                        for r in range(rows):
                            y = r * stride + i - padding
                            base = (b * rows + r) * cols
                            if y < 0 or y >= height:
                                for c in range(cols):
                                    dst[np.uint64(base + c)] = 0
                                continue
                            line = plane[y]
                            for c in range(c_lo):
                                dst[np.uint64(base + c)] = 0
                            for c in range(c_lo, c_hi):
                                dst[np.uint64(base + c)] = line[np.uint64(c * stride + shift)]
                            for c in range(c_hi, cols):
                                dst[np.uint64(base + c)] = 0


    @numba.njit(parallel=True, cache=True)
    def _small_batch(x, w, block):
        positions, k_len = x.shape
        outputs = w.shape[1]
        out = np.empty((outputs, positions), dtype=np.int64)
        for b in numba.prange((outputs + block - 1) // block):
            m0 = b * block
            width = min(block, outputs - m0)
            acc = np.zeros((positions, width), dtype=np.int64)
            for k in range(k_len):
                row = w[k, m0:m0 + width]
                for p in range(positions):
                    xv = np.int64(x[p, k])
                    if xv == 0:
                        continue
                    lane = acc[p]
                    for m in range(width):
                        lane[m] += xv * row[m]
            for p in range(positions):
                for m in range(width):
                    out[m0 + m, p] = acc[p, m]
        return out


def _compile(rounding: int, kind: int, wrap_kind: int, relu: int):
    """One epilogue per result rounding and overflow, accumulator wrap and ReLU (closure
    constants: the tests fold away)."""

    @numba.njit(cache=True)
    def finish(total, first_row, acc0, align, accum_width, shift, result, out, first_output, counts):
        """Serial: a block is a few hundred KiB, in cache; threads would cost more to wake
        than they save. ``total`` is (M, rows): each output channel's row of positions is
        read and stored contiguously."""
        outputs, rows = total.shape
        positions = out.shape[2]
        above, below, dropped = np.int64(0), np.int64(0), np.int64(0)
        for m in range(outputs):
            bias = acc0[m]
            source = total[m]
            image, position = first_row // positions, first_row % positions
            i = 0
            while i < rows:
                run = min(rows - i, positions - position)
                target = out[image, first_output + m]
                for t in range(run):  # contiguous on both sides: vectorizes
                    v = (np.int64(source[np.uint64(i + t)]) << align) + bias  # (unsigned: see _im2col)
                    if wrap_kind != NONE:  # a modular sum: the accumulator's value is its low W bits
                        v, _ = settle(v, accum_width, np.int64(0), np.int64(0), wrap_kind)
                    if relu:
                        v = max(v, np.int64(0))
                    r, f, lost = fit(v, shift, rounding, result, kind)
                    target[np.uint64(position + t)] = r
                    above += f & 0xFFFFFFFF
                    below += f >> 32
                    dropped += lost
                i += run
                image, position = image + 1, 0
        counts[0], counts[1], counts[2] = above, below, dropped

    return finish
