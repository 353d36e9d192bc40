"""Average pooling as hls4ml computes it: a sum in ``accum_t``, divided by the window size.

The canonical C++ (hls4ml's ``avg``: each addition assigned to ``accum_t``, the division
an ``ap_fixed`` one, truncated toward zero, by the number of pixels the window covers —
or by ``K*K`` with ``count_pad``, PyTorch's default, which counts the zero padding)::

    for (c..) for (r..) for (col..) {
        accum_t acc = 0; unsigned count = 0;
        for (i = 0; i < K; i++) for (j = 0; j < K; j++)
            if (the pixel (S*r + i - P, S*col + j - P) is in the image) {
                acc += in[c][S*r + i - P][S*col + j - P]; count++;
            }
        acc /= count_pad ? K*K : count;
        out[c][r][col] = acc;                          // assigned to result_t
    }
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from quant import FixedType, arith

from . import cpp
from .config.fields import Fields
from .config.registry import BuildContext, register
from .core.base import Layer, LayerResult, OptionalResult, Shape, feature_maps, require_counts
from .core.types import StageStats
from .hw import Estimate, Preset
from .hw.stream_cost import StreamKernel, estimate_stream

COUNT_TYPE = FixedType(32, 32, False)  # the ``unsigned`` divisor, as ap_fixed converts it


@dataclass(frozen=True)
class AvgPool(OptionalResult, Layer):
    name: str
    kernel: int = 2
    stride: int = 2
    padding: int = 0
    count_pad: bool = False  # divide by K*K (PyTorch's count_include_pad) or by the pixels covered (hls4ml, Keras)
    accum: FixedType | None = None  # None: the input type with room for K*K of them (an exact sum)
    result: FixedType | None = None  # None: keep the input type
    op: str = "avgpool"

    def __post_init__(self) -> None:
        require_counts(self, kernel=self.kernel, stride=self.stride)
        require_counts(self, 0, padding=self.padding)
        if self.padding >= self.kernel:
            raise ValueError(f"layer {self.name!r} (avgpool): padding {self.padding} must be below the kernel "
                             f"{self.kernel} (a window of padding alone has nothing to average)")

    def output_shape(self, input_shape: Shape) -> Shape:
        channels, height, width = feature_maps(self, input_shape)
        rows = (height + 2 * self.padding - self.kernel) // self.stride + 1
        cols = (width + 2 * self.padding - self.kernel) // self.stride + 1
        if rows < 1 or cols < 1:
            raise ValueError(f"layer {self.name!r} (avgpool): kernel {self.kernel} does not fit input {input_shape}")
        return (channels, rows, cols)

    def accum_type(self, in_type: FixedType) -> FixedType:
        grow = math.ceil(math.log2(self.kernel * self.kernel))
        return self.accum or FixedType(in_type.width + grow, in_type.integer + grow, in_type.signed)

    def counts(self, height: int, width: int) -> np.ndarray:
        """The divisor of each output: K*K, or the pixels its window covers."""
        rows, cols = self.output_shape((1, height, width))[1:]
        if self.count_pad:
            return np.full((rows, cols), self.kernel * self.kernel, dtype=np.int64)
        inside = np.pad(np.ones((height, width), dtype=np.int64), self.padding)
        windows = sliding_window_view(inside, (self.kernel, self.kernel))[::self.stride, ::self.stride]
        return windows.sum(axis=(2, 3))[:rows, :cols]

    def _windows(self, x: np.ndarray):
        """Each window offset (i, j) in the loop's order: a strided view of the zero-padded input."""
        p = self.padding
        padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else x
        rows, cols = self.output_shape(x.shape[1:])[1:]
        span_r, span_c = self.stride * (rows - 1) + 1, self.stride * (cols - 1) + 1
        for i in range(self.kernel):
            for j in range(self.kernel):
                yield padded[:, :, i:i + span_r:self.stride, j:j + span_c:self.stride]

    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params=None) -> LayerResult:
        """The C++ loop as K*K vectorized passes: adding a padding zero leaves the sum as it
        is, so the padded views add exactly what the C++ adds."""
        accum, stats = self.accum_type(in_type), StageStats()
        acc = np.zeros((raw.shape[0], *self.output_shape(raw.shape[1:])), dtype=np.int64)
        for view in self._windows(raw):
            total, total_t = arith.add(acc, accum, view, in_type)
            acc = accum.cast(total, total_t, stats.accumulation)
        counts = self.counts(*raw.shape[2:])[None, None]
        quotient, quotient_t = arith.divide(acc, accum, counts, COUNT_TYPE)
        inexact = int(np.count_nonzero(np.abs(acc) % counts))  # the division truncates these toward zero
        stats.accumulation.record(acc.size, 0, 0, inexact)
        acc = accum.cast(quotient, quotient_t, stats.accumulation)
        out_type = self.output_type(in_type)
        return LayerResult(out_type.cast(acc, accum, stats.result), out_type, stats)

    def run_float(self, x: np.ndarray, params=None) -> np.ndarray:
        return sum(self._windows(x)) / self.counts(*x.shape[2:])

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        """Streams outputs at II=1 behind a line buffer of ``kernel`` rows, as max-pool does."""
        channels, rows, cols = self.output_shape(input_shape)
        kernel = StreamKernel("avgpool", channels * rows * cols, channels * rows,
                              channels * input_shape[1] * input_shape[2], in_type.width,
                              window_words=self.kernel * input_shape[2], depth=2 + self.kernel + 4,
                              rolled=Preset.parse(preset) is Preset.UNOPT)
        return estimate_stream(kernel, device, profile)

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        c, h, w = input_shape
        _, r, cc = self.output_shape(input_shape)
        k, s, p, t = self.kernel, self.stride, self.padding, prefix
        row, col = cpp.plus(cpp.times(s, "r"), "i"), cpp.plus(cpp.times(s, "col"), "j")
        divisor = f"{k * k}u" if self.count_pad else "count"
        return f"""// {t}: average pool {k}x{k}, stride {s}, padding {p}{', padding counted' if self.count_pad else ''}: \
{c}x{h}x{w} -> {c}x{r}x{cc}
typedef {self.accum_type(in_type).cpp()} {t}_accum_t;
inline void {t}_layer(const {t}_input_t in[{c * h * w}], {t}_output_t out[{c * r * cc}]) {{
  {cpp.KEEP_FUNCTION}
  loop_ch: for (int ch = 0; ch < {c}; ch++) {{
    loop_r: for (int r = 0; r < {r}; r++) {{
      loop_col: for (int col = 0; col < {cc}; col++) {{
        #pragma HLS PIPELINE II=1
        {t}_accum_t acc = 0;
        unsigned count = 0;
        loop_i: for (int i = 0; i < {k}; i++) {{
          loop_j: for (int j = 0; j < {k}; j++) {{
            int y = {row}{f" - {p}" if p else ""}, x = {col}{f" - {p}" if p else ""};
            if (y >= 0 && y < {h} && x >= 0 && x < {w}) {{
              acc += in[(ch * {h} + y) * {w} + x];
              count++;
            }}
          }}
        }}
        acc /= {divisor};
        out[(ch * {r} + r) * {cc} + col] = acc;
      }}
    }}
  }}
}}
"""

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return cpp.stream_pragmas("loop_col", preset)


@register("avgpool", type_keys=("accum", "result"), inherits_defaults=False)
def build_avgpool(f: Fields, ctx: BuildContext) -> AvgPool:
    """``{name: pool1, op: avgpool, kernel: 2, stride: 2, padding: 0, count_pad: false,
    types: {accum: ..., result: ...}}``; without types the sum is exact and the result keeps
    the input type."""
    return AvgPool(ctx.name, f.count("kernel", 2), f.count("stride", 2), f.count("padding", 0, minimum=0),
                   f.get("count_pad", bool, False), ctx.type("accum"), ctx.type("result"))
