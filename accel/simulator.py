"""The simulator: a batch of images through a network, bit for bit as C-simulation.

``simulate`` quantizes the (N, C, H, W) float input to the network's input type and runs
every layer's fixed-point kernel; it returns each layer's raw output and type, its
overflow counts by stage and its simulation time. ``simulate_float`` runs the float64
reference of the same layers. ``save_npz`` writes results that other tools read without
this package: for each layer ``NAME`` (float64 values), ``NAME.raw`` (int64) and
``NAME.type`` (the type string).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Literal

import numpy as np

from layers import LayerResult
from quant import FixedType, OverflowStats

from .footprint import check_fits
from .network import Network
from .weights import Weights


@dataclass
class LayerRun:
    """One layer's outputs over the whole batch."""

    name: str
    op: str
    result: LayerResult


@dataclass
class Simulation:
    network: Network
    input_raw: np.ndarray
    input_type: FixedType
    input_stats: OverflowStats
    layers: list[LayerRun] = field(default_factory=list)

    def __getitem__(self, name: str) -> LayerResult:
        for run in self.layers:
            if run.name == name:
                return run.result
        raise KeyError(name)

    @property
    def output(self) -> LayerResult:
        return self.layers[-1].result

    @property
    def seconds(self) -> float:
        return sum(run.result.seconds for run in self.layers)


def _check_weight_mapping(network: Network, weights) -> None:
    """``weights`` as ``check_weights``/``load_weights`` return them: every parameter the
    network reads, by layer, or a ``TypeError``/``ValueError`` naming what is missing."""
    if not isinstance(weights, Mapping):
        raise TypeError(f"weights: expected the mapping layer -> {{name: array}} that accel.weights.load_weights "
                        f"or check_weights returns, got {type(weights).__name__}")
    for key in network.param_shapes():
        layer, field = key.rsplit(".", 1)
        if not isinstance(weights.get(layer), Mapping) or field not in weights[layer]:
            raise ValueError(f"weights: no {field!r} for layer {layer!r} of network {network.name!r} "
                             f"(accel.weights.check_weights validates a flat {{'{key}': array}} dict)")


def check_images(network: Network, images: np.ndarray, source: str = "input") -> np.ndarray:
    images = np.asarray(images)
    if images.ndim == len(network.input_shape):
        images = images[None]
    if images.shape[1:] != tuple(network.input_shape):
        raise ValueError(
            f"{source}: images of shape {images.shape[1:]} do not fit network {network.name!r}, "
            f"which takes (N, {', '.join(map(str, network.input_shape))})"
        )
    if images.dtype.kind not in "fiu":
        raise ValueError(f"{source}: dtype {images.dtype} is not numeric")
    if len(images) == 0:
        raise ValueError(f"{source}: no images (an empty batch)")
    if images.dtype.kind in "iu":
        warnings.warn(f"{source}: integer images ({images.dtype}) are used as they are; the networks take "
                      f"normalized float inputs (Network.input_from_pixels for image pixels)", stacklevel=3)
    images = images.astype(np.float64)
    if not np.isfinite(images).all():
        raise ValueError(f"{source}: images hold NaN or inf")
    return images


Keep = Literal["all", "last"] | Sequence[str]


class Simulator:
    """A network with its weights quantized and prepared once, to run many batches.

    ``detail=False`` skips what only reports need (the LRN error breakdown). ``keep`` says
    whose outputs a run keeps for every image: ``"all"`` (``save_npz`` needs them),
    ``"last"`` (classification needs the logits only) or a list of layer names; the other
    layers keep their counts and times, and their raws only while the batch in flight still
    needs them (until the last layer that reads them) — so memory follows the batch and the
    widest cut through the network, not the number of images or layers."""

    def __init__(self, network: Network, weights: Weights, detail: bool = True, keep: Keep = "all"):
        if not detail:
            network = replace(network, layers=tuple(layer.without_reports() for layer in network.layers))
        names = [layer.name for layer in network.layers]
        if keep == "all":
            self.keep = set(names)
        elif keep == "last":
            self.keep = set(names[-1:])
        else:
            unknown = sorted(set(keep) - set(names))
            if unknown or isinstance(keep, str):
                raise ValueError(f"keep={keep!r}: expected 'all', 'last' or layer names of {network.name} ({names})")
            self.keep = set(keep)
        self.network = network
        self.last_use = network.last_uses()  # a tensor no later layer reads is freed within the batch
        _check_weight_mapping(network, weights)
        self.prepared = {layer.name: layer.prepare(weights.get(layer.name, {})) for layer in network.layers}
        self.parameter_stats = {layer.name: layer.parameter_stats(weights.get(layer.name, {}))
                                for layer in network.layers}

    def run(self, images: np.ndarray, batch_size: int = 64,
            progress: Callable[[int], None] | None = None) -> Simulation:
        """Run the fixed-point network over ``images`` in batches; results are concatenated.
        ``progress`` is called with the number of images each finished batch held."""
        network = self.network
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size={batch_size!r}: a positive number of images a batch")
        check_fits(network, len(images), batch_size, self.keep)
        images = check_images(network, images)
        input_stats = OverflowStats()
        raw_in = network.input_type.to_raw(images, input_stats)
        sim = Simulation(network, raw_in, network.input_type, input_stats)
        batches = []
        for start in range(0, len(images), batch_size):
            batch = raw_in[start:start + batch_size]
            results = self._run_batch(batch)
            done = len(batch)
            for layer, result in zip(network.layers, results):
                if layer.name not in self.keep:
                    result.raw = None  # the next batch may reuse the memory
            batches.append(results)
            if progress is not None:
                progress(done)
        for index, layer in enumerate(network.layers):
            result = _merge([batch[index] for batch in batches])
            result.stats.parameters += self.parameter_stats[layer.name]
            sim.layers.append(LayerRun(layer.name, layer.op, result))
        return sim

    def _run_batch(self, raw: np.ndarray) -> list[LayerResult]:
        """Every layer on one batch, in file order, each fed the tensors it names."""
        network = self.network
        raws, types = {network.INPUT: raw}, {network.INPUT: network.input_type}
        results: dict[str, LayerResult] = {}
        for index, layer in enumerate(network.layers):
            result = layer.timed(network.gather(index, raws), network.gather(index, types), self.prepared[layer.name])
            results[layer.name] = result
            raws[layer.name], types[layer.name] = result.raw, result.type
            for name in network.sources(index):  # read for the last time: free it, unless the run keeps it
                if self.last_use.get(name) == index and name in results and name not in self.keep:
                    del raws[name]
                    results[name].raw = None
        return list(results.values())


def simulate(network: Network, weights: Weights, images: np.ndarray, batch_size: int = 64,
             progress: Callable[[int], None] | None = None, keep: Keep = "all") -> Simulation:
    """One-shot ``Simulator(network, weights, keep=keep).run(images, ...)``."""
    return Simulator(network, weights, keep=keep).run(images, batch_size, progress)


def _merge(parts: list[LayerResult]) -> LayerResult:
    """One layer's results over several batches as one result."""
    merged = parts[0]
    if len(parts) == 1:
        return merged
    for part in parts[1:]:
        merged.stats += part.stats
        merged.seconds += part.seconds
    merged.raw = None if parts[0].raw is None else np.concatenate([p.raw for p in parts])
    merged.extra = {key: (max if "max" in key else np.mean)([p.extra[key] for p in parts]) for key in merged.extra}
    return merged


def simulate_float(network: Network, weights: Weights, images: np.ndarray,
                   dtype: type = np.float64) -> dict[str, np.ndarray]:
    """The float reference: every layer's output, keyed by layer name. float64 by default;
    ``dtype=np.float32`` computes as the float model itself runs (2-3x faster)."""
    tensors = {network.INPUT: check_images(network, images).astype(dtype)}
    for index, layer in enumerate(network.layers):
        tensors[layer.name] = layer.run_float(network.gather(index, tensors), weights.get(layer.name, {}))
    del tensors[network.INPUT]
    return tensors


def save_npz(sim: Simulation, path: str | Path) -> None:
    arrays: dict[str, np.ndarray] = {
        "input": sim.input_type.from_raw(sim.input_raw),
        "input.raw": sim.input_raw,
        "input.type": np.array(str(sim.input_type)),
    }
    for run in sim.layers:
        arrays[run.name] = run.result.values()
        arrays[f"{run.name}.raw"] = run.result.raw.astype(np.int64)
        arrays[f"{run.name}.type"] = np.array(str(run.result.type))
    np.savez(path, **arrays)
