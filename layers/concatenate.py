"""Two tensors joined along the channel axis (inception-style branches), as hls4ml's
``nnet::concatenate`` does it: each value assigned to ``result_t``, in order.

The canonical C++ (channels first: the first input's channels, then the second's)::

    for (i = 0; i < N1; i++) out[i] = in1[i];
    for (i = 0; i < N2; i++) out[N1 + i] = in2[i];

Feature maps ``[C1, H, W]`` and ``[C2, H, W]`` give ``[C1 + C2, H, W]``; vectors ``[N1]``
and ``[N2]`` give ``[N1 + N2]``. (hls4ml's channels-last ``concatenate3d_2`` interleaves the
same values in its own layout; the per-element cast is the same.) Without a ``result``
type the output takes a type that holds both inputs exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from quant import FixedType

from . import cpp
from .config.fields import Fields
from .config.registry import BuildContext, register
from .core.base import Layer, LayerResult, Retype, Shape
from .core.types import StageStats
from .hw import Estimate, Preset
from .hw.stream_cost import StreamKernel, estimate_stream


def common_type(a: FixedType, b: FixedType) -> FixedType:
    """The narrowest type that holds every value of ``a`` and of ``b``."""
    signed = a.signed or b.signed
    integer = max(a.integer + (signed and not a.signed), b.integer + (signed and not b.signed))
    frac = max(a.frac, b.frac)
    return FixedType(integer + frac, integer, signed)


@dataclass(frozen=True)
class Concatenate(Layer):
    name: str
    result: FixedType | None = None  # None: a type that holds both inputs exactly
    op: str = "concatenate"
    arity: ClassVar[int] = 2

    def output_shape(self, input_shape: tuple[Shape, Shape]) -> Shape:
        first, second = (tuple(shape) for shape in input_shape)
        if len(first) != len(second) or first[1:] != second[1:]:
            raise ValueError(f"layer {self.name!r} (concatenate): its inputs have shapes {first} and {second}; "
                             f"they must agree in every axis but the channels (the first)")
        return (first[0] + second[0], *first[1:])

    def output_type(self, in_type: tuple[FixedType, FixedType]) -> FixedType:
        return self.result or common_type(*in_type)

    def data_arrays(self) -> tuple[str, ...]:
        return ("result",) if self.result else ()

    def retyped(self, retype: Retype) -> "Concatenate":
        return Concatenate(self.name, retype.data(self.result, self.name, "result")) if self.result else self

    def run_fixed(self, raw: tuple[np.ndarray, np.ndarray], in_type: tuple[FixedType, FixedType],
                  params: dict) -> LayerResult:
        stats = StageStats()
        out_type = self.output_type(in_type)
        parts = [out_type.cast(part, t, stats.result) for part, t in zip(raw, in_type)]
        return LayerResult(np.concatenate(parts, axis=1), out_type, stats)

    def run_float(self, x: tuple[np.ndarray, np.ndarray], params: dict) -> np.ndarray:
        return np.concatenate(x, axis=1)

    def cpp_source(self, input_shape: tuple[Shape, Shape], in_type, prefix: str) -> str:
        n1, n2, t = int(np.prod(input_shape[0])), int(np.prod(input_shape[1])), prefix
        return f"""// {t}: {n1} values, then {n2} more (nnet::concatenate along the channels)
inline void {t}_layer(const {t}_input1_t in1[{n1}], const {t}_input2_t in2[{n2}], {t}_output_t out[{n1 + n2}]) {{
  {cpp.KEEP_FUNCTION}
  loop_i: for (int i = 0; i < {n1}; i++) {{
    #pragma HLS PIPELINE II=1
    out[i] = in1[i];
  }}
  loop_j: for (int j = 0; j < {n2}; j++) {{
    #pragma HLS PIPELINE II=1
    out[{n1} + j] = in2[j];
  }}
}}
"""

    def cpp_pragmas(self, input_shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return cpp.stream_pragmas("loop_i", preset) + cpp.stream_pragmas("loop_j", preset)

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        """A copy of every value (costed with flatten's numbers: a pass that moves words)."""
        elements = int(sum(np.prod(shape) for shape in input_shape))
        kernel = StreamKernel("flatten", elements, 1, elements, max(t.width for t in in_type), depth=1,
                              rolled=Preset.parse(preset) is Preset.UNOPT)
        return estimate_stream(kernel, device, profile)


@register("concatenate", type_keys=("result",), inherits_defaults=False)
def build_concatenate(f: Fields, ctx: BuildContext) -> Concatenate:
    """``{name: cat1, op: concatenate, inputs: [branch_a, branch_b]}``: channels of the
    first input, then of the second."""
    return Concatenate(ctx.name, ctx.type("result"))
