"""``Network``: an accelerator's layers in order, with its input shape and type.

Built from a YAML file by ``accel.config.load_network``. The network knows how shapes
and types flow: each layer's input type is the previous layer's output type.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from layers import Layer
from layers.base import Shape
from quant import FixedType

SHIPPED = ("alexnet32", "alexnet227")  # networks in accel/networks/
DEFAULT_NETWORK = "alexnet32"


@dataclass(frozen=True)
class Network:
    name: str
    input_shape: Shape
    input_type: FixedType
    layers: tuple[Layer, ...]
    source: str = "<memory>"

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(f"{self.source}: no layer named {name!r}; layers are {[l.name for l in self.layers]}")

    def shapes(self) -> list[tuple[Layer, Shape, Shape]]:
        """(layer, input shape, output shape) per layer, per image."""
        rows, shape = [], self.input_shape
        for layer in self.layers:
            out = layer.output_shape(shape)
            rows.append((layer, shape, out))
            shape = out
        return rows

    def param_shapes(self) -> dict[str, Shape]:
        """Expected weight arrays, keyed as in a PyTorch ``state_dict`` (``conv1.weight``)."""
        return {f"{layer.name}.{param}": shape
                for layer, in_shape, _ in self.shapes()
                for param, shape in layer.param_shapes(in_shape).items()}

    @property
    def output_shape(self) -> Shape:
        return self.shapes()[-1][2] if self.layers else self.input_shape


def shipped_config(name: str = DEFAULT_NETWORK) -> Path:
    """Path of a network YAML shipped with the package (``alexnet32``, ``alexnet227``)."""
    if name not in SHIPPED:
        raise ValueError(f"unknown shipped network {name!r}; shipped: {', '.join(SHIPPED)}")
    return Path(str(resources.files("accel") / "networks" / f"{name}.yaml"))
