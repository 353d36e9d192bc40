"""The plan of a Vitis HLS project: one ``Stage`` per layer (its C identifier, shapes,
types, the buffers it reads) and its parameter ``Array``s, in a header or through a port.

``plan`` checks everything the export needs before anything is simulated or written:
every layer has C++, identifiers are distinct, every raw fits a ``.bin`` element.
``hls_project`` writes the firmware from it, ``hls_testbench`` the testbench.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from quant import FixedType

from .estimator import uses_dataflow
from .network import Network
from .vectors import element_bytes
from .weights import Weights

HEADER_LIMIT = 1024  # parameters per layer written into a header; above it, a port and a .bin


@dataclass(frozen=True)
class Array:
    """A layer's parameter array as the project holds it."""

    layer: str  # C identifier of the layer
    param: str  # "weight", "bias"
    type: FixedType
    raw: np.ndarray
    in_header: bool

    @property
    def name(self) -> str:
        return f"{self.layer}_{self.param}"

    @property
    def size(self) -> int:
        return int(self.raw.size)


@dataclass(frozen=True)
class Stage:
    """One layer of the project: identifiers, shapes, types and parameters."""

    ident: str
    layer: object
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    in_type: FixedType  # a merge's: one per input (and its in_shape one shape per input)
    out_type: FixedType
    params: tuple[Array, ...]
    sources: tuple[str, ...] = ("input",)  # the buffers it reads: "input", or earlier stages' idents

    @property
    def in_types(self) -> tuple[FixedType, ...]:
        return tuple(self.in_type) if isinstance(self.in_type, tuple) else (self.in_type,)

    @property
    def in_shapes(self) -> tuple[tuple[int, ...], ...]:
        return tuple(self.in_shape) if len(self.in_types) > 1 else (self.in_shape,)

    @property
    def in_size(self) -> int:
        return int(sum(np.prod(shape) for shape in self.in_shapes))

    @property
    def out_size(self) -> int:
        return int(np.prod(self.out_shape))


def identifier(name: str) -> str:
    """A C identifier for a network or layer name (``conv1.0`` → ``conv1_0``)."""
    ident = re.sub(r"\W", "_", name)
    return f"l_{ident}" if not ident or ident[0].isdigit() else ident


def plan(network: Network, weights: Weights, header_limit: int = HEADER_LIMIT) -> list[Stage]:
    """The stages of the project, checked before anything is simulated or written: every
    layer has C++, names are distinct identifiers, raws fit 64 bits."""
    if uses_dataflow(network) and not network.is_chain:
        raise ValueError(f"{network.source}: DATAFLOW with skip connections or branches is not exported yet (a "
                         f"tensor read by two layers needs a copy per reader); drop 'dataflow' from the directives")
    stages, seen = [], {}
    rows = zip(network.shapes(), network.io_types())
    for index, ((layer, in_shape, out_shape), (_, in_type, out_type)) in enumerate(rows):
        ident = identifier(layer.name)
        if ident in seen:
            raise ValueError(f"{network.source}: layers {seen[ident]!r} and {layer.name!r} have the same C++ name {ident!r}")
        seen[ident] = layer.name
        try:
            layer.cpp_source(in_shape, in_type, ident)
        except NotImplementedError as err:
            raise ValueError(f"{network.source}: {err}; the project cannot be exported") from None
        raws = layer.param_raws(weights.get(layer.name, {})) if layer.param_shapes(in_shape) else {}
        in_header = sum(raw.size for raw, _ in raws.values()) <= header_limit
        params = tuple(Array(ident, param, t, raw, in_header) for param, (raw, t) in raws.items())
        sources = tuple(name if name == network.INPUT else identifier(name) for name in network.sources(index))
        stage = Stage(ident, layer, tuple(in_shape), tuple(out_shape), in_type, out_type, params, sources)
        for t in (*stage.in_types, out_type, *(a.type for a in params)):
            element_bytes(t)  # a raw wider than 64 bits has no .bin layout: say so now
        stages.append(stage)
    return stages
