"""What conv and dense layers share: a multiply-accumulate kernel with weights, biases
and the six types of ``LayerTypes``.

The YAML gives them ``types: {weight, bias, accum, result, product, partial}``; a sweep
retypes weights, biases and results and chooses the accumulator; the C++ of both begins
with the same three typedefs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

import numpy as np

from quant import FixedType, OverflowStats

from .. import cpp
from ..config.registry import BuildContext
from ..cpp import mac_nest
from ..hw import Preset
from ..hw.preset import mac_mapping
from ..kernels.mac import order_free
from .base import Layer, Retype, Shape
from .loop_nest import LoopNest
from .types import LayerTypes

MAC_TYPE_KEYS = ("weight", "bias", "accum", "result", "product", "partial")


class MacLayer(Layer):
    """Mixin of conv and dense: subclasses are frozen dataclasses with a ``types`` field."""

    types: LayerTypes
    bias: bool
    OPT: ClassVar[tuple]  # the ``opt`` preset's (loop order, pipelined loop, default tiles)

    def mapped_nest(self, input_shape: Shape, preset: Preset | str) -> tuple[LoopNest, str]:
        """The loop nest under ``preset`` and where its arrays live (``hw.preset.mac_mapping``)."""
        order, pipelined, tiles = self.OPT
        return mac_mapping(self.loop_nest(input_shape), Preset.parse(preset), order, pipelined, tiles)

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        """The module docstring's nest as C++ (``layers.cpp.mac_nest``), with its tile buffers
        and the YAML's directives as pragmas."""
        if self.directives.ports:  # (the estimator's description of a layer synthesized on its own)
            raise NotImplementedError(
                f"layer {self.name!r}: directives.ports makes its arrays the memory ports of a top function of "
                f"its own, but the project's top function is the whole network (its ports: the network's "
                f"'interface'); drop 'ports' to export")
        if self.directives.local_sum:  # (the estimator's description of someone else's C++)
            raise NotImplementedError(
                f"layer {self.name!r}: directives.local_sum describes C++ that sums in a local variable; this "
                f"project's C++ sums in its output buffer: drop 'local_sum' to export")
        if self.loop_nest(input_shape).interleave > 1 and not order_free(self.types):
            raise NotImplementedError(
                f"layer {self.name!r}: hls4ml's Strategy Resource adds the products at stride "
                f"{self.loop_nest(input_shape).interleave} and its accumulator {self.types.accum} makes that order "
                f"matter; the C++ writer has no such loop yet (hls4ml's own project is that C++: accel import "
                f"--hls4ml-project checks it)")
        return mac_nest.write(self.cpp_spec(input_shape, prefix))

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        nest, _ = self.mapped_nest(input_shape, preset)
        spec = self.cpp_spec(input_shape, self.name, nest)
        transfers = Preset.parse(preset) is not Preset.UNOPT
        return (f"nest: {mac_nest.loops(nest)}", *cpp.describe(mac_nest.pragmas(spec, transfers=transfers)))

    def output_type(self, in_type: FixedType) -> FixedType:
        return self.types.result

    def data_arrays(self) -> tuple[str, ...]:
        return ("weight", "bias", "result")

    def retyped(self, retype: Retype) -> "MacLayer":
        t = self.types
        weight = retype.data(t.weight, self.name, "weight")
        types = replace(t, weight=weight, bias=retype.data(t.bias, self.name, "bias"),
                        result=retype.data(t.result, self.name, "result"), accum=retype.accumulator(t.accum, weight))
        return replace(self, types=types)

    def parameter_stats(self, params: dict[str, np.ndarray]) -> OverflowStats:
        stats = OverflowStats()
        if "weight" in params:
            self.types.weight.to_raw(params["weight"], stats)
        if self.bias and "bias" in params:
            self.types.bias.to_raw(params["bias"], stats)
        return stats

    def param_raws(self, params: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, FixedType]]:
        """Weights and biases as raws; a layer without bias reads zeros."""
        t, weight = self.types, params["weight"]
        bias = params["bias"] if self.bias else np.zeros(weight.shape[0])
        return {"weight": (t.weight.to_raw(weight), t.weight), "bias": (t.bias.to_raw(bias), t.bias)}

    def cpp_typedefs(self, prefix: str) -> str:
        """The product, accumulator and partial-sum types of the C++ kernel."""
        t = self.types
        return (f"typedef {t.product_type.cpp()} {prefix}_product_t;\n"
                f"typedef {t.accum.cpp()} {prefix}_accum_t;\n"
                f"typedef {t.partial_type.cpp()} {prefix}_partial_t;\n")


def mac_types(ctx: BuildContext) -> LayerTypes:
    """The six types of a conv or dense layer from its YAML ``types`` (and the defaults)."""
    resolved = {key: ctx.required_type(key) for key in ("weight", "bias", "accum", "result")}
    extra = {}
    for key in ("product", "partial"):
        text = ctx.types.get(key, "accum")
        allowed = ("accum", "full") if key == "product" else ("accum",)
        extra[key] = text if text in allowed else ctx.type(key)
    return LayerTypes(input=ctx.in_type, **resolved, **extra)


def check_partition_dims(layer, index: dict[str, tuple]) -> None:
    """A partition's (or reshape's) ``dim`` names a dimension its buffer has (``index``: the
    buffers' dimensions)."""
    d = layer.directives
    splits = [("partition", array, split) for array, each in d.partitions().items() for split in each]
    splits += [("reshape", array, split) for array, split in d.reshapes().items()]
    for directive, array, (_, _, dim) in splits:
        rank = len(index[array])
        if dim is not None and dim > rank:
            raise ValueError(f"layer {layer.name!r} ({layer.op}): {directive} {array!r} dim={dim}: the {array} "
                             f"buffer has {rank} dimension(s) (1..{rank}, or 0 for all)")


def distinct_tiles(extent: int) -> list[int]:
    """Every tile size that gives a distinct trip count: for each count q of tiles, the
    smallest tile that needs only q (larger ones with the same count cost more and save
    nothing). About 2·sqrt(extent) values.

    >>> distinct_tiles(10)
    [1, 2, 3, 4, 5, 10]
    """
    return sorted({-(-extent // q) for q in range(1, extent + 1)})
