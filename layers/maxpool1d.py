"""1-D max-pooling over ``[channels, length]``, as hls4ml's ``pooling1d_cl`` computes it:
the window's maximum in the input type, assigned to ``accum_t`` (when the layer has one),
then to ``result_t``.

The canonical C++ (window ``K``, stride ``S``, padding ``P``: a padding position never
wins, so it is skipped)::

    for (ch..) for (r = 0; r < R; r++) {
        input_t best = first value of the window;
        for (i = 0; i < K; i++) best = max(best, in[ch][S*r + i - P]);
        out[ch][r] = (result_t)(accum_t) best;
    }

(The 2-D ``maxpool`` casts each window value to ``accum_t`` before comparing, as hls4ml's
2-D pooling copies them; a cast keeps order unless it wraps, so the two agree but for a
wrapping ``accum_t`` narrower than the input.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quant import FixedType

from . import cpp
from .config.fields import Fields
from .config.registry import BuildContext, register
from .conv1d import sequence
from .core.base import Layer, LayerResult, Retype, Shape
from .core.types import StageStats
from .hw import Estimate, Preset
from .hw.stream_cost import StreamKernel, estimate_stream


@dataclass(frozen=True)
class MaxPool1D(Layer):
    name: str
    kernel: int = 2
    stride: int = 2
    padding: int = 0
    result: FixedType | None = None  # None: the input's type
    accum: FixedType | None = None  # hls4ml's accum_t, the maximum's first cast
    op: str = "maxpool1d"

    def __post_init__(self) -> None:
        if self.padding * 2 > self.kernel:
            raise ValueError(f"layer {self.name!r} (maxpool1d): padding {self.padding} is more than half the window "
                             f"{self.kernel} (a window of padding alone has no maximum)")

    def output_shape(self, input_shape: Shape) -> Shape:
        channels, length = sequence(self, input_shape)
        out = (length + 2 * self.padding - self.kernel) // self.stride + 1
        if out < 1:
            raise ValueError(f"layer {self.name!r} (maxpool1d): window {self.kernel} does not fit input {input_shape}")
        return (channels, out)

    def output_type(self, in_type: FixedType) -> FixedType:
        return self.result or self.accum or in_type

    def data_arrays(self) -> tuple[str, ...]:
        return ("result",) if self.result else ()

    def retyped(self, retype: Retype) -> "MaxPool1D":
        if self.result is None:
            return self
        return MaxPool1D(self.name, self.kernel, self.stride, self.padding,
                         retype.data(self.result, self.name, "result"), self.accum)

    def _windows(self, x: np.ndarray, pad_value) -> np.ndarray:
        p = self.padding
        if p:
            x = np.pad(x, ((0, 0), (0, 0), (p, p)), constant_values=pad_value)
        out = (x.shape[2] - self.kernel) // self.stride + 1
        span = self.stride * (out - 1) + 1
        best = None
        for i in range(self.kernel):  # one strided view per window offset
            view = x[:, :, i:i + span:self.stride]
            best = view.copy() if best is None else np.maximum(best, view, out=best)
        return best

    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params: dict) -> LayerResult:
        sequence(self, raw.shape[1:])
        stats = StageStats()
        best, current = self._windows(np.asarray(raw, dtype=np.int64), in_type.min_raw - 1), in_type
        if self.accum is not None and self.accum != current:
            best, current = self.accum.cast(best, current, stats.accumulation), self.accum
        out_type = self.output_type(in_type)
        if out_type == current:
            stats.result.record(best.size, 0, 0, 0)
            return LayerResult(best, out_type, stats)
        return LayerResult(out_type.cast(best, current, stats.result), out_type, stats)

    def run_float(self, x: np.ndarray, params: dict) -> np.ndarray:
        return self._windows(x, -np.inf)

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        channels, length = sequence(self, input_shape)
        _, out = self.output_shape(input_shape)
        kernel = StreamKernel("maxpool", channels * out, channels, channels * length, in_type.width,
                              window_words=self.kernel, window_banks=self.kernel,
                              rolled=Preset.parse(preset) is Preset.UNOPT)
        return estimate_stream(kernel, device, profile)

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        channels, length = sequence(self, input_shape)
        _, out = self.output_shape(input_shape)
        k, s, p, t = self.kernel, self.stride, self.padding, prefix
        accum = f"typedef {self.accum.cpp()} {t}_accum_t;\n" if self.accum is not None else ""
        cast = f"({t}_accum_t)best" if self.accum is not None else "best"
        position = cpp.plus(cpp.times(s, "r"), "i")
        return f"""// {t}: max-pool 1-D, window {k}, stride {s}, padding {p}: {channels}x{length} -> {channels}x{out}
{accum}inline void {t}_layer(const {t}_input_t in[{channels * length}], {t}_output_t out[{channels * out}]) {{
  {cpp.KEEP_FUNCTION}
  loop_ch: for (int ch = 0; ch < {channels}; ch++) {{
    loop_r: for (int r = 0; r < {out}; r++) {{
      #pragma HLS PIPELINE II=1
      {t}_input_t best = 0;
      bool first = true;
      loop_i: for (int i = 0; i < {k}; i++) {{
        int x = {position}{f" - {p}" if p else ""};
        if (x < 0 || x >= {length}) continue;
        {t}_input_t v = in[ch * {length} + x];
        if (first || v > best) best = v;
        first = false;
      }}
      out[ch * {out} + r] = {cast};
    }}
  }}
}}
"""

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return cpp.stream_pragmas("loop_r", preset)


@register("maxpool1d", type_keys=("result", "accum"), inherits_defaults=False)
def build_maxpool1d(f: Fields, ctx: BuildContext) -> MaxPool1D:
    """``{name: pool1, op: maxpool1d, kernel: 2, stride: 2, padding: 0, types: {result: ..., accum: ...}}``."""
    kernel = f.count("kernel", 2)
    return MaxPool1D(ctx.name, kernel, f.count("stride", kernel), f.count("padding", 0, minimum=0),
                     ctx.type("result"), ctx.type("accum"))
