"""What every layer provides, and what running one returns.

Every layer kind implements the same few methods (as FINN's ``HWCustomOp`` does), so
the simulator, the testbenches and the estimator treat them alike:

- ``output_shape(input_shape)``: the per-image output shape;
- ``loop_nest(input_shape)``: the HLS loop nest (values for MAC layers depend on its
  reduction order; the estimator reads the rest);
- ``run_fixed(raw, in_type, params)``: the bit-accurate kernel on a batch of raws;
- ``run_float(x, params)``: the float64 reference of the same layer;
- ``estimate(input_shape, in_type, device, profile, preset)``: its resources and latency
  on a device (``layers.hw``), from the same loop nest.

``params`` maps parameter names (``"weight"``, ``"bias"``) to float arrays in PyTorch
layout; a layer quantizes them with its own types. ``prepare(params)`` does that once, and
``run_fixed`` accepts either form.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from quant import FixedType

from .loop_nest import LoopNest
from .types import StageStats

if TYPE_CHECKING:
    from .hw import Device, Estimate, Preset, Profile

Shape = tuple[int, ...]


@dataclass
class LayerResult:
    """A layer's output on a batch: raws of ``type``, overflow counts, time taken."""

    raw: np.ndarray
    type: FixedType
    stats: StageStats
    seconds: float = 0.0
    path: str = ""  # which kernel path computed it (MAC layers)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. LRN approximation error

    def values(self) -> np.ndarray:
        return self.type.from_raw(self.raw)


class Layer(ABC):
    """A layer of the accelerator. Subclasses are frozen dataclasses of their parameters."""

    name: str
    op: str = ""

    @abstractmethod
    def output_shape(self, input_shape: Shape) -> Shape: ...

    def loop_nest(self, input_shape: Shape) -> LoopNest | None:
        return None

    def param_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        """Shapes of the parameters this layer reads, e.g. ``{"weight": (96, 3, 11, 11)}``."""
        return {}

    def prepare(self, params: dict[str, np.ndarray]) -> Any:
        """Parameters in the form ``run_fixed`` uses (quantized once, reused per batch)."""
        return params

    @abstractmethod
    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params: Any) -> LayerResult: ...

    @abstractmethod
    def run_float(self, x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray: ...

    def estimate(self, input_shape: Shape, in_type: FixedType, device: "Device", profile: "Profile",
                 preset: "Preset | str" = "config") -> "Estimate":
        """Resources and latency of this layer's kernel (``layers.hw``)."""
        raise NotImplementedError(f"layer {self.name!r} ({self.op}) has no hardware estimate")

    def timed(self, raw, in_type, params) -> LayerResult:
        """``run_fixed`` with its wall time recorded in the result."""
        start = time.perf_counter()
        result = self.run_fixed(raw, in_type, params)
        result.seconds = time.perf_counter() - start
        return result


def require_shape(layer: Layer, what: str, actual: Shape, expected: Shape) -> None:
    if tuple(actual) != tuple(expected):
        raise ValueError(f"layer {layer.name!r} ({layer.op}): {what} has shape {tuple(actual)}, expected {tuple(expected)}")
