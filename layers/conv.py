"""Convolution: bit-accurate, in a tiled HLS loop nest.

The canonical C++ (output channels ``m``, input channels ``n``, output rows ``r`` and
columns ``c``, kernel rows ``i`` and columns ``j``; tiles ``Tm, Tn, Tr, Tc``; the point
loops run in the layer's ``order``, here the default ``m, n, r, c, i, j``; this is what
``cpp_source`` writes, with the tile loops of tiled loops only)::

    tile_m: for (m0 = 0; m0 < M; m0 += Tm)           // output tiles, in the nest's order
     tile_r: for (r0 ..) tile_c: for (c0 ..) {
      load_bias: bias[m] = b[m0 + m];
      tile_n: for (n0 = 0; n0 < N; n0 += Tn) {       // reduction tiles
        load_input: input[n][y][x] = in[n0 + n][S*r0 - P + y][S*c0 - P + x];  // 0 outside
        load_weight: weight[m][n][i][j] = w[m0 + m][n0 + n][i][j];
        if (n0 > 0) output = (accum_t)(partial_t) output;   // partial sums between tiles
        loop_m: .. loop_n: .. loop_r: .. loop_c: .. loop_i: .. loop_j: {   // point loops
          product_t p = weight[m][n][i][j] * input[n][S*r + i][S*c + j];
          output[m][r][c] = (first step ? (accum_t) bias[m] : output[m][r][c]) + p;
        }
      }
      store_output: out[m0 + m][r0 + r][c0 + c] = (result_t) (relu ? max(output, 0) : output);
     }

With ``groups = g``, input and output channels split into g independent convolutions
(``N`` and ``M`` are per group). Only the relative order of ``n, i, j`` (and the ``Tn``
tiling) can change values; the other loops and all directives change timing only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from quant import FixedType

from . import cpp
from .config.fields import Fields, read_directives, read_pair, read_tiles
from .config.registry import BuildContext, register
from .core.base import LayerResult, Shape, feature_maps, require_counts, require_shape
from .core.loop_nest import Directives, LoopNest
from .core.mac_layer import MAC_TYPE_KEYS, MacLayer, check_partition_dims, distinct_tiles, mac_types
from .core.types import LayerTypes, StageStats
from .cpp import mac_nest
from .hw import Estimate, Preset, hls4ml_cost
from .hw.hls4ml_cost import Hls4mlImpl, read_impl
from .hw.mac_cost import estimate_mac
from .hw.mac_kernel import ArrayUse, MacKernel
from .kernels import jit_gemm
from .kernels.im2col import Im2col
from .kernels.mac import multiply_accumulate, patch_dtype
from .kernels.mac_operands import MacWeights, PreparedParams, Schedule

DEFAULT_ORDER = ("m", "n", "r", "c", "i", "j")
OPT_ORDER = ("i", "j", "r", "c", "m", "n")  # Zhang et al.: pixels pipelined, channel tile unrolled
OPT_TILES = {"m": 16, "n": 4}  # the ``opt`` preset's tiles when the YAML gives none

# the loops whose tiles each tile buffer holds: it is refilled when one of them changes
DEPENDS = {"input": ("n", "r", "c"), "weight": ("m", "n"), "bias": ("m",), "output": ("m", "r", "c")}
# the loops that index each dimension of the buffers input[n][S*r+i][S*c+j], weight[m][n][i][j], ...
INDEX = {"input": (("n",), ("r", "i"), ("c", "j")), "weight": (("m",), ("n",), ("i",), ("j",)), "bias": (("m",),),
         "output": (("m",), ("r",), ("c",))}


@dataclass(frozen=True)
class Conv(MacLayer):
    name: str
    out_channels: int
    kernel: tuple[int, int]
    types: LayerTypes
    stride: int = 1
    padding: int = 0
    groups: int = 1
    bias: bool = True
    relu: bool = False  # fused: applied to the accumulator before the result cast
    tiles: tuple[tuple[str, int], ...] = ()
    order: tuple[str, ...] = DEFAULT_ORDER
    directives: Directives = field(default_factory=Directives)
    count_overflows: bool = True
    hls4ml: Hls4mlImpl | None = None  # computed and costed as hls4ml's implementation (imported hls4ml models)
    OPT = (OPT_ORDER, "c", OPT_TILES)  # not a field: MacLayer.OPT is a ClassVar
    op: str = "conv"

    def __post_init__(self) -> None:
        require_counts(self, out_channels=self.out_channels, kernel_height=self.kernel[0], kernel_width=self.kernel[1],
                       stride=self.stride, groups=self.groups)
        require_counts(self, 0, padding=self.padding)
        check_partition_dims(self, INDEX)

    def output_shape(self, input_shape: Shape) -> Shape:
        channels, height, width = feature_maps(self, input_shape)
        kh, kw = self.kernel
        out_h = (height + 2 * self.padding - kh) // self.stride + 1
        out_w = (width + 2 * self.padding - kw) // self.stride + 1
        if channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"layer {self.name!r} (conv): groups={self.groups} must divide the input channels "
                f"({channels}) and out_channels ({self.out_channels})"
            )
        if out_h < 1 or out_w < 1:
            raise ValueError(f"layer {self.name!r} (conv): kernel {self.kernel} does not fit input {input_shape}")
        return (self.out_channels, out_h, out_w)

    def param_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        shapes = {"weight": (self.out_channels, input_shape[0] // self.groups, *self.kernel)}
        if self.bias:
            shapes["bias"] = (self.out_channels,)
        return shapes

    def loop_nest(self, input_shape: Shape) -> LoopNest:
        _, rows, cols = self.output_shape(input_shape)
        dims = {"m": self.out_channels // self.groups, "n": input_shape[0] // self.groups,
                "r": rows, "c": cols, "i": self.kernel[0], "j": self.kernel[1]}
        window = dims["n"] * dims["i"] * dims["j"]  # hls4ml's Resource kernels interleave the window's products
        interleave = self.hls4ml.interleave(window, dims["m"], window=True) if self.hls4ml else 1
        return LoopNest.build(dims, order=self.order, tiles=dict(self.tiles),
                              reduction=("n", "i", "j"), directives=self.directives, interleave=interleave)

    # ------------------------------------------------------------------ hardware
    def hw_kernel(self, input_shape: Shape, in_type: FixedType, preset: Preset | str = Preset.CONFIG) -> MacKernel:
        """The kernel the estimator costs: the nest under ``preset`` and the arrays it touches."""
        nest, on_chip = self.mapped_nest(input_shape, preset)
        m, n, r, c, kh, kw = (nest.extent(x) for x in ("m", "n", "r", "c", "i", "j"))
        tm, tn, tr, tc = (nest.tile(x) for x in ("m", "n", "r", "c"))
        g, t = self.groups, self.types
        window = tn * (self.stride * (tr - 1) + kh) * (self.stride * (tc - 1) + kw)
        out_width = t.accum.width if on_chip == "tiles" else t.result.width  # partial sums vs results
        whole = on_chip == "whole"  # the buffers are the whole arrays, else one tile of them
        shape = {"input": (g * n, *input_shape[1:]) if whole else (tn, self.stride * (tr - 1) + kh,
                                                                     self.stride * (tc - 1) + kw),
                 "weight": (g * m, n, kh, kw) if whole else (tm, tn, kh, kw), "bias": (g * m,) if whole else (tm,),
                 "output": (g * m, r, c) if whole else (tm, tr, tc)}

        def use(name, width, words, tile, loops, **extra) -> ArrayUse:
            return ArrayUse(name, width, words, tile, loops, g * nest.loads(DEPENDS[name]), shape=shape[name],
                            index=INDEX[name], **extra)

        arrays = [
            use("input", in_type.width, g * n * input_shape[1] * input_shape[2], window, ("n", "r", "c", "i", "j")),
            use("weight", t.weight.width, g * m * n * kh * kw, tm * tn * kh * kw, ("m", "n", "i", "j")),
            use("output", out_width, g * m * r * c, tm * tr * tc, ("m", "r", "c"), accumulate=True),
        ]
        if self.bias:
            arrays.insert(2, use("bias", t.bias.width, g * m, tm, ("m",)))
        full = min(t.full_product.width, t.product_type.width)
        return MacKernel("conv", nest, tuple(arrays), t.weight.width, in_type.width, full, t.accum.width,
                         macs=g * m * n * r * c * kh * kw, outputs=g * m * r * c, on_chip=on_chip, groups=g)

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        if self.hls4ml is not None:  # hls4ml's line-buffer convolution, not our loop nest
            t = self.types
            return hls4ml_cost.estimate_conv(self.hls4ml, tuple(input_shape), tuple(self.kernel), self.out_channels,
                                             in_type.width, t.weight.width, t.accum.width, device,
                                             int(profile.value("lutram_bits_per_lut")))
        return estimate_mac(self.hw_kernel(input_shape, in_type, preset), device, profile)

    # ------------------------------------------------------------------ fixed point
    def tile_candidates(self, input_shape: Shape) -> list[dict[str, int]]:
        """Every channel tile with a distinct trip count (``distinct_tiles``) × row tiles."""
        nest = self.loop_nest(input_shape)
        return [{"m": m, "n": n, **rc} for m in distinct_tiles(nest.extent("m"))
                for n in distinct_tiles(nest.extent("n")) for rc in self._pixel_tiles(nest)]

    def engine_tiles(self, input_shape: Shape, tm: int, tn: int) -> list[dict[str, int]]:
        nest = self.loop_nest(input_shape)
        return [{"m": min(tm, nest.extent("m")), "n": min(tn, nest.extent("n")), **rc} for rc in self._pixel_tiles(nest)]

    @staticmethod
    def _pixel_tiles(nest: LoopNest) -> list[dict[str, int]]:
        rows = nest.extent("r")
        return [{"r": r, "c": nest.extent("c")} for r in sorted({rows, -(-rows // 2), -(-rows // 4)})]

    @property
    def im2col(self) -> Im2col:
        return Im2col(self.kernel, self.stride, self.padding, self.groups)

    def prepare(self, params: dict[str, np.ndarray]) -> PreparedParams:
        """Quantized weights as per-group (K, M_g) matrices, with the reduction index
        k = (n * kh + i) * kw + j: the PyTorch weight layout's own order."""
        if isinstance(params, PreparedParams):
            return params
        weight = self.types.weight.to_raw(params["weight"])
        bias = self.types.bias.to_raw(params["bias"]) if self.bias else np.zeros(self.out_channels, np.int64)
        m_out = self.out_channels // self.groups
        groups = []
        for g in range(self.groups):
            w_mat = weight[g * m_out:(g + 1) * m_out].reshape(m_out, -1).T
            groups.append((MacWeights.of(w_mat), bias[g * m_out:(g + 1) * m_out]))
        return PreparedParams(tuple(groups))

    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params) -> LayerResult:
        batch = raw.shape[0]
        out_shape = self.output_shape(raw.shape[1:])
        if not isinstance(params, PreparedParams):
            require_shape(self, "weight", params["weight"].shape, self.param_shapes(raw.shape[1:])["weight"])
        prepared = self.prepare(params)
        types = self.types if self.types.input == in_type else replace(self.types, input=in_type)
        schedule = Schedule(*self.loop_nest(raw.shape[1:]).reduction_schedule())
        stats = StageStats()
        out = np.empty((batch, out_shape[0], out_shape[1] * out_shape[2]), dtype=np.int64)
        paths = set()
        dtype = patch_dtype(types)  # float64 for the matrix product (raws are < 2**53), int32 for the kernels
        x_max = float(max(raw.max(), -raw.min())) if raw.size else 0.0  # patches hold these values and 0
        # the compiled MAC kernels take int32 patches of the whole batch (they split positions themselves)
        im2col, (_, rows, cols) = self.im2col, out_shape
        for first, last in im2col.chunks(raw.shape, rows * cols, np.dtype(dtype).itemsize, dtype == np.float64):
            patches = im2col.compiled(raw[first:last], dtype, rows, cols)
            for g, (group_patches, (weights, bias)) in enumerate(zip(patches, prepared.groups)):
                _, path = multiply_accumulate(group_patches, weights, bias, types, schedule, self.relu, stats,
                                              count_overflows=self.count_overflows, x_max=x_max, out=out[first:last],
                                              first_output=g * weights.outputs)
                paths.add(path)
        return LayerResult(out.reshape(batch, *out_shape), types.result, stats, path="/".join(sorted(paths)))

    # ------------------------------------------------------------------ float reference
    def run_float(self, x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
        batch = x.shape[0]
        out_shape = self.output_shape(x.shape[1:])
        _, rows, cols = out_shape
        require_shape(self, "weight", params["weight"].shape, self.param_shapes(x.shape[1:])["weight"])
        bias = (params["bias"] if self.bias else np.zeros(self.out_channels)).astype(x.dtype)
        m_out = self.out_channels // self.groups
        out = np.empty((batch, *out_shape), dtype=x.dtype)
        if jit_gemm.available():  # as run_fixed: compiled im2col in cache-sized chunks, (M, P) products
            planes = out.reshape(batch, self.out_channels, -1)
            w_mats = [params["weight"][g * m_out:(g + 1) * m_out].reshape(m_out, -1).astype(x.dtype)
                      for g in range(self.groups)]
            im2col = self.im2col
            for first, last in im2col.chunks(x.shape, rows * cols, x.itemsize):
                for g, patches in enumerate(im2col.compiled(x[first:last], x.dtype, rows, cols)):
                    res = (w_mats[g] @ patches.T).reshape(m_out, last - first, -1).transpose(1, 0, 2)
                    res += bias[g * m_out:(g + 1) * m_out, None]
                    planes[first:last, g * m_out:(g + 1) * m_out] = np.maximum(res, 0.0) if self.relu else res
            return out
        for g, patches in enumerate(self.im2col.patches(x, pad_value=0.0)):
            w_mat = params["weight"][g * m_out:(g + 1) * m_out].reshape(m_out, -1).T.astype(x.dtype)
            res = patches @ w_mat + bias[g * m_out:(g + 1) * m_out]
            if self.relu:
                res = np.maximum(res, 0.0)
            out[:, g * m_out:(g + 1) * m_out] = res.reshape(batch, rows, cols, -1).transpose(0, 3, 1, 2)
        return out

    def cpp_spec(self, input_shape: Shape, prefix: str, nest: LoopNest | None = None) -> mac_nest.MacCpp:
        c, h, w = input_shape
        m_all, rows, cols = self.output_shape(input_shape)
        nest = nest or self.loop_nest(input_shape)
        m, n = nest.extent("m"), nest.extent("n")
        kh, kw = self.kernel
        tm, tn, tr, tc = (nest.tile(x) for x in ("m", "n", "r", "c"))
        s, p, t = self.stride, self.padding, prefix
        ih, iw = s * (tr - 1) + kh, s * (tc - 1) + kw
        at = {x: mac_nest.index(nest, x) for x in "mnrcij"}
        first = {x: mac_nest.base(nest, x) for x in "mnrc"}
        g_in, g_out = (f"g * {n}", f"g * {m}") if self.groups > 1 else ("0", "0")
        channel_in, channel_out = cpp.plus(g_in, first["n"], "n"), cpp.plus(g_out, first["m"], "m")
        row, col = cpp.plus(cpp.times(s, first["r"]), "y"), cpp.plus(cpp.times(s, first["c"]), "x")
        n_ok, m_ok = mac_nest.in_range(nest, ["n"]), mac_nest.in_range(nest, ["m"])
        inside = " && ".join(n_ok + ["row >= 0", f"row < {h}", "col >= 0", f"col < {w}"])
        load_input = mac_nest.Transfer("load_input", (("n", tn), ("y", ih), ("x", iw)), (
            f"int row = {row} - {p}, col = {col} - {p};\n" if p else f"int row = {row}, col = {col};\n") + (
            f"input[n][y][x] = ({inside})\n    ? in[{cpp.grouped(channel_in)} * {h * w} + row * {w} + col] : ({t}_input_t)0;"), DEPENDS["input"])
        weight_index = f"({cpp.grouped(channel_out)} * {n} + {cpp.plus(first['n'], 'n')}) * {kh * kw} + i * {kw} + j"
        load_weight = mac_nest.Transfer("load_weight", (("m", tm), ("n", tn), ("i", kh), ("j", kw)), (
            f"weight[m][n][i][j] = {cpp.choose(m_ok + n_ok, f'w[{weight_index}]', f'({t}_weight_t)0')};"), DEPENDS["weight"])
        load_bias = mac_nest.Transfer("load_bias", (("m", tm),), (
            f"bias[m] = {cpp.choose(m_ok, f'b[{channel_out}]', f'({t}_bias_t)0')};"), DEPENDS["bias"])
        out_index = (f"{cpp.grouped(channel_out)} * {rows * cols} + {cpp.grouped(cpp.plus(first['r'], 'r'))} * {cols} + "
                     f"{cpp.plus(first['c'], 'c')}")
        relu = "if (acc < 0) acc = 0;\n" if self.relu else ""
        store = mac_nest.Transfer("store_output", (("m", tm), ("r", tr), ("c", tc)), cpp.block(
            cpp.guard(mac_nest.in_range(nest, ["m", "r", "c"])),
            f"{t}_accum_t acc = output[m][r][c];\n{relu}out[{out_index}] = acc;"), DEPENDS["output"])
        i_at, j_at = at["i"], at["j"]
        product = (f"weight[m][n][{i_at}][{j_at}] * input[n][{cpp.plus(cpp.times(s, 'r'), i_at)}]"
                   f"[{cpp.plus(cpp.times(s, 'c'), j_at)}]")
        args = (f"const {t}_input_t in[{c * h * w}]", f"const {t}_weight_t w[{m_all * n * kh * kw}]",
                f"const {t}_bias_t b[{m_all}]", f"{t}_output_t out[{m_all * rows * cols}]")
        return mac_nest.MacCpp(
            t, f"{t}: conv {c}x{h}x{w} -> {m_all}x{rows}x{cols}, kernel {kh}x{kw}, stride {s}, padding {p}, "
            f"groups {self.groups}", self.cpp_typedefs(t), nest, args,
            {"input": (f"{t}_input_t", (tn, ih, iw)), "weight": (f"{t}_weight_t", (tm, tn, kh, kw)),
             "bias": (f"{t}_bias_t", (tm,)), "output": (f"{t}_accum_t", (tm, tr, tc))},
            (load_bias, load_input, load_weight),
            product,
            "output[m][r][c]", "bias[m]", store, self.types.partial_type != self.types.accum, self.groups, INDEX)


@register("conv", type_keys=MAC_TYPE_KEYS)
def build_conv(f: Fields, ctx: BuildContext) -> Conv:
    """``{name: conv1, op: conv, out_channels: 96, kernel: 11, stride: 4, padding: 0, groups: 1,
    bias: true, relu: true, tiles: {...}, order: [...], directives: {...}, types: {...}}``."""
    return Conv(
        ctx.name, f.count("out_channels"), read_pair(f, "kernel"), mac_types(ctx), stride=f.count("stride", 1),
        padding=f.count("padding", 0, minimum=0), groups=f.count("groups", 1), bias=f.get("bias", bool, True),
        relu=f.get("relu", bool, False), tiles=read_tiles(f), order=tuple(f.get("order", list, list(DEFAULT_ORDER))),
        directives=read_directives(f), count_overflows=ctx.count_overflows,
        hls4ml=read_impl(f.get("hls4ml", dict, None), f.where),
    )
