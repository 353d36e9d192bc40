"""Batch normalization as hls4ml computes it, not folded into the layer before it.

    y = (result_t)(x * scale[c] + bias[c])

with ``scale = gamma / sqrt(running_var + eps)`` and ``bias = beta - running_mean * scale``
computed in float64 from the PyTorch parameters, then quantized to their own types
``scale_t`` and ``bias_t``. The product and the sum are exact (``ap_fixed``'s
full-precision types): only the result cast rounds or overflows. The canonical C++
(channel ``c`` of ``C``, position ``p`` of the ``P`` in a channel)::

    for (c..) for (p..)
        out[c][p] = in[c][p] * scale[c] + bias[c];      // assigned to result_t

A 1-D input (after flatten) has one channel per feature (``P = 1``), as
``BatchNorm1d`` and hls4ml's ``n_filt = -1`` do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from quant import FixedType, OverflowStats, arith

from . import cpp
from .config.fields import Fields
from .config.registry import BuildContext, register
from .core.base import Layer, LayerResult, Retype, Shape, require_shape
from .core.types import StageStats
from .hw import Estimate, Preset
from .hw.dsp import dsps_per_multiply
from .hw.stream_cost import StreamKernel, estimate_stream

PARAMS = ("weight", "bias", "running_mean", "running_var")  # PyTorch's names (gamma, beta, statistics)


@dataclass(frozen=True)
class BatchNormParams:
    """``scale`` and ``bias`` as raws of their types, one per channel."""

    scale: np.ndarray
    bias: np.ndarray


@dataclass(frozen=True)
class BatchNorm(Layer):
    name: str
    scale_type: FixedType
    bias_type: FixedType
    result: FixedType
    eps: float = 1e-5
    op: str = "batchnorm"

    def __post_init__(self) -> None:
        if not self.eps > 0:
            raise ValueError(f"layer {self.name!r} (batchnorm): eps must be above 0, got {self.eps}")

    def output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def output_type(self, in_type: FixedType) -> FixedType:
        return self.result

    def param_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        return {name: (input_shape[0],) for name in PARAMS}

    def data_arrays(self) -> tuple[str, ...]:
        return ("result",)

    def retyped(self, retype: Retype) -> "BatchNorm":
        return replace(self, result=retype.data(self.result, self.name, "result"))

    def folded(self, params: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(scale, bias) in float64 from the PyTorch parameters."""
        gamma, beta, mean, var = (np.asarray(params[name], dtype=np.float64) for name in PARAMS)
        if (var < 0).any():
            raise ValueError(f"layer {self.name!r} (batchnorm): running_var has negative entries")
        scale = gamma / np.sqrt(var + self.eps)
        return scale, beta - mean * scale

    def prepare(self, params) -> BatchNormParams:
        if isinstance(params, BatchNormParams):
            return params
        scale, bias = self.folded(params)
        return BatchNormParams(self.scale_type.to_raw(scale), self.bias_type.to_raw(bias))

    def parameter_stats(self, params: dict[str, np.ndarray]) -> OverflowStats:
        stats = OverflowStats()
        scale, bias = self.folded(params)
        self.scale_type.to_raw(scale, stats)
        self.bias_type.to_raw(bias, stats)
        return stats

    def param_raws(self, params: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, FixedType]]:
        prepared = self.prepare(params)
        return {"scale": (prepared.scale, self.scale_type), "bias": (prepared.bias, self.bias_type)}

    # ------------------------------------------------------------------ kernels
    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params) -> LayerResult:
        if not isinstance(params, BatchNormParams):
            require_shape(self, "weight", np.shape(params["weight"]), (raw.shape[1],))
        p = self.prepare(params)
        shape = (1, -1) + (1,) * (raw.ndim - 2)  # one scale and bias per channel (axis 1)
        product, product_t = arith.multiply(raw, in_type, p.scale.reshape(shape), self.scale_type)
        total, total_t = arith.add(product, product_t, p.bias.reshape(shape), self.bias_type)
        stats = StageStats()
        out = self.result.cast(total, total_t, stats.result)
        return LayerResult(out, self.result, stats)

    def run_float(self, x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
        scale, bias = self.folded(params)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        return x * scale.reshape(shape).astype(x.dtype) + bias.reshape(shape).astype(x.dtype)

    # ------------------------------------------------------------------ hardware
    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        """One multiply-add per element, streamed at II=1 (rolled under ``unopt``)."""
        elements = int(np.prod(input_shape))
        kernel = StreamKernel("batchnorm", elements, input_shape[0], elements, in_type.width,
                              dsp_per_lane=dsps_per_multiply(in_type.width, self.scale_type.width, device.dsp_slice),
                              depth=4, rolled=Preset.parse(preset) is Preset.UNOPT)
        return estimate_stream(kernel, device, profile)

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        channels = input_shape[0]
        positions, t = int(np.prod(input_shape[1:])), prefix
        return f"""// {t}: batch normalization of {channels} channels x {positions} positions, y = x * scale[c] + bias[c]
inline void {t}_layer(const {t}_input_t in[{channels * positions}], const {t}_scale_t scale[{channels}],
                      const {t}_bias_t bias[{channels}], {t}_output_t out[{channels * positions}]) {{
  {cpp.KEEP_FUNCTION}
  loop_c: for (int c = 0; c < {channels}; c++) {{
    loop_p: for (int p = 0; p < {positions}; p++) {{
      #pragma HLS PIPELINE II=1
      out[c * {positions} + p] = in[c * {positions} + p] * scale[c] + bias[c];
    }}
  }}
}}
"""

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return cpp.stream_pragmas("loop_p", preset)


@register("batchnorm", type_keys=("scale", "bias", "result"))
def build_batchnorm(f: Fields, ctx: BuildContext) -> BatchNorm:
    """``{name: bn1, op: batchnorm, eps: 1.0e-5, types: {scale: ..., bias: ..., result: ...}}``;
    ``scale`` defaults to the network's ``weight`` type."""
    scale = ctx.type("scale") or ctx.required_type("weight")
    return BatchNorm(ctx.name, scale, ctx.required_type("bias"), ctx.required_type("result"),
                     eps=f.get("eps", float, 1e-5))
