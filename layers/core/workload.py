"""What a layer computes and moves: MACs, operations, parameters, bytes, intensity.

The first analysis an accelerator designer makes: operations
``2·Hout·Wout·Cout·(Cin/groups)·Kh·Kw`` for a conv, ``2·in·out`` for a dense layer, over
the bytes the layer must move (its input, weights, biases and output, at a given element
width and batch size) gives the arithmetic intensity a roofline compares with the
board's compute and memory bandwidth.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

from .base import Layer, Shape


@dataclass(frozen=True)
class Workload:
    macs: int  # multiply-accumulates per image
    params: int  # weights and biases
    input_elements: int  # per image
    output_elements: int  # per image

    @property
    def operations(self) -> int:
        """Operations per image, counting a MAC as two (multiply and add)."""
        return 2 * self.macs

    def bytes_moved(self, element_bits: int = 32, batch: int = 1) -> float:
        """Input and output of every image plus the parameters once per batch."""
        elements = batch * (self.input_elements + self.output_elements) + self.params
        return elements * element_bits / 8

    def intensity(self, element_bits: int = 32, batch: int = 1) -> float:
        """Operations per byte moved."""
        moved = self.bytes_moved(element_bits, batch)
        return batch * self.operations / moved if moved else 0.0


def workload(layer: Layer, input_shape: Shape) -> Workload:
    """The workload of any layer: MACs and parameters for conv/dense, data for the rest."""
    output_shape = layer.output_shape(input_shape)
    params = sum(prod(shape) for shape in layer.param_shapes(input_shape).values())
    macs = 0
    weight_shape = layer.param_shapes(input_shape).get("weight")
    if weight_shape is not None:  # conv: out·(in/groups)·kh·kw per output pixel; dense: out·in
        pixels = prod(output_shape[1:]) if len(output_shape) == 3 else 1
        macs = pixels * prod(weight_shape)
    inputs = sum(prod(shape) for shape in input_shape) if layer.arity > 1 else prod(input_shape)
    return Workload(macs, params, inputs, prod(output_shape))
