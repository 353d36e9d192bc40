"""Max pooling, overlapping or not (AlexNet's is 3×3 with stride 2).

The canonical C++ (padding positions hold the type's minimum, so they never win)::

    for (c..) for (r..) for (col..) {
        result_t m = in[c][S*r - P][S*col - P];
        for (i = 0; i < K; i++) for (j = 0; j < K; j++)
            m = (x = in[c][S*r + i - P][S*col + j - P]) >= m ? x : m;
        out[c][r][col] = m;
    }

The maximum of fixed-point values is exact, so only an explicit ``result`` type narrower
than the input can change a value (by its cast). hls4ml copies each window value into the
pool's ``accum_t`` first (``pool_window[k] = in[...]``); an ``accum`` type gives that cast,
element by element, before the maximum (padding positions hold ``accum_t``'s minimum).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quant import FixedType

from . import cpp
from .config.fields import Fields
from .config.registry import BuildContext, register
from .core.base import Layer, LayerResult, Shape, feature_maps, require_counts
from .core.loop_nest import LoopNest
from .core.types import StageStats
from .hw import Estimate, Preset
from .hw.stream_cost import StreamKernel, estimate_stream
from .kernels import jit_pool


@dataclass(frozen=True)
class MaxPool(Layer):
    name: str
    kernel: int = 3
    stride: int = 2
    padding: int = 0
    result: FixedType | None = None  # None: keep the input type (or the accumulator's)
    accum: FixedType | None = None  # hls4ml's accum_t: each value cast to it before the maximum
    op: str = "maxpool"

    def __post_init__(self) -> None:
        require_counts(self, kernel=self.kernel, stride=self.stride)
        require_counts(self, 0, padding=self.padding)

    def output_shape(self, input_shape: Shape) -> Shape:
        channels, height, width = feature_maps(self, input_shape)
        out_h = (height + 2 * self.padding - self.kernel) // self.stride + 1
        out_w = (width + 2 * self.padding - self.kernel) // self.stride + 1
        if out_h < 1 or out_w < 1:
            raise ValueError(f"layer {self.name!r} (maxpool): window {self.kernel} does not fit input {input_shape}")
        if self.padding * 2 > self.kernel:
            raise ValueError(f"layer {self.name!r} (maxpool): padding {self.padding} exceeds half the window {self.kernel}")
        return (channels, out_h, out_w)

    def output_type(self, in_type: FixedType) -> FixedType:
        return self.result or self.accum or in_type

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        """Streams outputs at II=1 behind a line buffer of ``kernel`` input rows (rolled under ``unopt``)."""
        channels, rows, cols = self.output_shape(input_shape)
        kernel = StreamKernel("maxpool", channels * rows * cols, channels * rows,
                              channels * input_shape[1] * input_shape[2], in_type.width,
                              window_words=self.kernel * input_shape[2], depth=2 + self.kernel,
                              rolled=Preset.parse(preset) is Preset.UNOPT)
        return estimate_stream(kernel, device, profile)

    def loop_nest(self, input_shape: Shape) -> LoopNest:
        channels, rows, cols = self.output_shape(input_shape)
        return LoopNest.build({"c": channels, "r": rows, "col": cols, "i": self.kernel, "j": self.kernel})

    def _pool(self, x: np.ndarray, pad_value) -> np.ndarray:
        p = self.padding
        if p:
            x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=pad_value)
        rows = (x.shape[2] - self.kernel) // self.stride + 1
        cols = (x.shape[3] - self.kernel) // self.stride + 1
        span_r, span_c = self.stride * (rows - 1) + 1, self.stride * (cols - 1) + 1
        out = None
        for i in range(self.kernel):  # one strided view per window offset: K*K passes
            for j in range(self.kernel):
                view = x[:, :, i:i + span_r:self.stride, j:j + span_c:self.stride]
                out = view.copy() if out is None else np.maximum(out, view, out=out)
        return out

    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params: dict[str, np.ndarray]) -> LayerResult:
        _, rows, cols = self.output_shape(raw.shape[1:])
        stats = StageStats()
        if self.accum is not None and self.accum != in_type:  # hls4ml's window copies, each one a cast
            raw, in_type = self.accum.cast(raw, in_type, stats.accumulation), self.accum
        pooled = jit_pool.pool(raw, self.kernel, self.stride, self.padding, rows, cols)
        if pooled is None:  # without numba: the reference, one strided pass per window offset
            pooled = self._pool(raw, in_type.min_raw)
        out_type = self.result or in_type
        if out_type == in_type:  # the maximum of values is one of them: nothing to convert
            stats.result.record(pooled.size, 0, 0, 0)
            return LayerResult(pooled, out_type, stats)
        return LayerResult(out_type.cast(pooled, in_type, stats.result), out_type, stats)

    def run_float(self, x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
        return self._pool(x, -np.inf)

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        """The module docstring's nest; a padding position is skipped (it never wins)."""
        c, h, w = input_shape
        _, r, cc = self.output_shape(input_shape)
        k, s, p, t = self.kernel, self.stride, self.padding, prefix
        row, col = cpp.plus(cpp.times(s, "r"), "i"), cpp.plus(cpp.times(s, "col"), "j")
        outside = f"y < 0 || y >= {h} || x < 0 || x >= {w}" if p else f"y >= {h} || x >= {w}"
        window = f"{t}_accum_t" if self.accum is not None else f"{t}_input_t"
        typedef = f"typedef {self.accum.cpp()} {t}_accum_t;\n" if self.accum is not None else ""
        return f"""// {t}: max-pool {k}x{k}, stride {s}, padding {p}: {c}x{h}x{w} -> {c}x{r}x{cc}
{typedef}inline void {t}_layer(const {t}_input_t in[{c * h * w}], {t}_output_t out[{c * r * cc}]) {{
  {cpp.KEEP_FUNCTION}
  loop_ch: for (int ch = 0; ch < {c}; ch++) {{
    loop_r: for (int r = 0; r < {r}; r++) {{
      loop_col: for (int col = 0; col < {cc}; col++) {{
        #pragma HLS PIPELINE II=1
        {window} best = 0;
        bool first = true;
        loop_i: for (int i = 0; i < {k}; i++) {{
          loop_j: for (int j = 0; j < {k}; j++) {{
            int y = {row}{f" - {p}" if p else ""}, x = {col}{f" - {p}" if p else ""};
            if ({outside}) continue;
            {window} v = in[(ch * {h} + y) * {w} + x];
            if (first || v >= best) best = v;
            first = false;
          }}
        }}
        out[(ch * {r} + r) * {cc} + col] = best;
      }}
    }}
  }}
}}
"""

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return cpp.stream_pragmas("loop_col", preset)


@register("maxpool", type_keys=("result", "accum"), inherits_defaults=False)
def build_maxpool(f: Fields, ctx: BuildContext) -> MaxPool:
    """``{name: pool1, op: maxpool, kernel: 3, stride: 2, padding: 0, types: {result: ..., accum: ...}}``;
    without types of its own the layer keeps its input type."""
    return MaxPool(ctx.name, f.count("kernel", 3), f.count("stride", 2), f.count("padding", 0, minimum=0),
                   ctx.type("result"), ctx.type("accum"))
