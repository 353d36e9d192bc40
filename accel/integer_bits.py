"""Where a design overflows and by how much: per layer and array, the float range the
type had to hold, its integer bits, the integer bits that would have sufficed, and the
overflows counted at that stage.

The range is the float reference's (weights and biases as trained, each layer's output as
the float network computes it), so it says what the *design* needs, not what an already
overflowing fixed-point run happened to produce. A signed type with ``I`` integer bits
holds ``[-2^(I-1), 2^(I-1))``, an unsigned one ``[0, 2^I)``:

    >>> needed_bits(-3.2, 5.3, signed=True), needed_bits(0.0, 5.3, signed=False)
    (4, 3)
    >>> needed_bits(-0.1, 0.2, signed=False) is None  # an unsigned type cannot hold -0.1
    True

The accumulator of a conv or dense layer is shown against the range of its final sums
(the layer's float output before the result cast): partial sums may reach further, which
its own overflow count then shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from layers.core.base import array_types
from quant import FixedType

from .network import Network
from .weights import Weights

STAGE_OF = {"weight": "parameters", "bias": "parameters", "accum": "accumulation", "result": "result"}


def needed_bits(low: float, high: float, signed: bool) -> int | None:
    """Integer bits (sign included when signed) for values in ``[low, high]``; None when an
    unsigned type cannot hold them (a negative value)."""
    if not signed and low < 0:
        return None
    peak = max(-low, high) if signed else high
    if peak <= 0:
        return 1 if signed else 0

    def fits(bits: int) -> bool:
        if signed:
            return low >= -(2.0 ** (bits - 1)) and high < 2.0 ** (bits - 1)
        return high < 2.0 ** bits

    bits = math.floor(math.log2(peak)) - 1
    while not fits(bits):
        bits += 1
    return bits


@dataclass(frozen=True)
class ArrayRange:
    """One row of the report."""

    layer: str
    array: str  # weight, bias, accum, result (or "input")
    type: FixedType
    low: float
    high: float
    overflows: int

    @property
    def needed(self) -> int | None:
        return needed_bits(self.low, self.high, self.type.signed)

    @property
    def short_by(self) -> int:
        """Integer bits missing (0 when the range fits; the sign bit when unsigned cannot hold it)."""
        needed = self.needed
        return 1 if needed is None else max(0, needed - self.type.integer)

    def as_dict(self) -> dict:
        return {"layer": self.layer, "array": self.array, "type": str(self.type), "low": self.low, "high": self.high,
                "integer_bits": self.type.integer, "needed_integer_bits": self.needed, "short_by": self.short_by,
                "overflows": self.overflows}


def array_ranges(network: Network, weights: Weights, tallies: dict, input_range: tuple[float, float],
                 input_overflows: int) -> list[ArrayRange]:
    """Rows for the input and every typed array of every layer; ``tallies``: layer name ->
    ``LayerTally`` (its ``low``/``high`` are the float output's range, its counts by stage)."""
    rows = [ArrayRange("input", "result", network.input_type, *input_range, input_overflows)]
    for layer, _, out_type in network.io_types():
        tally = tallies.get(layer.name)
        if tally is None:
            continue
        params = weights.get(layer.name, {})
        for array, t in array_types(layer).items():
            if array != "result" and array != "accum":  # a parameter: its trained values
                if array not in params:
                    continue
                values = np.asarray(params[array], dtype=np.float64)
                low, high = float(values.min(initial=0.0)), float(values.max(initial=0.0))
            else:
                low, high = tally.low, tally.high
            if math.isinf(low):
                continue
            rows.append(ArrayRange(layer.name, array, t, low, high, getattr(tally, STAGE_OF.get(array, "parameters"))))
    return rows
