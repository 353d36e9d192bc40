"""Compiled MAC kernels (numba) for per-product casts and order-dependent accumulators.

What hls4ml's C++ (and most hand-written HLS) does per output is::

    acc = (accum_t) bias;
    for k in the nest's order:  acc = (accum_t)(acc + (product_t)(w[k] * x[k]));

With ``product_t`` narrower than the exact product, every product rounds on its own;
with a saturating (or counted) accumulator, the order matters. Both defeat the float64
matrix product, and numpy's vectorized steps cost a few ns per MAC. This kernel runs the
loop above compiled, one tile of positions (im2col rows) per work item:

- ``w[k] * x[k]`` from 32-bit operands into a 64-bit product, cast by one arithmetic shift
  and a branch-free rounding rule, its overflow by a sign-extension (``WRAP``) or a clamp;
- the sum in 64-bit lanes, checked against the accumulator's range at every step when
  overflow can happen (the bound of ``mac._safe_columns`` says when it cannot), so that
  the counts by stage are those of C-simulation;
- rounding rule, overflow handlers and zero test are compile-time constants of one kernel
  per combination: the inner loop, over the outputs of a weight row, has no branches and
  vectorizes; an input of 0 (half of them after a ReLU) skips its row — exactly.

Kernels compile on first use and are cached on disk (numba's ``cache=True``).
``supports(types)`` says which layers qualify; the others keep ``jit_loop`` or the numpy
paths. Tests hold every kernel bit for bit and count for count against the numpy
reference path and the C++ oracle.
"""

from __future__ import annotations

import numpy as np

from quant import Overflow, Rounding
from quant.overflow import low_bound

from . import jit_loop
from .jit_loop import ROUNDING_ID, cast, numba, type_params
from .trailing_zeros import rounded_products, trailing_zero_histogram

NONE, WRAP, SAT, SAT_ZERO, UWRAP = 0, 1, 2, 3, 4  # overflow handling of a cast (NONE: proven impossible)
OVERFLOW_KIND = {Overflow.WRAP: WRAP, Overflow.SAT: SAT, Overflow.SAT_SYM: SAT, Overflow.SAT_ZERO: SAT_ZERO}


def overflow_kind(t) -> int:
    """How ``settle`` handles ``t``'s overflow: WRAP keeps the low W bits as two's
    complement (signed) or as they are (unsigned, UWRAP)."""
    kind = OVERFLOW_KIND[t.overflow]
    return UWRAP if kind == WRAP and not t.signed else kind


TILE = 16  # positions per work item: their accumulators (TILE x outputs int64) stay in L1/L2


def supports(types) -> bool:
    """The layer's arithmetic fits the kernel: operands in 32-bit raws, their product and
    every sum in 64 bits, product and accumulator types the cast rules cover (no WRAP
    with saturation bits), a product no finer than the exact one, and an accumulator no
    coarser than the product (so that ``acc + p`` itself never rounds)."""
    full, product, accum, partial = types.full_product, types.product_type, types.accum, types.partial_type
    operands = (types.input, types.weight)
    if any(t.width > (32 if t.signed else 31) for t in operands):
        return False
    if full.width > 62 or product.width > 62 or accum.width > 62 or partial.width > 62:
        return False
    if any(t.overflow not in OVERFLOW_KIND or t.sat_bits for t in (product, accum)):
        return False
    if partial.overflow not in jit_loop.OVERFLOW_ID or partial.sat_bits:
        return False
    shift = full.frac - product.frac
    align = accum.frac - product.frac
    return shift >= 0 and align >= 0 and product.width + align <= 62 and jit_loop.available()


def product_can_overflow(types, largest: int | None = None) -> bool:
    """Whether ``(product_t)(w * x)`` can leave the product type's range: for any
    operands of the types, or, given ``largest`` (a bound on ``|w * x|`` in raw units of
    the full product, from the data), for these."""
    full, product = types.full_product, types.product_type
    shift = full.frac - product.frac
    high = full.max_raw if largest is None else min(full.max_raw, largest)
    low = -full.min_raw if largest is None else min(-full.min_raw, largest)
    # after rounding up the largest magnitude may grow by one LSB: compare raw bounds
    top = (high >> shift) + 1
    bottom = -(low >> shift) - 1 if full.signed else 0
    return top > product.max_raw or bottom < low_bound(product)


_KERNELS: dict = {}


def kernel(types, checked: bool, largest_product: int | None = None):
    """The compiled kernel for a layer's modes; ``checked``: test the accumulator's range
    at every step (False when a bound proved it cannot overflow, or when a wrapping
    accumulator's overflows are not counted: its sums are then taken modulo 2**W at the end).
    ``largest_product``: a bound on ``|w * x|`` from the data; when it proves that no
    product overflows, the kernel leaves out the product's range test (and its counters)."""
    product, accum, partial = types.product_type, types.accum, types.partial_type
    shift = types.full_product.frac - product.frac
    key = (ROUNDING_ID[product.rounding] if shift else -1,
           overflow_kind(product) if product_can_overflow(types, largest_product) else NONE,
           overflow_kind(accum) if checked else NONE,
           ROUNDING_ID[partial.rounding], jit_loop.OVERFLOW_ID[partial.overflow], int(partial.signed),
           ROUNDING_ID[accum.rounding], jit_loop.OVERFLOW_ID[accum.overflow], int(accum.signed),
           int(not checked and accum.overflow is Overflow.WRAP))
    if key not in _KERNELS:
        _KERNELS[key] = _compile(*key)
    return _KERNELS[key]


if numba is not None:
    TRN, TRN_ZERO, RND, RND_ZERO, RND_MIN_INF, RND_INF, RND_CONV = (ROUNDING_ID[m] for m in Rounding)

    @numba.njit(inline="always")
    def round_shift(v, shift, rounding):
        """``v >> shift`` rounded by rule ``rounding`` (a ``ROUNDING_ID``; -1: no shift),
        branch-free. Whether bits were dropped is counted outside (``rounded_products``)."""
        if rounding < 0:
            return v
        floor = v >> shift
        dropped = v - (floor << shift)  # 0 .. 2**shift - 1
        half = (dropped >> (shift - 1)) & 1
        rest = np.int64((dropped & ((np.int64(1) << (shift - 1)) - 1)) != 0)
        neg = np.int64(v < 0)
        if rounding == TRN:
            inc = np.int64(0)
        elif rounding == TRN_ZERO:
            inc = neg & np.int64(dropped != 0)
        elif rounding == RND:
            inc = half
        elif rounding == RND_ZERO:
            inc = half & (neg | rest)
        elif rounding == RND_MIN_INF:
            inc = half & rest
        elif rounding == RND_INF:
            inc = half & ((1 - neg) | rest)
        else:  # RND_CONV
            inc = half & ((floor & 1) | rest)
        return floor + inc

    @numba.njit(inline="always")
    def settle(q, width, lo, hi, kind):
        """``q`` into a type of ``width`` bits and range [lo, hi], and its overflows as one
        counter word: 1 above the range, 1 << 32 below it (one load-add-store per MAC)."""
        if kind == NONE:
            return q, np.int64(0)
        above, below = np.int64(q > hi), np.int64(q < lo)
        flags = above + (below << 32)
        if kind == WRAP:
            gap = 64 - width
            return (q << gap) >> gap, flags
        if kind == UWRAP:
            return q & ((np.int64(1) << width) - 1), flags
        if kind == SAT:
            return min(max(q, lo), hi), flags
        return q * (1 - (above | below)), flags  # SAT_ZERO

    @numba.njit(inline="always")
    def fit(v, shift, rounding, t, kind):
        """``T r = v`` for ``v`` in units of 2**-(T's fraction + shift): (raw, packed
        overflow flags as ``settle`` gives them, 1 if bits were dropped). ``rounding`` is
        -1 when ``shift <= 0`` (nothing to round: a left shift)."""
        if rounding < 0:
            q, dropped = v << -shift, np.int64(0)
        else:
            q = round_shift(v, shift, rounding)
            dropped = np.int64((v & ((np.int64(1) << shift) - 1)) != 0)
        r, flags = settle(q, t[1], t[6], t[5], kind)
        return r, flags, dropped

    @numba.njit(inline="always")
    def wrapped(v, width, signed):
        """The low ``width`` bits of ``v``: two's complement (signed) or as they are."""
        if signed:
            gap = 64 - width
            return (v << gap) >> gap
        return v & ((np.int64(1) << width) - 1)


def _compile(rounding: int, product_overflow: int, accum_overflow: int, partial_rounding: int,
             partial_kind: int, partial_signed: int, accum_rounding: int, accum_kind: int, accum_signed: int,
             final_wrap: int):
    """One kernel: the modes are integers captured by the closure, constants to numba, so
    every mode test folds away; the helpers above are module globals, so the on-disk
    cache finds the kernel again in the next process (captured functions would defeat it)."""

    @numba.njit(parallel=True, cache=True)
    def mac(xt, w, acc0, perm, is_break, shift, align, product, accum, partial, block, out, per_item):
        """Fills ``out`` (P, M) with the accumulators in the nest's order, and ``per_item``
        (work items, 7) with counts, summed by the caller: product above, below;
        accumulation above, below; at tile breaks: accumulation above, below, rounded
        (rows 2-4 and 5-7 of the per-item table, summed). Work items are (tile of TILE
        positions) x (block of outputs), so that a dense layer on a few images still
        uses every core and keeps its accumulators in L1."""
        positions, outputs = xt.shape[1], w.shape[1]
        tiles = (positions + TILE - 1) // TILE
        blocks = (outputs + block - 1) // block
        per_item[:] = 0
        p_width, p_lo, p_hi = product[1], product[6], product[5]
        a_width, a_lo, a_hi = accum[1], accum[6], accum[5]
        accum_frac, partial_frac = accum[0], partial[0]
        low_word = (np.int64(1) << 32) - 1
        for item in numba.prange(tiles * blocks):
            first = (item // blocks) * TILE
            rows = min(TILE, positions - first)
            m0 = (item % blocks) * block
            width = min(block, outputs - m0)
            acc = np.empty((rows, width), dtype=np.int64)
            for i in range(rows):
                acc[i, :] = acc0[m0:m0 + width]
            product_flags = np.zeros(width, dtype=np.int64)  # packed: above + (below << 32)
            accum_flags = np.zeros(width, dtype=np.int64)
            breaks = np.zeros(3, dtype=np.int64)
            for s in range(perm.size):
                k = perm[s]
                if is_break[s]:  # partial sums pass through the output buffer
                    for i in range(rows):
                        for m in range(width):
                            value = acc[i, m]
                            if final_wrap:  # a modular sum is the accumulator's value once wrapped
                                value = wrapped(value, a_width, accum_signed)
                            buffered, f = cast(value, accum_frac, partial, partial_rounding, partial_kind,
                                               partial_signed)
                            back, g = cast(buffered, partial_frac, accum, accum_rounding, accum_kind, accum_signed)
                            acc[i, m] = back
                            breaks[0] += (f & 1) + (g & 1)
                            breaks[1] += ((f >> 1) & 1) + ((g >> 1) & 1)
                            breaks[2] += (f >> 2) + (g >> 2)
                row = w[k, m0:m0 + width]
                for i in range(rows):
                    xv = np.int64(xt[k, first + i])
                    if xv == 0:
                        continue
                    lane = acc[i]
                    if product_overflow == NONE and accum_overflow == NONE:  # the hot case: no tests
                        for m in range(width):
                            lane[m] += round_shift(xv * row[m], shift, rounding) << align
                        continue
                    for m in range(width):
                        q, f = settle(round_shift(xv * row[m], shift, rounding), p_width, p_lo, p_hi, product_overflow)
                        total, g = settle(lane[m] + (q << align), a_width, a_lo, a_hi, accum_overflow)
                        lane[m] = total
                        product_flags[m] += f
                        accum_flags[m] += g
            if final_wrap:  # modular sums: the low W bits are the accumulator's value
                for i in range(rows):
                    for m in range(width):
                        acc[i, m] = wrapped(acc[i, m], a_width, accum_signed)
            out[first:first + rows, m0:m0 + width] = acc
            counts = per_item[item]
            for m in range(width):  # each packed word counts at most K * TILE events: < 2**32
                counts[0] += product_flags[m] & low_word
                counts[1] += product_flags[m] >> 32
                counts[2] += accum_flags[m] & low_word
                counts[3] += accum_flags[m] >> 32
            counts[4] += breaks[0]
            counts[5] += breaks[1]
            counts[6] += breaks[2]

    return mac


def multiply_accumulate(x, w_raw, acc0, types, schedule, checked: bool, stats, weight_zeros=None,
                        largest_product: int | None = None) -> np.ndarray:
    """Every output of ``x @ w`` in the nest's order, as ``mac._sum_in_order`` computes
    it (same counts into ``stats``); ``checked=False`` when no sum can leave the range.
    ``weight_zeros(shift)``, if given, returns the weights' trailing-zero histogram (a
    layer's weights are the same for every batch: ``MacWeights`` caches it);
    ``largest_product``, a bound on ``|w * x|`` (``kernel``)."""
    is_break = np.zeros(schedule.perm.size, dtype=np.bool_)
    is_break[schedule.breaks] = True
    product, accum = types.product_type, types.accum
    run = kernel(types, checked, largest_product)
    xt = np.ascontiguousarray(x.T, dtype=np.int32)  # (K, P): no copy for conv's transposed patches
    # the kernel fills arrays it is given: a cached closure that returned new arrays once
    # failed to box them in a process that loaded several variants ("descr is NULL")
    block = _block(x.shape[0], w_raw.shape[1])
    out = np.empty((x.shape[0], w_raw.shape[1]), dtype=np.int64)
    per_item = np.empty((-(-x.shape[0] // TILE) * -(-w_raw.shape[1] // block), 7), dtype=np.int64)
    run(xt, np.ascontiguousarray(w_raw, dtype=np.int32), np.ascontiguousarray(acc0, dtype=np.int64),
        schedule.perm.astype(np.int64), is_break, types.full_product.frac - product.frac, accum.frac - product.frac,
        type_params(product), type_params(accum), type_params(types.partial_type), block, out, per_item)
    totals = [int(c) for c in per_item.sum(axis=0)]
    entries = x.shape[0] * w_raw.shape[1]
    steps = entries * schedule.perm.size
    shift, rounded = types.full_product.frac - product.frac, 0
    if shift > 0:
        w_hist = weight_zeros(shift) if weight_zeros is not None else trailing_zero_histogram(w_raw, shift)
        rounded = rounded_products(xt, w_hist, shift)
    stats.product.record(steps, totals[0], totals[1], rounded)
    stats.accumulation.record(steps + 2 * entries * schedule.breaks.size, totals[2] + totals[4],
                              totals[3] + totals[5], totals[6])
    return out


def _block(positions: int, outputs: int) -> int:
    """Outputs per work item: all of them when there are tiles enough for every core,
    else slices (of at least 64) so that the cores share a layer on a few positions."""
    threads = numba.get_num_threads()
    if positions >= 4 * threads * TILE:
        return max(1, min(outputs, 512))
    return max(64, -(-outputs // (4 * threads)))
