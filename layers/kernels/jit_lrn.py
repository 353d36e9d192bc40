"""Compiled LRN (numba): the C++ loop of ``layers.lrn`` for one pixel at a time.

The numpy path (``LRN._run_group``) makes some thirty elementwise passes over the layer
— squares, five shifted sums, the scale, the power function, the product, each cast —
and costs about 25 ns per element. This kernel runs the same C++ per pixel, all channels
at once, with the channel window kept in a small buffer: about 1-2 ns per element.

Every cast is ``jit_mac.fit`` (floor, branch-free rounding rule, overflow handler) with
its rounding and overflow handling as compile-time constants of one kernel per
combination (cached on disk), and every full-precision intermediate (``in*in``,
``alpha*S``, ``K + alpha*S``, ``B*u``, ``A + B*u``, ``in*d``) is an int64 raw in the
fraction ``quant.arith`` gives it: ``plan`` checks that each of them fits 62 bits, and
returns None (numpy path) otherwise. The window's casts are skipped when the input's
largest square, times the window, fits ``sum_t`` (checked per batch).

``exact`` mode calls ``pow`` from the C library, as the C++ does (numpy's own ``power``
uses a vectorized approximation on AVX-512 machines that differs in the last bit for
about 5 % of inputs), and converts the double to ``norm_t`` exactly: the floor of
``d * 2**F`` and two sticky bits (the first dropped bit, any bit below it) make an
integer that ``cast`` rounds like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quant import FixedType, arith

from . import lrn_norm
from ..core.types import lossless
from .jit_loop import OVERFLOW_ID, ROUNDING_ID, available, numba, type_params
from .jit_mac import NONE, fit, overflow_kind, settle
from .lrn_norm import LrnParameters

MODES = {"exact": 0, "linear": 1, "pwl": 2}
CONSTANTS = ("square_shift", "u_shift", "d_shift", "y_shift", "k_raw", "k_shift", "alpha_raw", "scaled_shift",
             "a_shift", "b_shift", "scale_frac", "norm_frac")
WIDEST = 62  # every intermediate raw stays below 2**62: shifts and sums cannot leave int64
EXACT_FLOAT = 2.0**52  # d * 2**F below this: its floor and the tie test are exact in float64


@dataclass(frozen=True)
class LrnPlan:
    """Everything the kernel needs, resolved from the layer and its input type."""

    mode: int
    size: int
    ints: tuple[int, ...]  # the scalars named in CONSTANTS, in that order
    types: np.ndarray  # type_params rows of the casts: square->sum, sum, scale, norm, result
    keys: tuple  # per cast: (rounding id or -1 for no shift, overflow kind): compile-time constants
    table: np.ndarray  # (3, S) int64: segment starts, A, B (pwl); (3, 1) A, B in column 0 (linear)
    beta: float
    window_limit: int  # the largest window sum sum_t holds


def _fits(*types: FixedType) -> bool:
    return all(t.width <= WIDEST and t.is_native for t in types)


def _cast_ok(src: FixedType, dst: FixedType) -> bool:
    """``cast`` from ``src`` to ``dst`` stays in int64: shifting left to a finer fraction
    keeps the value below 2**62, and the modes are those ``cast`` models."""
    return (_fits(src, dst) and src.width + max(0, dst.frac - src.frac) <= WIDEST
            and dst.overflow in OVERFLOW_ID and dst.sat_bits == 0)


def plan(layer: LrnParameters, in_type: FixedType, sum_t: FixedType, alpha_t: FixedType,
         pwl_table: tuple | None) -> LrnPlan | None:
    """The kernel's constants for ``layer`` on ``in_type``, or None where the arithmetic
    could leave int64 (or numba is off): the numpy path then runs."""
    if not available():
        return None
    scale, coef, norm, result = layer.scale_type, layer.coef_type, layer.norm_type, layer.result
    square_t = arith.product_type(in_type, in_type)
    scaled_t = arith.product_type(alpha_t, sum_t)
    u_sum_t = arith.sum_type(scale, scaled_t)
    y_t = arith.product_type(in_type, norm)
    if not (_cast_ok(square_t, sum_t) and _cast_ok(sum_t, sum_t) and _cast_ok(u_sum_t, scale)
            and _cast_ok(y_t, result) and _fits(in_type, scaled_t)):
        return None
    mode = MODES[layer.mode]
    total_frac, a_shift, b_shift = 0, 0, 0
    table = np.zeros((3, 1), dtype=np.int64)
    if mode == 0:
        if norm.frac > 1000 or not _fits(norm) or norm.overflow not in OVERFLOW_ID or norm.sat_bits:
            return None
    else:
        if mode == 1:
            bu_t = arith.product_type(coef, scale)
            total_t = arith.sum_type(coef, bu_t)
        else:
            offset_t = arith.difference_type(scale, scale)
            bu_t = arith.product_type(coef, offset_t)
            total_t = arith.sum_type(coef, bu_t)
        if not (_cast_ok(total_t, norm) and _fits(bu_t, coef)):
            return None
        total_frac, a_shift, b_shift = total_t.frac, total_t.frac - coef.frac, total_t.frac - bu_t.frac
        if mode == 1:
            a, b = (_scalar_raw(coef, v) for v in lrn_norm.linear_coefficients(layer))
            table = np.array([[0], [a], [b]], dtype=np.int64)
        else:
            starts, a, b = pwl_table
            table = np.stack([scale.to_raw(starts), coef.to_raw(a), coef.to_raw(b)]).astype(np.int64)
    k_raw = _scalar_raw(scale, layer.k)
    alpha_raw = _scalar_raw(alpha_t, layer.alpha_prime)
    sq_shift, u_shift, y_shift = square_t.frac - sum_t.frac, u_sum_t.frac - scale.frac, y_t.frac - result.frac
    d_shift = 2 if mode == 0 else total_frac - norm.frac  # exact: two sticky bits below norm_t's LSB
    constants = {  # the kernel's scalars, by name (the kernel unpacks them in CONSTANTS' order)
        "square_shift": sq_shift, "u_shift": u_shift, "d_shift": d_shift, "y_shift": y_shift,
        "k_raw": k_raw, "k_shift": u_sum_t.frac - scale.frac,  # K (scale_t) aligned to K + alpha*S
        "alpha_raw": alpha_raw, "scaled_shift": u_sum_t.frac - scaled_t.frac,  # alpha*S aligned likewise
        "a_shift": a_shift, "b_shift": b_shift, "scale_frac": scale.frac, "norm_frac": norm.frac,
    }
    ints = tuple(int(constants[name]) for name in CONSTANTS)
    casts = (sum_t, sum_t, scale, norm, result)
    shifts = (sq_shift, 0, u_shift, d_shift, y_shift)
    keys = tuple((ROUNDING_ID[t.rounding] if shift > 0 else -1, overflow_kind(t)) for t, shift in zip(casts, shifts))
    if lossless(square_t, sum_t):
        keys = ((-1, NONE),) + keys[1:]
    limit = sum_t.max_raw if not sum_t.signed else min(sum_t.max_raw, -sum_t.min_raw)
    return LrnPlan(mode, layer.size, ints, np.stack([type_params(t) for t in casts]), keys, table,
                   float(layer.beta), limit)


def _scalar_raw(t: FixedType, value: float) -> int:
    return int(np.asarray(t.to_raw(np.array([value]))).reshape(-1)[0])


def run(raw: np.ndarray, p: LrnPlan) -> tuple[np.ndarray, np.ndarray, int, int]:
    """(out raws, counts, pixels with u <= 0, values beyond the float path) for an
    (N, C, H, W) int64 input. ``counts`` is (5, 3): above, below, rounded per cast of
    square->sum, window sum, scale, norm, result."""
    batch, channels, height, width = raw.shape
    x = np.ascontiguousarray(raw, dtype=np.int64).reshape(batch, channels, height * width)
    largest = int(max(x.max(), -x.min())) if x.size else 0
    square = largest * largest
    sq_shift = p.ints[CONSTANTS.index("square_shift")]
    square = (square >> sq_shift) + 1 if sq_shift > 0 else square << -sq_shift  # rounding adds at most 1
    # the window's sums cannot overflow sum_t (the usual case): its casts are the identity
    window_kind = NONE if square * p.size <= p.window_limit else p.keys[1][1]
    key = (p.mode, p.keys[0], (-1, window_kind), *p.keys[2:])
    if key not in _KERNELS:
        _KERNELS[key] = _compile(*key)
    # the kernel fills arrays it is given: a cached closure that returned new arrays failed
    # to box them in a process that had loaded another variant ("descr is NULL")
    out, counts = np.empty_like(x), np.empty((batch, 5, 2), dtype=np.int64)
    bad_u, too_big = np.empty(batch, dtype=np.int64), np.empty(batch, dtype=np.int64)
    _KERNELS[key](x, p.size, p.ints, p.types, p.table, p.beta, out, counts, bad_u, too_big)
    above, below = counts[:, :, 0] & LOW_WORD, counts[:, :, 0] >> 32
    tallies = np.stack([above.sum(axis=0), below.sum(axis=0), counts[:, :, 1].sum(axis=0)], axis=1)
    return out.reshape(raw.shape), tallies, int(bad_u.sum()), int(too_big.sum())


_KERNELS: dict = {}
LOW_WORD = (1 << 32) - 1


def _compile(mode: int, square: tuple, window: tuple, scale: tuple, norm: tuple, result: tuple):
    """One kernel per mode and per (rounding, overflow kind) of each cast: closure
    constants, so the tests fold away and the pixel loops vectorize."""
    sq_round, sq_kind = square
    win_kind = window[1]
    sc_round, sc_kind = scale
    no_round, no_kind = norm
    re_round, re_kind = result

    @numba.njit(parallel=True, cache=True)
    def lrn(x, size, ints, types, table, beta, out, counts, bad_u, too_big):
        """Fills ``out``, ``counts`` (per image and cast: packed overflows, rounded),
        ``bad_u`` and ``too_big`` (per image)."""
        batch, channels, pixels = x.shape
        counts[:] = 0
        t_sum, t_scale, t_norm, t_result = types[1], types[2], types[3], types[4]
        (sq_shift, u_shift, d_shift, y_shift, k_raw, k_shift, alpha_raw, scaled_shift, a_shift, b_shift,
         scale_frac, norm_frac) = ints  # CONSTANTS' order
        lo = size // 2
        segments = table.shape[1]
        delta = max(np.int64(1), table[0, 1] - table[0, 0]) if segments > 1 else np.int64(1)
        lin_a, lin_b = table[1, 0], table[2, 0]
        scale_lsb = 2.0 ** -scale_frac
        norm_unit = 2.0 ** norm_frac
        for b in numba.prange(batch):
            squares = np.empty((channels, pixels), dtype=np.int64)
            window = np.empty(pixels, dtype=np.int64)
            zero = np.int64(0)
            f0, r0, f1, f2, r2, f3, r3, f4, r4, small, large = zero, zero, zero, zero, zero, zero, zero, zero, zero, zero, zero
            for c in range(channels):
                for q in range(pixels):
                    v = x[b, c, q]
                    s, f, r = fit(v * v, sq_shift, sq_round, t_sum, sq_kind)
                    squares[c, q] = s
                    f0 += f
                    r0 += r
            for c in range(channels):
                window[:] = 0
                for j in range(size):  # ascending j, as the C++ loop (zeros beyond the edges)
                    src = c - lo + j
                    if src < 0 or src >= channels:
                        continue  # adding 0 to a sum already in range: the cast changes nothing
                    for q in range(pixels):
                        total, f = settle(window[q] + squares[src, q], t_sum[1], t_sum[6], t_sum[5], win_kind)
                        window[q] = total
                        f1 += f
                for q in range(pixels):
                    u, f, r = fit((k_raw << k_shift) + ((alpha_raw * window[q]) << scaled_shift), u_shift, sc_round,
                                  t_scale, sc_kind)
                    f2 += f
                    r2 += r
                    small += np.int64(u <= 0)
                    u = max(u, np.int64(1))  # the caller raises; keep the arithmetic defined
                    if mode == 0:  # pow() in double, then exactly into norm_t: floor and two sticky bits
                        y = (u * scale_lsb) ** -beta * norm_unit
                        large += np.int64(not (y < EXACT_FLOAT))
                        y = y if y < EXACT_FLOAT else 0.0
                        floor = np.floor(y)
                        mid = floor + 0.5
                        half = np.int64(y >= mid)
                        rest = np.int64(y != mid and y != floor)
                        d, f, r = fit((np.int64(floor) << 2) + (half << 1) + rest, 2, no_round, t_norm, no_kind)
                    elif mode == 1:
                        d, f, r = fit((lin_a << a_shift) + ((lin_b * u) << b_shift), d_shift, no_round, t_norm, no_kind)
                    else:
                        seg = min(max((u - table[0, 0]) // delta, 0), segments - 1)
                        slope = table[2, seg] * (u - table[0, seg])
                        d, f, r = fit((table[1, seg] << a_shift) + (slope << b_shift), d_shift, no_round, t_norm,
                                      no_kind)
                    f3 += f
                    r3 += r
                    o, f, r = fit(x[b, c, q] * d, y_shift, re_round, t_result, re_kind)
                    out[b, c, q] = o
                    f4 += f
                    r4 += r
            tally = counts[b]
            tally[0, 0], tally[0, 1], tally[1, 0] = f0, r0, f1
            tally[2, 0], tally[2, 1], tally[3, 0], tally[3, 1], tally[4, 0], tally[4, 1] = f2, r2, f3, r3, f4, r4
            bad_u[b], too_big[b] = small, large

    return lrn
