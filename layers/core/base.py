"""What every layer provides, and what running one returns.

Every layer kind implements the same few methods (as FINN's ``HWCustomOp`` does), so
the simulator, the testbenches and the estimator treat them alike:

- ``output_shape(input_shape)``: the per-image output shape;
- ``loop_nest(input_shape)``: the HLS loop nest (values for MAC layers depend on its
  reduction order; the estimator reads the rest);
- ``run_fixed(raw, in_type, params)``: the bit-accurate kernel on a batch of raws;
- ``run_float(x, params)``: the float64 reference of the same layer;
- ``estimate(input_shape, in_type, device, profile, preset)``: its resources and latency
  on a device (``layers.hw``), from the same loop nest;
- ``output_type(in_type)``: the type of its output;
- ``data_arrays()`` and ``retyped(retype)``: the arrays whose types a bit-width sweep sets
  (and whose ranges it profiles), and the layer with new types for them;
- ``tile_candidates(input_shape)`` / ``engine_tiles(input_shape, tm, tn)``: the tilings
  the design-space exploration tries;
- ``cpp_source(input_shape, in_type, prefix)``: its canonical C++ loop nest, the one its
  module docstring shows, with its directives as pragmas; ``cpp_pragmas(input_shape)``
  lists those pragmas in the words of the source (the estimator's report prints them).

A layer that merges tensors (``add``, ``concatenate``) has ``arity`` 2: its
``input_shape``, ``in_type``, ``raw`` and ``x`` are then pairs, one entry per input, in the
order its ``inputs:`` name them; every other layer takes one of each.

A layer kind also registers its YAML builder (``layers.config.registry``) in its own module, so
a new kind is one module and its tests.

``params`` maps parameter names (``"weight"``, ``"bias"``) to float arrays in PyTorch
layout; a layer quantizes them with its own types. ``prepare(params)`` does that once, and
``run_fixed`` accepts either form.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from quant import FixedType, OverflowStats

from .loop_nest import LoopNest
from .types import StageStats

if TYPE_CHECKING:
    from ..hw import Device, Estimate, Preset, Profile

Shape = tuple[int, ...]


@dataclass
class LayerResult:
    """A layer's output on a batch: raws of ``type``, overflow counts, time taken."""

    raw: np.ndarray | None  # None: a simulation that did not keep this layer's outputs
    type: FixedType
    stats: StageStats
    seconds: float = 0.0
    path: str = ""  # which kernel path computed it (MAC layers)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. LRN approximation error

    def values(self) -> np.ndarray:
        if self.raw is None:
            raise ValueError("this layer's outputs were not kept: run the Simulator with keep='all' or its name")
        return self.type.from_raw(self.raw)


class Retype(Protocol):
    """How a bit-width sweep retypes a layer (``accel.sweep.grid``)."""

    def data(self, t: FixedType, layer: str, array: str) -> FixedType:
        """The new type of data array ``array`` (``weight``, ``bias``, ``result``)."""

    def accumulator(self, accum: FixedType, weight: FixedType) -> FixedType:
        """The new accumulator, given the old one and the new weight type."""


class Layer(ABC):
    """A layer of the accelerator. Subclasses are frozen dataclasses of their parameters."""

    name: str
    op: str = ""
    arity: ClassVar[int] = 1  # how many tensors it takes (a merge: 2, each argument then a pair)

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

    def parameter_stats(self, params: dict[str, np.ndarray]) -> OverflowStats:
        """How many parameters overflowed (saturated or wrapped) or rounded when quantized
        to the layer's types — counted once per simulation, not per batch."""
        return OverflowStats()

    def param_raws(self, params: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, FixedType]]:
        """Each parameter as the raws the C++ kernel reads, with its type (test vectors)."""
        return {}

    def output_type(self, in_type: FixedType) -> FixedType:
        """The type of the output, given the input's (most layers keep it)."""
        return in_type

    def data_arrays(self) -> tuple[str, ...]:
        """Arrays whose types a sweep sets and whose float ranges it profiles: parameter
        names and ``"result"``. Layers that only move values have none."""
        return ()

    def retyped(self, retype: Retype) -> "Layer":
        """This layer with ``retype`` applied to its ``data_arrays()``."""
        return self

    def tile_candidates(self, input_shape: Shape) -> list[dict[str, int]]:
        """Tilings (loop → tile size) the design-space exploration costs; none if untiled."""
        return []

    def engine_tiles(self, input_shape: Shape, tm: int, tn: int) -> list[dict[str, int]] | None:
        """Tilings with the channel tile ``Tm×Tn`` of one engine shared by layers of this
        kind (Zhang et al.'s unified design); ``None`` if the layer does not run on it."""
        return None

    def without_reports(self) -> "Layer":
        """The same arithmetic without work only reports need (e.g. LRN's error split)."""
        return self

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        """The layer as a C++ function ``PREFIX_layer(in, [w, b,] out)`` in its canonical
        loop nest (flat C-order arrays), on the typedefs ``PREFIX_input_t``,
        ``PREFIX_output_t`` (and ``PREFIX_weight_t``, ``PREFIX_bias_t``) that the caller
        writes; the layer's internal types it defines itself."""
        raise NotImplementedError(f"layer {self.name!r} ({self.op}) has no C++ source yet")

    def cpp_pragmas(self, input_shape: Shape, preset: "Preset | str" = "config") -> tuple[str, ...]:
        """The HLS pragmas of ``cpp_source``, each as ``where: PRAGMA`` (``loop_j: PIPELINE II=1``);
        under another preset, those of the nest the estimator costs for it."""
        return ()

    def timed(self, raw, in_type, params) -> LayerResult:
        """``run_fixed`` with its wall time recorded in the result."""
        start = time.perf_counter()
        result = self.run_fixed(raw, in_type, params)
        result.seconds = time.perf_counter() - start
        return result


class OptionalResult:
    """Mixin of a layer whose one type of its own is an optional ``result`` (None: the
    input's type): its output type, and the array a bit-width sweep retypes."""

    name: str
    result: FixedType | None

    def output_type(self, in_type: FixedType) -> FixedType:
        return self.result or in_type

    def data_arrays(self) -> tuple[str, ...]:
        return ("result",)

    def retyped(self, retype: Retype) -> "Layer":
        return replace(self, result=retype.data(self.result, self.name, "result")) if self.result else self


def array_types(layer: Layer) -> dict[str, FixedType]:
    """The type of each of ``layer``'s data arrays (and ``accum``), found through
    ``retyped`` with a retype that changes nothing: no switch on layer kinds."""
    found: dict[str, FixedType] = {}

    class Recorder:
        def data(self, t: FixedType, layer_name: str, array: str) -> FixedType:
            found[array] = t
            return t

        def accumulator(self, accum: FixedType, weight: FixedType) -> FixedType:
            found["accum"] = accum
            return accum

    layer.retyped(Recorder())
    return found


def require_counts(layer: Layer, minimum: int = 1, **values: int) -> None:
    """Sizes, strides and counts of a layer are integers of at least ``minimum``."""
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"layer {layer.name!r} ({layer.op}): {name} must be an integer >= {minimum}, got {value!r}")


def feature_maps(layer: Layer, input_shape: Shape) -> tuple[int, int, int]:
    """``(channels, height, width)`` of a layer that slides a window over feature maps, or
    an error that says what it takes (a vector or a 1-D sequence is not one)."""
    if len(input_shape) != 3:
        raise ValueError(f"layer {layer.name!r} ({layer.op}) takes [channels, height, width] feature maps, got "
                         f"an input of shape {tuple(input_shape)} (a [channels, length] sequence takes conv1d and "
                         f"maxpool1d)")
    return tuple(input_shape)


def require_shape(layer: Layer, what: str, actual: Shape, expected: Shape) -> None:
    if tuple(actual) != tuple(expected):
        raise ValueError(f"layer {layer.name!r} ({layer.op}): {what} has shape {tuple(actual)}, expected {tuple(expected)}")
