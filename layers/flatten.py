"""Flatten (C, H, W) feature maps (or a (C, L) sequence: L rows of one column) into a
vector, in an explicit order.

``chw`` is PyTorch's order (channel-major): ``out[(c*H + h)*W + w] = in[c][h][w]``.
``hwc`` is Keras's (channels-last): ``out[(h*W + w)*C + c] = in[c][h][w]``. Weights of
a dense layer trained in one order are wrong in the other: this is what silently breaks
ported Keras models, so the order is always stated. Values are unchanged, unless a
``result`` type is given (hls4ml's transpose before a dense layer assigns to its own type)::

    for (c..) for (h..) for (w..) out[index(c, h, w)] = in[c][h][w];
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from quant import FixedType

from . import cpp
from .config.fields import ConfigError, Fields
from .config.registry import BuildContext, register
from .core.base import Layer, LayerResult, Shape
from .core.types import StageStats
from .hw import Estimate, Preset
from .hw.stream_cost import StreamKernel, estimate_stream

FlattenOrder = Literal["chw", "hwc"]


@dataclass(frozen=True)
class Flatten(Layer):
    name: str
    order: FlattenOrder = "chw"
    result: FixedType | None = None  # None: keep the input type
    op: str = "flatten"

    def __post_init__(self) -> None:
        if self.order not in ("chw", "hwc"):
            raise ValueError(f"layer {self.name!r} (flatten): order {self.order!r} must be 'chw' (PyTorch) or 'hwc' (Keras)")

    def output_shape(self, input_shape: Shape) -> Shape:
        return (int(np.prod(input_shape)),)

    def output_type(self, in_type: FixedType) -> FixedType:
        return self.result or in_type

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        """A copy; ``hwc`` must hold the whole (C, H, W) array to reorder it."""
        elements = int(np.prod(input_shape))
        reorder = elements if self.order == "hwc" and len(input_shape) >= 2 else 0
        kernel = StreamKernel("flatten", elements, 1, elements, in_type.width, window_words=reorder, depth=2,
                              rolled=Preset.parse(preset) is Preset.UNOPT)
        return estimate_stream(kernel, device, profile)

    def _flatten(self, x: np.ndarray) -> np.ndarray:
        if self.order == "hwc" and x.ndim == 4:
            x = x.transpose(0, 2, 3, 1)
        elif self.order == "hwc" and x.ndim == 3:  # a sequence, channels-last: sample by sample
            x = x.transpose(0, 2, 1)
        return np.ascontiguousarray(x).reshape(x.shape[0], -1)

    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params: dict[str, np.ndarray]) -> LayerResult:
        flat, stats = self._flatten(raw), StageStats()
        if self.result is None or self.result == in_type:
            return LayerResult(flat, in_type, stats)
        return LayerResult(self.result.cast(flat, in_type, stats.result), self.result, stats)

    def run_float(self, x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
        return self._flatten(x)

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        t, n = prefix, int(np.prod(input_shape))
        head = f"inline void {t}_layer(const {t}_input_t in[{n}], {t}_output_t out[{n}]) {{\n  {cpp.KEEP_FUNCTION}"
        if self.order == "chw" or len(input_shape) < 2:
            return f"""// {t}: flatten {'x'.join(map(str, input_shape))} in C order (PyTorch's)
{head}
  loop_i: for (int i = 0; i < {n}; i++) {{
    #pragma HLS PIPELINE II=1
    out[i] = in[i];
  }}
}}
"""
        c, h, w = (*input_shape, 1) if len(input_shape) == 2 else input_shape
        return f"""// {t}: flatten {c}x{h}x{w} channels-last (Keras's order)
{head}
  loop_h: for (int h = 0; h < {h}; h++) {{
    loop_w: for (int w = 0; w < {w}; w++) {{
      loop_c: for (int c = 0; c < {c}; c++) {{
        #pragma HLS PIPELINE II=1
        out[(h * {w} + w) * {c} + c] = in[(c * {h} + h) * {w} + w];
      }}
    }}
  }}
}}
"""

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return cpp.stream_pragmas("loop_c" if self.order == "hwc" and len(input_shape) >= 2 else "loop_i", preset)


@register("flatten", type_keys=("result",), inherits_defaults=False)
def build_flatten(f: Fields, ctx: BuildContext) -> Flatten:
    """``{name: flat, op: flatten, order: chw|hwc, types: {result: ...}}`` (``hwc`` for weights
    ported from Keras; without a result type the values keep their input type)."""
    order = f.get("order", str, "chw")
    if order not in ("chw", "hwc"):
        raise ConfigError(f"{f.where}: field 'order' must be 'chw' (PyTorch) or 'hwc' (Keras), got {order!r}")
    return Flatten(ctx.name, order, ctx.type("result"))  # type: ignore[arg-type]
