"""Element-wise sum of two tensors of one shape — a skip connection — as hls4ml's
``nnet::add`` computes it (``nnet_merge.h``, and ``nnet_merge_stream.h`` alike).

The canonical C++::

    for (i = 0; i < N; i++)
        out[i] = in1[i] + in2[i];   // ap_fixed's + is exact; the assignment is the one cast

The sum is formed in full precision (``ap_fixed``'s ``RType::plus``: one integer bit over
the wider operand, the finer fraction) and only the assignment to ``result_t`` rounds and
overflows — hls4ml gives ``add`` no accumulator of its own. Without a ``result`` type the
output keeps the exact sum's type (nothing is lost).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from quant import FixedType, arith

from . import cpp
from .config.fields import Fields
from .config.registry import BuildContext, register
from .core.base import Layer, LayerResult, Retype, Shape
from .core.types import StageStats
from .hw import Estimate, Preset
from .hw.stream_cost import StreamKernel, estimate_stream


@dataclass(frozen=True)
class Add(Layer):
    name: str
    result: FixedType | None = None  # None: the exact sum's type
    op: str = "add"
    arity: ClassVar[int] = 2

    def output_shape(self, input_shape: tuple[Shape, Shape]) -> Shape:
        first, second = (tuple(shape) for shape in input_shape)
        if first != second:
            raise ValueError(f"layer {self.name!r} (add): its inputs have shapes {first} and {second}; an add "
                             f"takes two tensors of one shape")
        return first

    def output_type(self, in_type: tuple[FixedType, FixedType]) -> FixedType:
        return self.result or arith.sum_type(*in_type)

    def data_arrays(self) -> tuple[str, ...]:
        return ("result",) if self.result else ()

    def retyped(self, retype: Retype) -> "Add":
        return Add(self.name, retype.data(self.result, self.name, "result")) if self.result else self

    def run_fixed(self, raw: tuple[np.ndarray, np.ndarray], in_type: tuple[FixedType, FixedType],
                  params: dict) -> LayerResult:
        stats = StageStats()
        total, exact = arith.add(raw[0], in_type[0], raw[1], in_type[1])
        out_type = self.output_type(in_type)
        if out_type == exact:
            stats.result.record(np.size(total), 0, 0, 0)
            return LayerResult(np.asarray(total), out_type, stats)
        return LayerResult(out_type.cast(total, exact, stats.result), out_type, stats)

    def run_float(self, x: tuple[np.ndarray, np.ndarray], params: dict) -> np.ndarray:
        return x[0] + x[1]

    def cpp_source(self, input_shape: tuple[Shape, Shape], in_type, prefix: str) -> str:
        n, t = int(np.prod(input_shape[0])), prefix
        return f"""// {t}: the sum of two tensors of {n} values (nnet::add)
inline void {t}_layer(const {t}_input1_t in1[{n}], const {t}_input2_t in2[{n}], {t}_output_t out[{n}]) {{
  {cpp.KEEP_FUNCTION}
  loop_i: for (int i = 0; i < {n}; i++) {{
    #pragma HLS PIPELINE II=1
    out[i] = in1[i] + in2[i];
  }}
}}
"""

    def cpp_pragmas(self, input_shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return cpp.stream_pragmas("loop_i", preset)

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        """An element-wise pass (costed with ReLU's numbers), reading two words an output."""
        elements = int(np.prod(input_shape[0]))
        kernel = StreamKernel("relu", elements, 1, 2 * elements, max(t.width for t in in_type), depth=1,
                              rolled=Preset.parse(preset) is Preset.UNOPT)
        return estimate_stream(kernel, device, profile)


@register("add", type_keys=("result",), inherits_defaults=False)
def build_add(f: Fields, ctx: BuildContext) -> Add:
    """``{name: skip1, op: add, inputs: [conv2, pool1], types: {result: ...}}``: the two
    inputs summed (a residual connection)."""
    return Add(ctx.name, ctx.type("result"))
