"""An optional compiled loop-order kernel (numba), for accumulators where order matters.

The numpy loop path (``mac._sum_in_order``) is the reference: it steps through the
reduction with one vectorized pass per step, a few ns per multiply-accumulate. This
kernel runs the same C++ loop compiled by numba, one position (im2col row) per work item
with its outputs innermost: every cast is the same three steps as ``quant`` (floor and
rounding rule, then overflow), written for one int64 value. It covers the modes a datapath uses (every rounding mode; WRAP with N=0,
SAT, SAT_ZERO, SAT_SYM) on types up to 48 bits; anything else stays on the numpy path.
The tests check both paths against each other, bit for bit and count for count.

Install with ``pip install accel-hls[jit]``; set ``ACCEL_NO_JIT=1`` to disable.
"""

from __future__ import annotations

import os

import numpy as np

from quant import FixedType, Overflow, Rounding
from quant.overflow import low_bound

from . import jit_notice

try:  # numba is an optional accelerator
    import numba
except ImportError:  # pragma: no cover - exercised where numba is absent
    numba = None
else:
    jit_notice.install()  # every compilation said on stderr, whichever kernel it is


def _start_threads_waiting_passively() -> None:
    """Start numba's OpenMP threads with ``OMP_WAIT_POLICY=PASSIVE`` (unless the user set
    a policy): by default idle OpenMP threads spin for a while after each parallel
    kernel, and on a small machine they then steal the cores from OpenBLAS's threads in
    the matrix product that follows (measured: the exact path took 2.1 or 4.1 ms/image
    from one process to the next; passive, 1.8 every time). The variable is read once,
    when libgomp loads, so it is set only around the start and then restored: other
    OpenMP libraries (PyTorch's own libgomp) keep their defaults."""
    if numba is None or os.environ.get("ACCEL_NO_JIT", "") not in ("", "0"):
        return
    unset = "OMP_WAIT_POLICY" not in os.environ
    if unset:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        from numba.np.ufunc import parallel
        parallel._launch_threads()
    except Exception:  # pragma: no cover - a numba without this entry point: keep its defaults
        pass
    finally:
        if unset:
            del os.environ["OMP_WAIT_POLICY"]


_start_threads_waiting_passively()

ROUNDING_ID = {mode: i for i, mode in enumerate(Rounding)}
OVERFLOW_ID = {Overflow.WRAP: 0, Overflow.SAT: 1, Overflow.SAT_ZERO: 2, Overflow.SAT_SYM: 1}
MAX_WIDTH = 48


def available() -> bool:
    return numba is not None and os.environ.get("ACCEL_NO_JIT", "") in ("", "0")


def supports(types) -> bool:
    """True when the kernel models the layer's arithmetic exactly in int64: supported
    modes, widths up to 48 bits, and no alignment shift that could leave int64."""
    casts = (types.product_type, types.accum, types.partial_type)
    if not all(t.width <= MAX_WIDTH and t.overflow in OVERFLOW_ID and t.sat_bits == 0 for t in casts):
        return False
    fracs = [t.frac for t in casts] + [types.full_product.frac]
    return types.full_product.width <= MAX_WIDTH and max(fracs) - min(fracs) + MAX_WIDTH + 1 <= 62


def type_params(t: FixedType) -> np.ndarray:
    """[frac, width, signed, rounding, overflow, max_raw, low_bound, min_raw] as int64."""
    return np.array([t.frac, t.width, int(t.signed), ROUNDING_ID[t.rounding], OVERFLOW_ID[t.overflow],
                     t.max_raw, low_bound(t), t.min_raw], dtype=np.int64)


_KERNELS: dict = {}


def _kernel(modes: tuple):
    """The loop kernel compiled for one combination of (rounding, overflow kind, signed)
    of the product, accumulator and partial types. Those become compile-time constants,
    so the mode tests fold away and the inner loop vectorizes (about 5x faster than one
    kernel testing modes at run time); widths, fractions and bounds stay arguments.
    Compiled on first use in a process, then reused."""
    if modes not in _KERNELS:
        _KERNELS[modes] = _compile(*modes)
    return _KERNELS[modes]


if numba is not None:
    @numba.njit(inline="always")
    def cast(v, src_frac, t, mode, kind, signed):
        """``T r = v`` (v in units of 2**-src_frac): (raw, flags) with flags 1 above the
        range, 2 below it, 4 bits rounded away. ``t`` holds ``type_params(T)``; ``mode``
        is a ``ROUNDING_ID``, ``kind`` an ``OVERFLOW_ID``. Callers pass the modes as
        compile-time constants, so the tests below fold away."""
        shift = src_frac - t[0]
        flags = 0
        if shift > 0:
            floor = v >> shift
            half = (v >> (shift - 1)) & 1
            rest = (v & ((np.int64(1) << (shift - 1)) - 1)) != 0
            if half == 1 or rest:
                flags = 4
            neg = v < 0
            inc = False
            if mode == 1:  # TRN_ZERO
                inc = neg and (half == 1 or rest)
            elif mode == 2:  # RND
                inc = half == 1
            elif mode == 3:  # RND_ZERO
                inc = half == 1 and (neg or rest)
            elif mode == 4:  # RND_MIN_INF
                inc = half == 1 and rest
            elif mode == 5:  # RND_INF
                inc = half == 1 and ((not neg) or rest)
            elif mode == 6:  # RND_CONV
                inc = half == 1 and ((floor & 1) == 1 or rest)
            q = floor + (1 if inc else 0)
        else:
            q = v << (-shift)
        if q > t[5]:
            flags |= 1
        elif q < t[6]:
            flags |= 2
        else:
            return q, flags
        if kind == 1:  # SAT, SAT_SYM (its symmetric bound is t[6])
            return (t[5] if flags & 1 else t[6]), flags
        if kind == 2:  # SAT_ZERO
            return np.int64(0), flags
        mask = (np.int64(1) << t[1]) - 1
        if signed == 1:  # WRAP: the low W bits, two's complement
            half_range = np.int64(1) << (t[1] - 1)
            return ((q + half_range) & mask) - half_range, flags
        return q & mask, flags


else:  # pragma: no cover - numba is a core dependency; this keeps the import safe without it
    cast = None


def _make_cast(mode: int, kind: int, signed: int):
    """``cast`` with its modes bound (constants of the kernel that captures it)."""
    @numba.njit(inline="always")
    def bound(v, src_frac, t):
        return cast(v, src_frac, t, mode, kind, signed)

    return bound


def _compile(product_modes: tuple, accum_modes: tuple, partial_modes: tuple):
    cast_product, cast_accum, cast_partial = (_make_cast(*m) for m in (product_modes, accum_modes, partial_modes))

    @numba.njit(parallel=True)
    def loop(x, w, acc0, row_ids, perm, is_break, full_frac, product, accum, partial, block):
        """Every output of the listed rows, in blocks of outputs (so that a single
        position, a dense layer's batch of one, still uses every core). The innermost
        loop runs over independent outputs with contiguous counters: it vectorizes."""
        outputs = w.shape[1]
        blocks = (outputs + block - 1) // block
        product_frac, accum_frac, partial_frac = product[0], accum[0], partial[0]
        sum_frac = max(accum_frac, product_frac)
        out = np.empty((row_ids.size, outputs), dtype=np.int64)
        tallies = np.zeros((row_ids.size, outputs, 6), dtype=np.int64)
        for item in numba.prange(row_ids.size * blocks):
            r, first = item // blocks, (item % blocks) * block
            last = min(first + block, outputs)
            width = last - first
            p = row_ids[r]
            acc = acc0[first:last].copy()
            p_high, p_low, p_round = np.zeros(width, np.int64), np.zeros(width, np.int64), np.zeros(width, np.int64)
            a_high, a_low, a_round = np.zeros(width, np.int64), np.zeros(width, np.int64), np.zeros(width, np.int64)
            for s in range(perm.size):
                k = perm[s]
                xv = x[p, k]
                if is_break[s]:
                    for m in range(width):
                        buffered, f = cast_partial(acc[m], accum_frac, partial)
                        back, g = cast_accum(buffered, partial_frac, accum)
                        acc[m] = back
                        a_high[m] += (f & 1) + (g & 1)
                        a_low[m] += ((f >> 1) & 1) + ((g >> 1) & 1)
                        a_round[m] += (f >> 2) + (g >> 2)
                for m in range(width):
                    prod, f = cast_product(xv * w[k, first + m], full_frac, product)
                    total = (acc[m] << (sum_frac - accum_frac)) + (prod << (sum_frac - product_frac))
                    value, g = cast_accum(total, sum_frac, accum)
                    acc[m] = value
                    p_high[m] += f & 1
                    p_low[m] += (f >> 1) & 1
                    p_round[m] += f >> 2
                    a_high[m] += g & 1
                    a_low[m] += (g >> 1) & 1
                    a_round[m] += g >> 2
            out[r, first:last] = acc
            tallies[r, first:last, 0], tallies[r, first:last, 1], tallies[r, first:last, 2] = p_high, p_low, p_round
            tallies[r, first:last, 3], tallies[r, first:last, 4], tallies[r, first:last, 5] = a_high, a_low, a_round
        return out, tallies

    return loop


def _block(rows: int, outputs: int) -> int:
    """Outputs per work item: whole rows when there are rows enough to share among the
    cores, else slices of a row (a dense layer on one image)."""
    if rows >= 4 * numba.get_num_threads():
        return outputs
    return max(64, -(-outputs // (4 * numba.get_num_threads())))


def sum_in_order(x, w_raw, acc0, rows, cols, types, schedule, stats) -> np.ndarray:
    """The loop path, compiled; same arguments and results as ``mac._sum_in_order``."""
    is_break = np.zeros(schedule.perm.size, dtype=np.bool_)
    is_break[schedule.breaks] = True
    row_ids, local_rows = np.unique(rows, return_inverse=True)
    casts = (types.product_type, types.accum, types.partial_type)
    kernel = _kernel(tuple((ROUNDING_ID[t.rounding], OVERFLOW_ID[t.overflow], int(t.signed)) for t in casts))
    out, tallies = kernel(np.ascontiguousarray(x, dtype=np.int64), np.ascontiguousarray(w_raw, dtype=np.int64),
                         acc0.astype(np.int64), row_ids.astype(np.int64), schedule.perm, is_break,
                         types.full_product.frac, type_params(types.product_type), type_params(types.accum),
                         type_params(types.partial_type), _block(row_ids.size, w_raw.shape[1]))
    # the kernel computed whole rows; keep (and count) only the listed outputs
    picked = tallies[local_rows, cols].sum(axis=0)
    steps = rows.size * schedule.perm.size
    stats.product.record(steps, *picked[:3])
    stats.accumulation.record(steps + 2 * rows.size * schedule.breaks.size, *picked[3:])
    return out[local_rows, cols]
