"""The classification check: does the fixed-point network classify like the float one?

Runs labelled images through the simulator and through the float reference of the same
layers (in float32, as the trained float model runs), and reports float top-1, fixed top-1, how often the two agree, per-class
accuracy, the confusion matrix of the fixed network, the class probabilities of one
image (softmax of the logits, as the seed printed for its test image) and, per layer,
the error and overflow summary.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from reports.tally import LayerTally

from .network import Network
from .integer_bits import array_ranges
from .simulator import Simulation, Simulator, simulate_float
from .weights import Weights


@dataclass
class LayerSummary:
    name: str
    op: str
    type: str
    path: str
    ms_per_image: float
    overflows: dict[str, int]
    max_abs_error: float
    sqnr_db: float
    inputs: list[str] = field(default_factory=list)  # the tensors it takes, in a graph


@dataclass
class Classification:
    classes: tuple[str, ...]
    labels: np.ndarray
    float_predictions: np.ndarray
    fixed_predictions: np.ndarray
    example_index: int
    example_float_probabilities: np.ndarray
    example_fixed_probabilities: np.ndarray
    layers: list[LayerSummary] = field(default_factory=list)
    seconds: float = 0.0
    ranges: list[dict] = field(default_factory=list)  # ``integer_bits.ArrayRange.as_dict()`` rows

    @property
    def images(self) -> int:
        return len(self.labels)

    @property
    def float_top1(self) -> float:
        return float(np.mean(self.float_predictions == self.labels))

    @property
    def fixed_top1(self) -> float:
        return float(np.mean(self.fixed_predictions == self.labels))

    @property
    def agreement(self) -> float:
        return float(np.mean(self.float_predictions == self.fixed_predictions))

    def confusion(self, fixed: bool = True) -> np.ndarray:
        """counts[true class, predicted class]."""
        predicted = self.fixed_predictions if fixed else self.float_predictions
        counts = np.zeros((len(self.classes), len(self.classes)), dtype=np.int64)
        np.add.at(counts, (self.labels, predicted), 1)
        return counts

    def per_class(self) -> list[dict]:
        rows = []
        for c, name in enumerate(self.classes):
            mine = self.labels == c
            n = int(mine.sum())
            rows.append({
                "class": name, "images": n,
                "float_top1": float(np.mean(self.float_predictions[mine] == c)) if n else 0.0,
                "fixed_top1": float(np.mean(self.fixed_predictions[mine] == c)) if n else 0.0,
                "agreement": float(np.mean(self.float_predictions[mine] == self.fixed_predictions[mine])) if n else 0.0,
            })
        return rows

    def as_dict(self) -> dict:
        return {
            "images": self.images, "float_top1": self.float_top1, "fixed_top1": self.fixed_top1,
            "agreement": self.agreement, "seconds": self.seconds, "per_class": self.per_class(),
            "confusion_fixed": self.confusion().tolist(), "classes": list(self.classes),
            "example": {"index": self.example_index, "label": self.classes[int(self.labels[self.example_index])],
                        "float_probabilities": self.example_float_probabilities.tolist(),
                        "fixed_probabilities": self.example_fixed_probabilities.tolist()},
            "layers": [vars(layer) for layer in self.layers], "ranges": self.ranges,
        }


def classify(network: Network, weights: Weights, pixels: np.ndarray, labels: np.ndarray,
             classes: tuple[str, ...], batch_size: int = 100, progress=None, example: int = 0) -> Classification:
    """Classify uint8 images (N, 3, H, W) with both networks, batch by batch (pixels become
    inputs by the network's own ``preprocess``)."""
    start = time.perf_counter()
    simulator = Simulator(network, weights, detail=False)
    fixed_parts, float_parts, layer_stats = [], [], None
    input_low, input_high, input_overflows = np.inf, -np.inf, 0
    for first in range(0, len(pixels), batch_size):
        x = network.input_from_pixels(pixels[first:first + batch_size])
        sim = simulator.run(x, batch_size=len(x))
        input_low, input_high = min(input_low, float(x.min())), max(input_high, float(x.max()))
        input_overflows += sim.input_stats.overflows
        reference = simulate_float(network, weights, x, dtype=np.float32)  # as the float model runs
        fixed_parts.append(sim.output.values())
        float_parts.append(reference[network.layers[-1].name])
        layer_stats = _accumulate(layer_stats, sim, reference)
        if progress is not None:
            progress(len(x))
    fixed_logits, float_logits = np.concatenate(fixed_parts), np.concatenate(float_parts)
    return Classification(
        classes=tuple(classes), labels=np.asarray(labels, dtype=np.int64),
        float_predictions=float_logits.argmax(axis=1), fixed_predictions=fixed_logits.argmax(axis=1),
        example_index=example, example_float_probabilities=softmax(float_logits[example]),
        example_fixed_probabilities=softmax(fixed_logits[example]),
        layers=_summaries(layer_stats, len(pixels)), seconds=time.perf_counter() - start,
        ranges=[row.as_dict() for row in array_ranges(network, weights, {n: e["tally"] for n, e in layer_stats.items()},
                                                      (input_low, input_high), input_overflows)],
    )


def softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max())
    return z / z.sum()


def _accumulate(acc: dict | None, sim: Simulation, reference: dict[str, np.ndarray]) -> dict:
    """Running per-layer tallies (error and signal energy, max error, overflows) and time."""
    acc = acc or {}
    network = sim.network
    for index, run in enumerate(sim.layers):
        r = run.result
        entry = acc.setdefault(run.name, {"op": run.op, "type": str(r.type), "path": r.path, "seconds": 0.0,
                                          "tally": LayerTally(),
                                          "inputs": [] if network.is_chain else list(network.sources(index))})
        entry["tally"] = entry["tally"].merged(LayerTally.of_result(r, reference[run.name]))
        entry["seconds"] += r.seconds
    return acc


def _summaries(acc: dict, images: int) -> list[LayerSummary]:
    return [LayerSummary(name, e["op"], e["type"], e["path"], e["seconds"] / max(images, 1) * 1000,
                         e["tally"].overflows_by_stage(), e["tally"].max_error,
                         float(e["tally"].sqnr_db), e.get("inputs", []))
            for name, e in acc.items()]
