"""Fully connected layer: bit-accurate, tiled over outputs ``m`` and inputs ``n``.

The canonical C++ (tiles ``Tm``, ``Tn``; point loops in the default order ``m, n``;
``cpp_source`` writes it with its tile buffers and the directives as pragmas)::

    tile_m: for (m0 = 0; m0 < M; m0 += Tm) {
      load_bias: bias[m] = b[m0 + m];
      tile_n: for (n0 = 0; n0 < N; n0 += Tn) {
        load_input: input[n] = in[n0 + n];   load_weight: weight[m][n] = w[m0 + m][n0 + n];
        if (n0 > 0) output = (accum_t)(partial_t) output;      // between input tiles
        loop_m: for (m..) loop_n: for (n..) {
          product_t p = weight[m][n] * input[n];
          output[m] = (n0 + n == 0 ? (accum_t) bias[m] : output[m]) + p;
        }
      }
      store_output: out[m0 + m] = (result_t) (relu ? max(output[m], 0) : output[m]);
    }

Weights are in PyTorch layout ``[out_features, in_features]``. Only ``Tn`` can change
values (through ``partial_t``); every input is visited in increasing ``n``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from quant import FixedType

from . import cpp
from .config.fields import Fields, read_directives, read_tiles
from .config.registry import BuildContext, register
from .core.base import LayerResult, Shape, require_counts, require_shape
from .core.loop_nest import Directives, LoopNest
from .core.mac_layer import MAC_TYPE_KEYS, MacLayer, mac_types, check_partition_dims, distinct_tiles
from .core.types import LayerTypes, StageStats
from .cpp import mac_nest
from .hw import Estimate, Preset, hls4ml_cost
from .hw.hls4ml_cost import Hls4mlImpl, read_impl
from .hw.mac_cost import estimate_mac
from .hw.mac_kernel import ArrayUse, MacKernel
from .kernels.mac import multiply_accumulate
from .kernels.mac_operands import MacWeights, PreparedParams, Schedule

OPT_ORDER = ("n", "m")  # inputs pipelined, a tile of outputs unrolled (Tm accumulators)
OPT_TILES = {"m": 16, "n": 512}  # the ``opt`` preset's tiles when the YAML gives none

# the loops whose tiles each tile buffer holds: it is refilled when one of them changes
DEPENDS = {"input": ("n",), "weight": ("m", "n"), "bias": ("m",), "output": ("m",)}
INDEX = {"input": (("n",),), "weight": (("m",), ("n",)), "bias": (("m",),), "output": (("m",),)}  # loops per dimension


@dataclass(frozen=True)
class Dense(MacLayer):
    name: str
    out_features: int
    types: LayerTypes
    bias: bool = True
    relu: bool = False  # fused: applied to the accumulator before the result cast
    tiles: tuple[tuple[str, int], ...] = ()
    order: tuple[str, ...] = ("m", "n")
    directives: Directives = field(default_factory=Directives)
    count_overflows: bool = True
    hls4ml: Hls4mlImpl | None = None  # computed and costed as hls4ml's implementation (imported hls4ml models)
    OPT = (OPT_ORDER, "n", OPT_TILES)  # not a field: MacLayer.OPT is a ClassVar
    op: str = "dense"

    def __post_init__(self) -> None:
        require_counts(self, out_features=self.out_features)
        check_partition_dims(self, INDEX)

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 1:
            raise ValueError(
                f"layer {self.name!r} (dense) needs a flat input, got shape {input_shape}; "
                f"add a flatten layer before it"
            )
        return (self.out_features,)

    def param_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        shapes = {"weight": (self.out_features, input_shape[0])}
        if self.bias:
            shapes["bias"] = (self.out_features,)
        return shapes

    def loop_nest(self, input_shape: Shape) -> LoopNest:
        interleave = self.hls4ml.interleave(input_shape[0], self.out_features) if self.hls4ml else 1
        return LoopNest.build({"m": self.out_features, "n": input_shape[0]}, order=self.order,
                              tiles=dict(self.tiles), reduction=("n",), directives=self.directives,
                              interleave=interleave)

    def hw_kernel(self, input_shape: Shape, in_type: FixedType, preset: Preset | str = Preset.CONFIG) -> MacKernel:
        """The kernel the estimator costs: the nest under ``preset`` and the arrays it touches."""
        nest, on_chip = self.mapped_nest(input_shape, preset)
        m, n = nest.extent("m"), nest.extent("n")
        tm, tn = nest.tile("m"), nest.tile("n")
        t = self.types
        out_width = t.accum.width if on_chip == "tiles" else t.result.width
        whole = on_chip == "whole"
        shape = {"input": (n,) if whole else (tn,), "weight": (m, n) if whole else (tm, tn),
                 "bias": (m,) if whole else (tm,), "output": (m,) if whole else (tm,)}

        def use(name, width, words, tile, loops, **extra) -> ArrayUse:
            return ArrayUse(name, width, words, tile, loops, nest.loads(DEPENDS[name]), shape=shape[name],
                            index=INDEX[name], **extra)

        arrays = [
            use("input", in_type.width, n, tn, ("n",)),
            use("weight", t.weight.width, m * n, tm * tn, ("m", "n")),
            use("output", out_width, m, tm, ("m",), accumulate=True),
        ]
        if self.bias:
            arrays.insert(2, use("bias", t.bias.width, m, tm, ("m",)))
        full = min(t.full_product.width, t.product_type.width)
        return MacKernel("dense", nest, tuple(arrays), t.weight.width, in_type.width, full, t.accum.width,
                         macs=m * n, outputs=m, on_chip=on_chip)

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        if self.hls4ml is not None:  # hls4ml's dense template, not our loop nest
            t = self.types
            return hls4ml_cost.estimate_dense(self.hls4ml, int(np.prod(input_shape)), self.out_features, in_type.width,
                                              t.weight.width, t.accum.width, device)
        return estimate_mac(self.hw_kernel(input_shape, in_type, preset), device, profile)

    def tile_candidates(self, input_shape: Shape) -> list[dict[str, int]]:
        """Every output × input tile with a distinct trip count (``distinct_tiles``)."""
        nest = self.loop_nest(input_shape)
        return [{"m": m, "n": n} for m in distinct_tiles(nest.extent("m")) for n in distinct_tiles(nest.extent("n"))]

    def prepare(self, params: dict[str, np.ndarray]) -> PreparedParams:
        if isinstance(params, PreparedParams):
            return params
        weight = self.types.weight.to_raw(params["weight"]).astype(np.float64)  # exact: raws < 2**53
        bias = self.types.bias.to_raw(params["bias"]) if self.bias else np.zeros(self.out_features, np.int64)
        return PreparedParams(((MacWeights(weight.T), bias),))

    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params) -> LayerResult:
        self.output_shape(raw.shape[1:])
        if not isinstance(params, PreparedParams):
            require_shape(self, "weight", params["weight"].shape, self.param_shapes(raw.shape[1:])["weight"])
        (weights, bias), = self.prepare(params).groups
        types = self.types if self.types.input == in_type else replace(self.types, input=in_type)
        schedule = Schedule(*self.loop_nest(raw.shape[1:]).reduction_schedule())
        stats = StageStats()
        out, path = multiply_accumulate(raw, weights, bias, types, schedule, self.relu, stats,
                                        count_overflows=self.count_overflows)
        return LayerResult(out, types.result, stats, path=path)

    def run_float(self, x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
        bias = params["bias"].astype(x.dtype) if self.bias else 0.0
        out = x @ params["weight"].T.astype(x.dtype) + bias
        return np.maximum(out, 0.0) if self.relu else out

    def cpp_spec(self, input_shape: Shape, prefix: str, nest: LoopNest | None = None) -> mac_nest.MacCpp:
        nest, t = nest or self.loop_nest(input_shape), prefix
        m, n = nest.extent("m"), nest.extent("n")
        tm, tn = nest.tile("m"), nest.tile("n")
        m_at, n_at = (cpp.plus(mac_nest.base(nest, x), x) for x in "mn")
        m_ok, n_ok = mac_nest.in_range(nest, ["m"]), mac_nest.in_range(nest, ["n"])
        load_input = mac_nest.Transfer("load_input", (("n", tn),), f"input[n] = {cpp.choose(n_ok, f'in[{n_at}]', f'({t}_input_t)0')};", DEPENDS["input"])
        load_weight = mac_nest.Transfer("load_weight", (("m", tm), ("n", tn)), (
            f"weight[m][n] = {cpp.choose(m_ok + n_ok, f'w[{cpp.grouped(m_at)} * {n} + {n_at}]', f'({t}_weight_t)0')};"), DEPENDS["weight"])
        load_bias = mac_nest.Transfer("load_bias", (("m", tm),), f"bias[m] = {cpp.choose(m_ok, f'b[{m_at}]', f'({t}_bias_t)0')};", DEPENDS["bias"])
        relu = "if (acc < 0) acc = 0;\n" if self.relu else ""
        store = mac_nest.Transfer("store_output", (("m", tm),), cpp.block(
            cpp.guard(m_ok), f"{t}_accum_t acc = output[m];\n{relu}out[{m_at}] = acc;"), DEPENDS["output"])
        args = (f"const {t}_input_t in[{n}]", f"const {t}_weight_t w[{m * n}]", f"const {t}_bias_t b[{m}]",
                f"{t}_output_t out[{m}]")
        return mac_nest.MacCpp(
            t, f"{t}: dense {n} -> {m}", self.cpp_typedefs(t), nest, args,
            {"input": (f"{t}_input_t", (tn,)), "weight": (f"{t}_weight_t", (tm, tn)), "bias": (f"{t}_bias_t", (tm,)),
             "output": (f"{t}_accum_t", (tm,))},
            (load_bias, load_input, load_weight), "weight[m][n] * input[n]", "output[m]", "bias[m]", store,
            self.types.partial_type != self.types.accum, index=INDEX)


@register("dense", type_keys=MAC_TYPE_KEYS)
def build_dense(f: Fields, ctx: BuildContext) -> Dense:
    """``{name: fc1, op: dense, out_features: 256, bias: true, relu: true, tiles: {...},
    order: [m, n], directives: {...}, types: {...}, hls4ml: {strategy, reuse_factor, io_type}}``
    (``hls4ml``: cost it as hls4ml's implementation)."""
    return Dense(
        ctx.name, f.count("out_features"), mac_types(ctx), bias=f.get("bias", bool, True),
        relu=f.get("relu", bool, False), tiles=read_tiles(f), order=tuple(f.get("order", list, ["m", "n"])),
        directives=read_directives(f), count_overflows=ctx.count_overflows,
        hls4ml=read_impl(f.get("hls4ml", dict, None), f.where),
    )
