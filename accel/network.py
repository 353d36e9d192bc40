"""``Network``: an accelerator's layers in order, with its input shape and type, and
which tensors each layer takes.

Built from a YAML file by ``accel.config.load_network``. A layer takes the tensor of the
layer before it (the first: the network's ``input``) unless its ``inputs:`` name others —
earlier layers or ``input`` — so a network is a graph in an order that runs it (skip
connections: ``add``; branches: ``concatenate``). The network knows how shapes and types
flow along it; its output is its last layer's.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

from layers import Layer
from layers.core.base import Shape
from quant import FixedType

from .cifar import IMAGE_SHAPE
from .preprocess import UNSTATED, Preprocess

_WARNED: set[str] = set()  # networks already warned about, once per process


@dataclass(frozen=True)
class Network:
    name: str
    input_shape: Shape
    input_type: FixedType
    layers: tuple[Layer, ...]
    source: str = "<memory>"
    tolerances: dict = field(default_factory=dict, compare=False, hash=False)  # testbench limits
    interface: str = "m_axi"  # how the HLS top function takes images and gives results: m_axi | axis
    port_bits: int | None = None  # the m_axi data width the tiles move over (None: the profile's port)
    port_burst: int | None = None  # its max_read_burst_length in beats (None: the profile's)
    target_part: str | None = None  # the part and clock the design is meant for (accel report's defaults)
    target_clock_ns: float | None = None
    preprocess: Preprocess | None = None  # how image pixels become its input (None: the file states none)
    wiring: tuple[tuple[str, ...], ...] = ()  # per layer, the tensors it takes (empty: a chain)
    port_latency: int | None = None  # cycles from an m_axi request to its first beat (None: the profile's)

    INPUT = "input"  # the name of the network's input tensor in ``inputs:``

    def sources(self, index: int) -> tuple[str, ...]:
        """The names of the tensors layer ``index`` takes: layers, or ``"input"``."""
        if self.wiring:
            return self.wiring[index]
        return (self.INPUT,) if index == 0 else (self.layers[index - 1].name,)

    @property
    def is_chain(self) -> bool:
        """Whether every layer takes the one before it (no merges, no skips)."""
        return not self.wiring or all(self.sources(i) == ((self.INPUT,) if i == 0 else (self.layers[i - 1].name,))
                   for i in range(len(self.layers)))

    def gather(self, index: int, tensors: dict):
        """Layer ``index``'s argument from ``tensors`` (name -> value; ``"input"`` included):
        the one tensor it takes, or a tuple of them for a merge."""
        names = self.sources(index)
        return tensors[names[0]] if len(names) == 1 else tuple(tensors[name] for name in names)

    def last_uses(self) -> dict[str, int]:
        """For each tensor, the index of the last layer that reads it (what a run must keep)."""
        last: dict[str, int] = {}
        for index in range(len(self.layers)):
            for name in self.sources(index):
                last[name] = index
        return last

    def input_from_pixels(self, pixels: np.ndarray, warn: bool = True) -> np.ndarray:
        """uint8 image pixels (N, C, H, W) → this network's float input, by its file's
        ``input: preprocess``; a network that states none gets ``pixel / 255`` and, once
        per process, a warning on stderr (another network's statistics would be a guess)."""
        if self.preprocess is not None:
            return self.preprocess(pixels)
        if warn and self.source not in _WARNED:
            _WARNED.add(self.source)
            print(f"accel: {self.source} states no input preprocessing, so image pixels are fed as pixel/255; "
                  f"if {self.name} was trained on normalized images, add input: preprocess: {{mean: [...], "
                  f"std: [...]}} to its file", file=sys.stderr)
        return UNSTATED(pixels)

    def tolerance(self, layer: str) -> dict[str, float]:
        """The testbench limits of a layer: its own entries over the defaults."""
        base = {"abs": 0.05, "share": 0.99, "sqnr_db": 30.0}
        return {**base, **self.tolerances.get("default", {}), **self.tolerances.get(layer, {})}

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"{self.source}: no layer named {name!r}; layers are {[l.name for l in self.layers]}")

    def shapes(self) -> list[tuple[Layer, Shape, Shape]]:
        """(layer, input shape, output shape) per layer, per image; a merge's input shape
        is the tuple of its inputs' shapes."""
        rows, shapes = [], {self.INPUT: tuple(self.input_shape)}
        for index, layer in enumerate(self.layers):
            shape = self.gather(index, shapes)
            out = shapes[layer.name] = tuple(layer.output_shape(shape))
            rows.append((layer, shape, out))
        return rows

    def param_shapes(self) -> dict[str, Shape]:
        """Expected weight arrays, keyed as in a PyTorch ``state_dict`` (``conv1.weight``)."""
        return {f"{layer.name}.{param}": shape
                for layer, in_shape, _ in self.shapes()
                for param, shape in layer.param_shapes(in_shape).items()}

    def io_types(self) -> list[tuple[Layer, FixedType, FixedType]]:
        """(layer, input type, output type) per layer: each takes its inputs' output types
        (a merge: the tuple of them)."""
        rows, types = [], {self.INPUT: self.input_type}
        for index, layer in enumerate(self.layers):
            current = self.gather(index, types)
            out = types[layer.name] = layer.output_type(current)
            rows.append((layer, current, out))
        return rows

    @property
    def takes_cifar(self) -> bool:
        """Whether the network classifies CIFAR-10 images (the commands then use the data set)."""
        return tuple(self.input_shape) == IMAGE_SHAPE

    @property
    def output_shape(self) -> Shape:
        return self.shapes()[-1][2] if self.layers else self.input_shape
