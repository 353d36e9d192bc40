"""Arrays → block RAM: how many BRAM_18K (or URAM) an on-chip array takes.

A BRAM_18K can be configured as 16K×1, 8K×2, 4K×4, 2K×9, 1K×18, or — simple dual port
only (one read port, one write port) — 512×36. An array of ``depth`` words of ``width``
bits in one bank needs ``ceil(width / w) * ceil(depth / d)`` blocks for the best of
those shapes; partitioning into ``banks`` splits the depth (each bank rounded up on its
own). Arrays under 1 Kbit go to LUTRAM or registers (no BRAM). A URAM is 4K×72.

    >>> bram_18k(64, 1024), bram_18k(64, 1025), bram_18k(32, 4096, simple_dual_port=True)
    (4, 8, 8)
"""

from __future__ import annotations

from math import ceil

from .estimate import MemoryCost

ASPECTS = ((1, 16384), (2, 8192), (4, 4096), (9, 2048), (18, 1024))  # (width, depth)
SDP_ASPECT = (36, 512)  # simple dual port only
LUTRAM_BITS = 1024  # below this an array stays out of block RAM
URAM_SHAPE = (72, 4096)


def bram_18k(width: int, depth: int, banks: int = 1, simple_dual_port: bool = False) -> int:
    """BRAM_18K blocks for an array of ``depth`` words × ``width`` bits in ``banks`` banks."""
    if width < 1 or depth < 1 or banks < 1:
        raise ValueError(f"array of width {width}, depth {depth}, banks {banks}: all must be at least 1")
    bank_depth = ceil(depth / banks)
    if width * bank_depth < LUTRAM_BITS:
        return 0
    shapes = ASPECTS + ((SDP_ASPECT,) if simple_dual_port else ())
    per_bank = min(ceil(width / w) * ceil(bank_depth / d) for w, d in shapes)
    return per_bank * banks


def uram(width: int, depth: int, banks: int = 1) -> int:
    """UltraRAM blocks (4K×72) for the same array."""
    w, d = URAM_SHAPE
    return banks * ceil(width / w) * ceil(ceil(depth / banks) / d)


def place_array(name: str, width: int, depth: int, banks: int = 1, copies: int = 1,
                storage: str = "auto", lutram_bits_per_lut: int = 64, simple_dual_port: bool = False) -> MemoryCost:
    """Where an array goes and what it occupies: registers when every bank holds a single
    word (complete partitioning), LUTRAM under 1 Kbit a bank, URAM when asked for, BRAM
    otherwise. ``copies`` = 2 for a ping-pong buffer; ``simple_dual_port`` for arrays with
    one read and one write port (partial sums), which may use the 512×36 shape."""
    banks = max(1, min(banks, depth))
    bank_depth = ceil(depth / banks)
    if bank_depth == 1:
        return MemoryCost(name, width, depth, banks, copies, "registers", FF=width * banks * copies)
    if storage == "uram":
        return MemoryCost(name, width, depth, banks, copies, "URAM", URAM=copies * uram(width, depth, banks))
    if storage == "lutram" or width * bank_depth < LUTRAM_BITS:
        luts = banks * copies * width * ceil(bank_depth / lutram_bits_per_lut)
        return MemoryCost(name, width, depth, banks, copies, "LUTRAM", LUT=luts)
    blocks = bram_18k(width, depth, banks, simple_dual_port)
    return MemoryCost(name, width, depth, banks, copies, "BRAM", BRAM_18K=copies * blocks)


def partition_plan(kind: str, factor: int, dim: int | None, shape: tuple[int, ...],
                   parallel: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """``#pragma HLS ARRAY_PARTITION`` as Vitis reads it: ``(dimension, banks)`` for each
    dimension it splits (1-based). ``complete`` makes one bank per index of a dimension,
    ``cyclic``/``block`` ``factor`` banks; ``dim=0`` splits every dimension. Without a
    ``dim`` (``None``): ``complete`` splits the dimensions read in parallel (``parallel[k]
    > 1``: indexed by unrolled loops), ``cyclic``/``block`` the first."""
    rank = len(shape)
    if dim is None:
        chosen = [k for k in range(rank) if parallel[k] > 1] if kind == "complete" else [0]
    elif dim == 0:
        chosen = list(range(rank))
    elif dim <= rank:
        chosen = [dim - 1]
    else:
        raise ValueError(f"ARRAY_PARTITION dim={dim}: the array has {rank} dimension(s) {list(shape)}")
    return tuple((k + 1, shape[k] if kind == "complete" else max(1, min(factor, shape[k]))) for k in chosen)


def array_plan(splits, shape: tuple[int, ...], parallel: tuple[int, ...]) -> tuple[tuple[int, int, str], ...]:
    """``(dimension, banks, kind)`` of every dimension the ``splits`` (``(kind, factor, dim)``
    each, one ARRAY_PARTITION pragma apiece) partition; two pragmas on one dimension are an
    error, not one silently replacing the other."""
    plan: dict[int, tuple[int, str]] = {}
    for kind, factor, dim in splits:
        for k, banks in partition_plan(kind, factor, dim, shape, parallel):
            if k in plan:
                raise ValueError(f"ARRAY_PARTITION: dimension {k} of the array {list(shape)} is partitioned twice")
            plan[k] = (banks, kind)
    return tuple((k, banks, kind) for k, (banks, kind) in sorted(plan.items()))


def bank_accesses(plan: tuple[tuple[int, int, str], ...], shape: tuple[int, ...], parallel: tuple[int, ...]) -> int:
    """Words one bank must serve in a cycle when ``parallel[k]`` consecutive indices of each
    dimension are read at once: spread round-robin over a dimension's ``cyclic`` banks, in
    runs of ``ceil(size / banks)`` over ``block`` ones (and all of them in one bank of a
    dimension left whole)."""
    split = {k: (banks, kind) for k, banks, kind in plan}
    worst = 1
    for k, (size, reads) in enumerate(zip(shape, parallel)):
        banks, kind = split.get(k + 1, (1, "none"))
        worst *= min(reads, ceil(size / banks)) if kind == "block" else ceil(reads / banks)
    return worst
