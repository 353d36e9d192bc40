"""``MacKernel``: a multiply-accumulate kernel (conv, dense) as the cost model reads it.

The layer describes its kernel by its loop nest (tiles, order, directives), the arrays it
reads and writes (which loops index each dimension, whole and tile sizes: ``ArrayUse``) and
its operand widths; ``unrolled`` says which loops that nest runs as parallel lanes.
``mac_cost`` prices it, ``rolled`` prices it left rolled, ``cpp.mac_nest`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Literal

from ..core.loop_nest import LoopNest

OnChip = Literal["whole", "tiles"]


@dataclass(frozen=True)
class ArrayUse:
    """One array of a kernel, as the loop nest sees it."""

    name: str  # input, weight, bias, output
    width: int  # bits per word
    whole: int  # words of the whole array (per image)
    tile: int  # words of one tile buffer
    loops: tuple[str, ...]  # loops whose indices address it
    transfers: int  # tile transfers per image over DRAM (loads; stores for the output)
    accumulate: bool = False  # read-modify-write every iteration (partial sums)
    shape: tuple[int, ...] = ()  # the buffer's dimensions (ARRAY_PARTITION splits them)
    index: tuple[tuple[str, ...], ...] = ()  # the loops whose indices address each dimension

    def parallel(self, lanes: dict[str, int]) -> tuple[int, ...]:
        """Distinct indices of each dimension read in one cycle, given the unrolled lanes."""
        return tuple(min(size, prod(lanes.get(loop, 1) for loop in loops)) for size, loops in zip(self.shape, self.index))


@dataclass(frozen=True)
class MacKernel:
    kind: str  # "conv" | "dense"
    nest: LoopNest
    arrays: tuple[ArrayUse, ...]
    weight_width: int
    input_width: int
    product_width: int
    accum_width: int
    macs: int  # per image
    outputs: int  # per image
    on_chip: OnChip
    groups: int = 1  # independent copies of the nest (grouped convolution), run one after another


def unrolled(nest: LoopNest) -> dict[str, int]:
    """Loop -> lanes it contributes: point loops inside the pipelined loop unroll fully
    (whatever their UNROLL factor says), UNROLL factors (0 = full) apply elsewhere."""
    factors = {}
    for loop, factor in nest.directives.unroll:
        factors[loop] = nest.tile(loop) if factor == 0 else min(factor, nest.tile(loop))
    order = list(nest.order)
    pipe = nest.directives.pipeline
    if pipe is not None:  # a pipelined loop unrolls every loop inside it completely
        for loop in order[order.index(pipe) + 1:]:
            factors[loop] = nest.tile(loop)
    return {loop: f for loop, f in factors.items() if f > 1}
