"""Automatic integer bits: profile the float model, give each array the integer bits its
largest magnitude needs, plus headroom.

A signed type with ``I`` integer bits holds values in ``[-2^(I-1), 2^(I-1))``, so an
array whose largest magnitude is ``m`` needs the smallest ``I`` with ``m < 2^(I-1)``:

    >>> integer_bits(5.3), integer_bits(0.4), integer_bits(8.0), integer_bits(0.0)
    (4, 0, 5, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from math import floor, log2

import numpy as np

from ..network import Network
from ..simulator import simulate_float
from ..weights import Weights

MIN_INTEGER_BITS = -8  # tiny arrays still get a few fraction bits' worth of range


def integer_bits(max_abs: float) -> int:
    """Signed integer bits (sign included) for values up to ``max_abs`` in magnitude."""
    if max_abs <= 0:
        return 1
    return max(MIN_INTEGER_BITS, floor(log2(max_abs)) + 2)


@dataclass(frozen=True)
class Ranges:
    """Largest magnitudes seen: per (layer or "input", array) with array in weight, bias, result."""

    max_abs: tuple[tuple[str, str, float], ...]
    images: int

    def integer_bits(self, headroom: int = 0) -> tuple[tuple[str, str, int], ...]:
        return tuple((layer, array, integer_bits(value) + headroom) for layer, array, value in self.max_abs)

    def table(self, headroom: int = 0) -> list[tuple[str, str, float, int]]:
        return [(layer, array, value, integer_bits(value) + headroom) for layer, array, value in self.max_abs]


def profile_ranges(network: Network, weights: Weights, images: np.ndarray, batch_size: int = 100) -> Ranges:
    """Run the float model (float64) over ``images`` (normalized, NCHW) and record ranges."""
    peaks: dict[tuple[str, str], float] = {("input", "result"): float(np.abs(images).max(initial=0.0))}
    for layer in network.layers:
        params = weights.get(layer.name, {})
        for array in layer.data_arrays():
            if array in params:
                peaks[(layer.name, array)] = float(np.abs(params[array]).max(initial=0.0))
    for start in range(0, len(images), batch_size):
        outputs = simulate_float(network, weights, images[start:start + batch_size])
        for layer in network.layers:
            if "result" in layer.data_arrays():
                key = (layer.name, "result")
                peaks[key] = max(peaks.get(key, 0.0), float(np.abs(outputs[layer.name]).max(initial=0.0)))
    return Ranges(tuple((layer, array, value) for (layer, array), value in peaks.items()), len(images))
