"""Where Vitis HLS 2020+ pipelines a loop nest that asks for no pipeline.

``config_compile -pipeline_loops`` (default 64) makes the tool pipeline loops on its own;
UG1399 describes the walk from the innermost loop up the nest, and public reports show
which loops a MAC nest ends up with (``auto_pipeline``'s docstring). The legacy Vivado
HLS behaviour pipelines nothing unasked.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, prod

from ..core.loop_nest import LoopNest


@dataclass(frozen=True)
class AutoPipeline:
    """Where Vitis 2020+ puts a PIPELINE the nest does not ask for (``auto_pipeline``)."""

    run: tuple[str, ...]  # the loops flattened into the pipelined loop, outermost first
    unrolled: tuple[str, ...]  # the loops below it, unrolled into its body


def auto_pipeline(nest: LoopNest, lanes: dict[str, int], threshold: int) -> AutoPipeline:
    """What Vitis HLS 2020+ does to a nest with no PIPELINE directive (``config_compile
    -pipeline_loops``, default 64). UG1399: the tool starts at the innermost loop and moves
    up the nest. The innermost loop is pipelined (``config_compile`` of UG1399 2020.2 and
    2022.1: "the innermost loop with a tripcount higher than the threshold is pipelined, or
    if [it] is less than or equal to the threshold, its parent loop is pipelined"; a public
    2022.1 DCT under ``-pipeline_loops 6``, chaoNTUEE/HLS_Lab-A solution2, pipelines its
    8-trip inner loop, and under the default 64 unrolls it into its pipelined parent); the loops
    perfectly nested above it — the run of loops of its own class (reduction loops over
    one accumulator, or output loops over a buffer) — flatten into it; when that run's
    trip is itself at most the threshold and so is the innermost loop of the run above
    (the parent, separated by the accumulator's initialisation and store), the run is
    unrolled into the parent and the parent pipelined instead, and so on up::

        for (m..) for (r..) for (c..) {            // parent run: pipelined if the run
          acc = bias;                              //   below is short enough to unroll
          for (n..) for (i..) for (j..)            // innermost run: one pipeline of
            acc += w * x;                          //   Tn*K*K iterations otherwise
          out = acc;
        }

    A 4x4x4 matrix product is pipelined over its 16 outputs with its 4-term dot product
    unrolled (a public Vitis report: II=2 on two-port memories, 4 DSPs); a 7x7 conv over
    4 input channels keeps the 196-iteration reduction pipelined (~1.03 cycles a MAC), and
    so does a dense layer's 128-term one."""
    order = list(nest.order)
    trip = {loop: ceil(nest.tile(loop) / lanes.get(loop, 1)) for loop in order}
    runs: list[list[str]] = []
    for loop in reversed(order):  # runs of one class, innermost first
        if runs and (loop in nest.reduction) == (runs[-1][0] in nest.reduction):
            runs[-1].insert(0, loop)
        else:
            runs.append([loop])
    level, unrolled = 0, []
    while level + 1 < len(runs) and prod(trip[loop] for loop in runs[level]) <= threshold \
            and trip[runs[level + 1][-1]] <= threshold:
        unrolled = runs[level] + unrolled
        level += 1
    return AutoPipeline(tuple(runs[level]), tuple(unrolled))
