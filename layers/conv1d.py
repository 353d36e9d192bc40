"""1-D convolution over ``[channels, length]`` (time series, sensor data): the 2-D
convolution's kernel with a kernel one column wide, on the sequence zero-padded first.

The canonical C++ (``L`` samples, kernel ``K``, stride ``S``, padding ``P``)::

    pad: for (n..) for (x = 0; x < L + 2P; x++)
        padded[n][x] = (x < P || x >= P + L) ? 0 : in[n][x - P];
    // then the 2-D nest of layers.conv on padded as [N][L + 2P][1], kernel K x 1:
    //   product_t p = weight[m][n][i] * padded[n][S*r + i];  output[m][r] = ... + p;

A padding zero is a product of 0, which adds nothing whatever the accumulator's modes
(it neither rounds nor overflows), so padding first is the same arithmetic as the 2-D
nest's skipping of positions outside the input — and as hls4ml's ``conv_1d_cl``, which
also sums a window in (kernel position, input channel) order (``order: [m, r, c, i, j,
n]``). Weights are PyTorch ``Conv1d``'s ``[out, in/groups, K]``. Tiles, order and
directives are the 2-D layer's (``r`` runs over output positions; ``c`` and ``j`` have
one iteration).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from quant import FixedType, OverflowStats

from .config.fields import ConfigError, Fields, read_directives, read_tiles
from .config.registry import BuildContext, register
from .conv import DEFAULT_ORDER, Conv
from .core.base import Layer, LayerResult, Retype, Shape
from .core.mac_layer import MAC_TYPE_KEYS, mac_types
from .hw import Estimate, Preset
from .hw.hls4ml_cost import read_impl


def sequence(layer: Layer, input_shape: Shape) -> tuple[int, int]:
    """``(channels, length)`` of a 1-D layer's input, or an error that says what it takes."""
    if len(input_shape) != 2:
        raise ValueError(f"layer {layer.name!r} ({layer.op}) takes a [channels, length] sequence, got an input of "
                         f"shape {tuple(input_shape)}")
    return tuple(input_shape)


@dataclass(frozen=True)
class Conv1D(Layer):
    name: str
    conv: Conv  # the same arithmetic in 2-D: kernel (K, 1), no padding of its own
    padding: int = 0
    op: str = "conv1d"

    def __post_init__(self) -> None:
        if not isinstance(self.padding, int) or self.padding < 0:
            raise ValueError(f"layer {self.name!r} (conv1d): padding must be an integer >= 0, got {self.padding!r}")

    @property
    def kernel(self) -> int:
        return self.conv.kernel[0]

    def as_2d(self, input_shape: Shape) -> Shape:
        """The padded sequence as the 2-D layer sees it: ``[N, L + 2P, 1]``."""
        channels, length = sequence(self, input_shape)
        return (channels, length + 2 * self.padding, 1)

    def output_shape(self, input_shape: Shape) -> Shape:
        channels, rows, _ = self.conv.output_shape(self.as_2d(input_shape))
        return (channels, rows)

    def loop_nest(self, input_shape: Shape):
        return self.conv.loop_nest(self.as_2d(input_shape))

    def param_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        shapes = self.conv.param_shapes(self.as_2d(input_shape))
        shapes["weight"] = shapes["weight"][:3]  # PyTorch's Conv1d: [out, in/groups, K]
        return shapes

    def _as_2d_params(self, params):
        """PyTorch's ``[out, in, K]`` weights as the 2-D layer's ``[out, in, K, 1]`` (prepared
        parameters pass as they are)."""
        if not isinstance(params, dict) or "weight" not in params or np.ndim(params["weight"]) != 3:
            return params
        return {**params, "weight": np.asarray(params["weight"])[..., None]}

    def prepare(self, params):
        return self.conv.prepare(self._as_2d_params(params))

    def parameter_stats(self, params: dict) -> OverflowStats:
        return self.conv.parameter_stats(params)

    def param_raws(self, params: dict) -> dict:
        return self.conv.param_raws(params)

    def output_type(self, in_type: FixedType) -> FixedType:
        return self.conv.output_type(in_type)

    def data_arrays(self) -> tuple[str, ...]:
        return self.conv.data_arrays()

    def retyped(self, retype: Retype) -> "Conv1D":
        return replace(self, conv=self.conv.retyped(retype))

    def without_reports(self) -> "Conv1D":
        return replace(self, conv=self.conv.without_reports())

    def _padded(self, x: np.ndarray) -> np.ndarray:
        p = self.padding
        padded = np.pad(x, ((0, 0), (0, 0), (p, p))) if p else x
        return padded[..., None]

    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params) -> LayerResult:
        sequence(self, raw.shape[1:])
        result = self.conv.run_fixed(self._padded(raw), in_type, self._as_2d_params(params))
        result.raw = result.raw[..., 0]
        return result

    def run_float(self, x: np.ndarray, params: dict) -> np.ndarray:
        return self.conv.run_float(self._padded(x), self._as_2d_params(params))[..., 0]

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        return self.conv.estimate(self.as_2d(input_shape), in_type, device, profile, preset)

    def tile_candidates(self, input_shape: Shape) -> list[dict[str, int]]:
        return self.conv.tile_candidates(self.as_2d(input_shape))

    def engine_tiles(self, input_shape: Shape, tm: int, tn: int):
        return self.conv.engine_tiles(self.as_2d(input_shape), tm, tn)

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        """The padding loop, then the 2-D nest (as ``PREFIX_conv2d``) on the padded buffer."""
        channels, length = sequence(self, input_shape)
        p, t = self.padding, prefix
        padded = length + 2 * p
        inner = self.conv.cpp_source(self.as_2d(input_shape), in_type, t).replace(f"{t}_layer(", f"{t}_conv2d(")
        m, rows = self.output_shape(input_shape)
        weights = int(np.prod(self.param_shapes(input_shape)["weight"]))
        return f"""{inner}
// {t}: conv1d {channels}x{length} -> {m}x{rows}, kernel {self.kernel}, padding {p}
inline void {t}_layer(const {t}_input_t in[{channels * length}], const {t}_weight_t w[{weights}],
                      const {t}_bias_t b[{m}], {t}_output_t out[{m * rows}]) {{
  static {t}_input_t padded[{channels * padded}];
  pad_n: for (int n = 0; n < {channels}; n++) {{
    pad_x: for (int x = 0; x < {padded}; x++) {{
      #pragma HLS PIPELINE II=1
      padded[n * {padded} + x] = (x < {p} || x >= {p + length}) ? ({t}_input_t)0 : in[n * {length} + x - {p}];
    }}
  }}
  {t}_conv2d(padded, w, b, out);
}}
"""

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return self.conv.cpp_pragmas(self.as_2d(input_shape), preset)


@register("conv1d", type_keys=MAC_TYPE_KEYS)
def build_conv1d(f: Fields, ctx: BuildContext) -> Conv1D:
    """``{name: c1, op: conv1d, out_channels: 16, kernel: 3, stride: 1, padding: 1, groups: 1,
    bias: true, relu: true, tiles: {...}, order: [...], directives: {...}, types: {...}}``."""
    kernel = f.count("kernel")
    conv = Conv(ctx.name, f.count("out_channels"), (kernel, 1), mac_types(ctx), stride=f.count("stride", 1),
                padding=0, groups=f.count("groups", 1), bias=f.get("bias", bool, True), relu=f.get("relu", bool, False),
                tiles=read_tiles(f), order=tuple(f.get("order", list, list(DEFAULT_ORDER))),
                directives=read_directives(f), count_overflows=ctx.count_overflows,
                hls4ml=read_impl(f.get("hls4ml", dict, None), f.where))
    try:
        return Conv1D(ctx.name, conv, f.count("padding", 0, minimum=0))
    except ValueError as err:
        raise ConfigError(f"{f.where}: {err}") from None
