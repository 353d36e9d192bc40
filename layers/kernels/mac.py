"""The multiply-accumulate kernel shared by conv (on im2col patches) and dense.

For ``P`` independent positions and ``M`` outputs, with ``x`` (P, K) and ``w`` (K, M)
raws, every output runs the C++ of ``layers.core.types``: ``acc = (accum)bias``, then
``acc = (accum)(acc + (product)(w*x))`` over the reduction in loop-nest order, with a
pass through the ``partial`` type at each tile break, and ``out = (result)acc``.

Three paths compute that, all bit-identical (the tests prove it):

``blas``      the result provably does not depend on the order: every product is exact
              in ``product``, ``acc + p`` never rounds, partials are lossless, and a
              bound shows no partial sum can overflow (or the accumulator wraps and
              overflow counts are not wanted: modular sums are order-free). Then the
              sum is one float64 matrix product of integer-valued arrays, exact while
              every partial sum stays below 2**53 (checked; int64 otherwise).
``elementwise`` order-free, but each product (or ``acc + p``) rounds on its own: the
              products are formed, cast and summed elementwise.
``loop``      anything else: step through the reduction in the nest's order, vectorized
              over all the outputs that need it.

``elementwise`` and ``loop`` are also compiled (numba, ``elementwise-jit`` and
``loop-jit``): ``layers.kernels.jit_mac`` for the common datapaths (32-bit operands, the usual
cast modes), ``layers.kernels.jit_loop`` for the rest of what int64 can hold. The numpy
code stays the readable reference the tests hold them to.

Outputs are split: those the bound proves safe take a fast path, the rest the loop path.
The operands (weights prepared once, the reduction schedule) are in ``mac_operands``.
"""

from __future__ import annotations

import numpy as np

from quant import FixedType, OverflowStats, Rounding, arith
from quant.modes import Overflow
from quant.overflow import low_bound, wrap

from . import jit_gemm, jit_loop, jit_mac
from ..core.types import LayerTypes, StageStats, lossless
from .mac_operands import MacWeights, Schedule, exact_matmul, largest_magnitude

SEPARABLE = (Rounding.TRN, Rounding.RND, Rounding.RND_MIN_INF)  # round(a + p) = a + round(p)
ELEMENTWISE_BLOCK = 1 << 22  # products formed at once on the elementwise path
EPILOGUE_BLOCK = 1 << 16  # outputs per block on the all-fast path (512 KiB of int64)


def multiply_accumulate(
    x: np.ndarray, w: "MacWeights | np.ndarray", bias: np.ndarray, types: LayerTypes, schedule: Schedule,
    relu: bool, stats: StageStats, count_overflows: bool = True, force_path: str | None = None,
    x_max: float | None = None, out: np.ndarray | None = None, first_output: int = 0,
) -> tuple[np.ndarray, str]:
    """(P, M) raws of ``types.result``, and the name of the path(s) that computed them.

    ``x`` holds integer raws as int64, or as float64 (exact below 2**53), which saves the
    matrix product a conversion when the caller built ``x`` in float64 already.

    ``out`` (N, M_all, positions), if given, receives the results in the layer's layout:
    row ``p`` of ``x`` is image ``p // positions``, position ``p % positions``, and the
    outputs land at ``first_output ..`` (a conv layer's NCHW array, one group's channels).
    The return value is then a view of ``out`` in that layout, not (P, M).

    ``force_path="loop"`` (or ``"elementwise"``) takes that path even where a faster one
    is proven equal: the tests use it to check the paths against each other. ``x_max``
    (max |x|, if the caller knows it from a smaller array) saves a scan of ``x``.
    """
    w = w if isinstance(w, MacWeights) else MacWeights.of(w)
    positions, outputs = x.shape[0], w.outputs
    acc0 = _bias_in_accumulator(bias, types, positions, stats)
    as_int = x if x.dtype == np.int64 else None  # made on first use by the integer paths
    fast = None if force_path == "loop" else _fast_path(types)
    if force_path == "elementwise" and fast == "blas":
        fast = "elementwise"
    x_max = largest_magnitude(x) if x_max is None else x_max
    compiled = jit_mac.supports(types)
    if fast == "elementwise" and compiled:
        fast = "elementwise-jit"
    # the compiled kernels check the range at every step anyway: the precise bound (one
    # more matrix product) would only choose between two kernels of nearly equal cost
    safe = (_safe_columns(x, x_max, w, acc0, types, count_overflows, precise=fast != "elementwise-jit")
            if fast and positions else np.zeros(outputs, bool))
    target = out if out is not None else np.empty((positions, outputs, 1), dtype=np.int64)
    view = target[:, first_output:first_output + outputs]
    if fast and positions and safe.all():
        _all_fast(x, x_max, w, acc0, types, fast, schedule, relu, stats, target, first_output)
        return (view if out is not None else view[:, :, 0]), fast
    acc = np.empty((positions, outputs), dtype=np.int64)
    paths = []
    # whole columns take the fast path (one matrix product); the rest the loop path
    columns = np.flatnonzero(safe)
    if columns.size:
        acc[:, columns] = _sum_fast(x, x_max, w.columns(columns), acc0[columns], types, fast, schedule, stats)
        paths.append(fast)
    ordered = np.flatnonzero(~safe)
    if ordered.size and compiled:  # whole columns, in the nest's order, compiled
        whole = ordered.size == outputs
        weights = w.raw32 if whole else w.raw32[:, ordered]
        summed = jit_mac.multiply_accumulate(x, weights, acc0[ordered], types, schedule, True, stats,
                                             w.trailing_zeros if whole else None,
                                             largest_product=int(x_max) * w.largest)
        if whole:  # every column: the kernel's array is the result (no scatter copy)
            acc = summed
        else:
            acc[:, ordered] = summed
        paths.append("loop-jit")
        ordered = ordered[:0]
    if ordered.size:  # the remaining columns, every position, in order
        unsafe = np.zeros((positions, outputs), dtype=bool)
        unsafe[:, ordered] = True
        rows, cols = np.nonzero(unsafe)
        as_int = x.astype(np.int64) if as_int is None else as_int
        if jit_loop.available() and jit_loop.supports(types):
            acc[rows, cols] = jit_loop.sum_in_order(as_int, w.raw, acc0, rows, cols, types, schedule, stats)
            paths.append("loop-jit")
        else:
            acc[rows, cols] = _sum_in_order(as_int, w.raw, acc0, rows, cols, types, schedule, stats)
            paths.append("loop")
    if relu:
        np.maximum(acc, 0, out=acc)
    _store(types.result.cast(acc, types.accum, stats.result), target, first_output)
    return (view if out is not None else view[:, :, 0]), "+".join(paths) or "empty"


def _store(result: np.ndarray, out: np.ndarray, first_output: int) -> None:
    """(P, M) results into ``out`` (N, M_all, positions) at outputs ``first_output ..``."""
    images, _, positions = out.shape
    outputs = result.shape[1]
    out[:, first_output:first_output + outputs] = result.reshape(images, positions, outputs).transpose(0, 2, 1)


def _all_fast(x, x_max: float, w: MacWeights, acc0, types: LayerTypes, fast: str, schedule: Schedule,
              relu: bool, stats: StageStats, out: np.ndarray, first_output: int) -> None:
    """Every output on the fast path, in blocks of positions: the matrix product and the
    casts after it then work on cache-sized pieces instead of streaming the whole layer.
    On the ``blas`` path the compiled epilogue (``jit_gemm``) finishes each block in one
    pass: bias, wrap, ReLU, result cast, counts, and the store in ``out``'s layout."""
    # numpy's casts go in blocks that keep BLAS's output in cache; the compiled kernels
    # take it whole (the caller sized it: conv's im2col chunks) — a narrower product runs
    # further from the machine's peak (measured 60 vs 95 GFLOP/s on AlexNet's conv layers)
    fused = fast == "blas" and jit_gemm.epilogue_supported(types.accum, types.result)
    whole = fused or fast == "elementwise-jit"
    rows = x.shape[0] if whole else max(64, EPILOGUE_BLOCK // max(1, w.outputs))
    results = []
    for start in range(0, x.shape[0], rows):
        if fused:  # (M, rows): each output's positions contiguous, as NCHW stores them (units of the full product)
            block = x[start:start + rows]
            small = block.shape[0] <= jit_gemm.SMALL_BATCH and w.narrow is not None
            total = jit_gemm.small_batch_product(block, w.narrow) if small else \
                exact_matmul(block, x_max, w, transposed=True)
            _record_fast(types, schedule, total.shape, stats)
            high, low, rounded = jit_gemm.epilogue(total, start, acc0, types.accum.frac - types.full_product.frac,
                                                   types.accum, relu, types.result, out, first_output)
            stats.result.record(total.size, high, low, rounded)
            continue
        acc = _sum_fast(x[start:start + rows], x_max, w, acc0, types, fast, schedule, stats)
        if relu:
            np.maximum(acc, 0, out=acc)
        results.append(types.result.cast(acc, types.accum, stats.result))
    if results:
        _store(np.concatenate(results) if len(results) > 1 else results[0], out, first_output)


# ---------------------------------------------------------------- deciding
def _fast_path(types: LayerTypes) -> str | None:
    """Which order-free path the types allow (None: the order matters)."""
    accum, product = types.accum, types.product_type
    if not lossless(types.accum, types.partial_type):
        return None
    if accum.frac < product.frac and accum.rounding not in SEPARABLE:
        return None  # rounding of acc + p depends on acc (ties by sign or parity)
    exact_products = lossless(types.full_product, product) and accum.frac >= product.frac
    return "blas" if exact_products else "elementwise"


def order_free(types: LayerTypes) -> bool:
    """Whether every order of the reduction gives the same bits: each step rounds
    independently of the sum so far and the accumulator wraps (modular sums commute)."""
    accum = types.accum
    return _fast_path(types) is not None and accum.overflow is Overflow.WRAP and accum.sat_bits == 0


def patch_dtype(types: LayerTypes) -> type:
    """The dtype a caller should build ``x`` in: int32 for the compiled per-product path,
    float64 (what BLAS takes without a conversion) otherwise."""
    compiled = jit_mac.supports(types) and _fast_path(types) != "blas"
    return np.int32 if compiled else np.float64


def _safe_columns(x, x_max: float, w: MacWeights, acc0, types: LayerTypes, count_overflows: bool,
                  precise: bool = True) -> np.ndarray:
    """(M,) mask of outputs whose partial sums provably stay in the accumulator range at
    every position: first a bound from max |x| (cheap), then, for the columns it cannot
    clear, one from |x| @ |w| per position."""
    accum = types.accum
    if accum.overflow is Overflow.WRAP and accum.sat_bits == 0 and not count_overflows:
        return np.ones(w.outputs, dtype=bool)  # modular: order-free anyway
    limit = float(min(accum.max_raw, -low_bound(accum))) * (1 - 1e-9)
    to_accum = 2.0 ** (accum.frac - types.full_product.frac)
    # rounding may grow each term by one LSB of the product and one of the accumulator
    per_step = max(1.0, 2.0 ** (accum.frac - types.product_type.frac)) + 1.0
    slack = x.shape[1] * per_step + np.abs(acc0).astype(np.float64)
    safe = w.abs_colsum * x_max * to_accum + slack <= limit
    doubtful = np.flatnonzero(~safe)
    if doubtful.size and precise:
        bound = (np.abs(x).astype(np.float64) @ np.abs(w.as_float[:, doubtful])) * to_accum + slack[doubtful]
        safe[doubtful] = (bound <= limit).all(axis=0)
    return safe


# ---------------------------------------------------------------- paths
def _bias_in_accumulator(bias, types: LayerTypes, positions: int, stats: StageStats) -> np.ndarray:
    once = OverflowStats()
    acc0 = types.accum.cast(bias, types.bias, once)
    stats.accumulation.record(once.elements * positions, once.overflow_high * positions,
                              once.overflow_low * positions, once.rounded * positions)
    return acc0


def _sum_fast(x, x_max: float, w: MacWeights, acc0, types: LayerTypes, fast: str, schedule: Schedule,
              stats: StageStats) -> np.ndarray:
    """Order-free sums of the outputs in ``w``'s columns (all rows). The stats record
    what the loop path would: one cast per product and per step, two per tile break,
    none of them overflowing (that is what made these outputs safe)."""
    if fast == "elementwise-jit":  # compiled: counts recorded, bias included, modular sums wrapped
        return jit_mac.multiply_accumulate(x, w.raw32, acc0, types, schedule, False, stats, w.trailing_zeros,
                                           largest_product=int(x_max) * w.largest)
    if fast == "blas":
        acc = exact_matmul(x, x_max, w).astype(np.int64)  # in units of the full product
        if types.accum.frac != types.full_product.frac:
            acc <<= types.accum.frac - types.full_product.frac
    else:  # (counts its products' casts itself)
        acc = _sum_of_rounded_products(x.astype(np.int64, copy=False), w.raw, types, stats)
    _record_fast(types, schedule, acc.shape, stats, products=fast == "blas")
    acc += acc0[None, :]
    # in range unless a wrapping accumulator took the modular shortcut: wrap once at the end
    return wrap(acc, types.accum) if types.accum.overflow is Overflow.WRAP else acc


def _record_fast(types: LayerTypes, schedule: Schedule, shape: tuple[int, int], stats: StageStats,
                 products: bool = True) -> None:
    """What the loop path would count for (P, M) outputs on a fast path: one cast per step
    and two per tile break, none overflowing, none rounding (``acc + p`` is exact there);
    with ``products``, one exact cast per product too."""
    entries = shape[0] * shape[1]
    steps = entries * schedule.perm.size
    if products:
        stats.product.record(steps, 0, 0, 0)
    stats.accumulation.record(steps + 2 * entries * schedule.breaks.size, 0, 0, 0)


def _sum_of_rounded_products(x, w, types: LayerTypes, stats: StageStats) -> np.ndarray:
    """Σ_k round_accum((product)(w_k * x_k)): each term cast on its own, summed exactly."""
    full, product, accum = types.full_product, types.product_type, types.accum
    # acc + p rounds p alone (SEPARABLE): to accum's LSB with accum's rounding, no overflow
    step_type = FixedType(64, 64 - accum.frac, True, accum.rounding) if accum.frac < product.frac else None
    positions, k_len = x.shape
    total = np.zeros((positions, w.shape[1]), dtype=np.int64)
    rows = max(1, ELEMENTWISE_BLOCK // max(1, k_len * w.shape[1]))
    for start in range(0, positions, rows):
        block = x[start:start + rows, :, None] * w[None, :, :]  # (rows, K, M) full products
        p = product.cast(block, full, stats.product)
        if step_type is not None:
            rounding = OverflowStats()
            p = step_type.cast(p, product, rounding)
            stats.accumulation.record(0, 0, 0, rounding.rounded)
        else:
            p = p << (accum.frac - product.frac)
        total[start:start + rows] = p.sum(axis=1)
    return total


def _sum_in_order(x, w, acc0, rows, cols, types: LayerTypes, schedule: Schedule, stats: StageStats) -> np.ndarray:
    """The loop path: the C++ reduction, step by step, over the listed outputs."""
    full, product, accum, partial = types.full_product, types.product_type, types.accum, types.partial_type
    dense = rows.size == x.shape[0] * w.shape[1]
    acc = acc0[cols].copy()
    breaks = set(schedule.breaks.tolist())
    for step, k in enumerate(schedule.perm.tolist()):
        if step in breaks:
            acc = accum.cast(partial.cast(acc, accum, stats.accumulation), partial, stats.accumulation)
        if dense:  # all outputs: an outer product, no gathers
            prod = np.multiply.outer(x[:, k], w[k]).reshape(-1)
        else:
            prod = x[rows, k] * w[k, cols]
        p = product.cast(prod, full, stats.product)
        total, total_type = arith.add(acc, accum, p, product)
        acc = accum.cast(total, total_type, stats.accumulation)
    return acc
