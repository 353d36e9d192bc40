"""ReLU as its own layer, as hls4ml builds it.

The canonical C++::

    for (i = 0; i < N; i++)
        out[i] = (result_t)(in[i] > 0 ? in[i] : 0);

A ReLU can instead be fused into conv/dense (``relu: true`` there), which applies it to
the accumulator *before* the result cast. The two differ when the result cast overflows
or rounds: fused, a large negative accumulator becomes 0; separate, it is first cast
(and may wrap to a positive value) and only then compared with 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quant import FixedType

from . import cpp
from .config.fields import Fields
from .config.registry import BuildContext, register
from .core.base import Layer, LayerResult, Shape
from .core.types import StageStats
from .hw import Estimate, Preset
from .hw.stream_cost import StreamKernel, estimate_stream


@dataclass(frozen=True)
class ReLU(Layer):
    name: str
    result: FixedType | None = None  # None: keep the input type
    op: str = "relu"

    def output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def output_type(self, in_type: FixedType) -> FixedType:
        return self.result or in_type

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        elements = int(np.prod(input_shape))
        kernel = StreamKernel("relu", elements, 1, elements, in_type.width, depth=1,
                              rolled=Preset.parse(preset) is Preset.UNOPT)
        return estimate_stream(kernel, device, profile)

    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params: dict[str, np.ndarray]) -> LayerResult:
        stats = StageStats()
        clipped = np.maximum(raw, 0)
        out_type = self.result or in_type
        if out_type == in_type:  # 0 and every positive input are values of the type already
            stats.result.record(clipped.size, 0, 0, 0)
            return LayerResult(clipped, out_type, stats)
        return LayerResult(out_type.cast(clipped, in_type, stats.result), out_type, stats)

    def run_float(self, x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
        return np.maximum(x, 0.0)

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        n, t = int(np.prod(input_shape)), prefix
        return f"""// {t}: ReLU on {n} values
inline void {t}_layer(const {t}_input_t in[{n}], {t}_output_t out[{n}]) {{
  {cpp.KEEP_FUNCTION}
  loop_i: for (int i = 0; i < {n}; i++) {{
    #pragma HLS PIPELINE II=1
    {t}_input_t x = in[i];
    out[i] = x > 0 ? x : ({t}_input_t)0;
  }}
}}
"""

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return cpp.stream_pragmas("loop_i", preset)


@register("relu", type_keys=("result",), inherits_defaults=False)
def build_relu(f: Fields, ctx: BuildContext) -> ReLU:
    """``{name: relu1, op: relu, types: {result: ...}}`` (hls4ml's separate activation layer)."""
    return ReLU(ctx.name, ctx.type("result"))
