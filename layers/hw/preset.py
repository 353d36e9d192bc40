"""Presets: which hardware mapping of a layer the estimator costs.

- ``config``: the nest exactly as the network YAML gives it (tiles, order, directives);
  tiled layers keep tile buffers on chip and move tiles over DRAM, untiled ones keep
  whole arrays on chip.
- ``unopt``: the seed's first step — no directives, no tiles, every loop rolled, whole
  arrays on chip (only a LATENCY constraint and BIND choices survive).
- ``opt``: the seed's optimized step in the shape of Zhang et al. (FPGA'15): tiled
  (the YAML's tiles or small defaults), the output/input channel loops of a tile unrolled
  under a pipelined pixel loop, buffers partitioned to match, DATAFLOW with ping-pong
  buffers; element-wise layers stream at II=1.
"""

from __future__ import annotations

from enum import Enum

from ..core.loop_nest import Directives, LoopNest
from .mac_kernel import OnChip


class Preset(str, Enum):
    CONFIG = "config"
    UNOPT = "unopt"
    OPT = "opt"

    @classmethod
    def parse(cls, text: "str | Preset") -> "Preset":
        try:
            return cls(text)
        except ValueError:
            raise ValueError(f"unknown preset {text!r}; choose one of {', '.join(p.value for p in cls)}") from None


ALL_ARRAYS = ("input", "weight", "bias", "output")


def mac_mapping(nest: LoopNest, preset: Preset, opt_order: tuple[str, ...], opt_pipeline: str,
                default_tiles: dict[str, int]) -> tuple[LoopNest, OnChip]:
    """The nest the estimator costs for a MAC layer under ``preset``, and where its arrays live."""
    d = nest.directives
    dims = dict(nest.dims)
    if preset is Preset.UNOPT:
        kept = Directives(latency=d.latency, bind=d.bind, bind_latency=d.bind_latency, storage=d.storage, rom=d.rom,
                          auto_pipeline=d.auto_pipeline)
        return LoopNest.build(dims, order=nest.order, reduction=nest.reduction, directives=kept), "whole"
    if preset is Preset.OPT:
        tiles = dict(nest.tiles) or {k: min(v, dims[k]) for k, v in default_tiles.items()}
        directives = Directives(pipeline=opt_pipeline, ii=1, partition=tuple((a, "complete", 0) for a in ALL_ARRAYS),
                                dataflow=True, bind=d.bind, bind_latency=d.bind_latency, storage=d.storage, rom=d.rom)
        return LoopNest.build(dims, order=opt_order, tiles=tiles, reduction=nest.reduction, directives=directives), "tiles"
    tiled = any(nest.tile(name) < extent for name, extent in nest.dims)
    return nest, ("tiles" if tiled else "whole")
