"""The trained float model shipped in golden/, its golden outputs, and the classification
check at <16,4> on the embedded sample."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from accel.cifar import load_sample, normalize
from accel.classify import classify
from accel.shipped import trained_weights as trained_weights_path
from accel.config import load_network
from accel.shipped import shipped_config
from accel.simulator import simulate_float
from accel.testbench import load_golden, run_testbench
from accel.shipped import golden_outputs as shipped_golden
from accel.weights import load_weights

NET = load_network(shipped_config("alexnet32"))
WEIGHTS_PATH = trained_weights_path("alexnet32")


def test_trained_weights_ship_with_their_provenance() -> None:
    assert WEIGHTS_PATH is not None, "golden/weights/alexnet32.npz is missing"
    provenance = json.loads(Path(WEIGHTS_PATH).with_suffix(".json").read_text())
    for key in ("command", "seed", "epochs", "data", "test_top1"):
        assert key in provenance
    assert provenance["test_top1"] >= 0.75  # the bar, on the 10,000 test images


def test_golden_outputs_are_what_our_float_reference_computes() -> None:
    golden = load_golden(NET, shipped_golden("alexnet32"))
    ours = simulate_float(NET, load_weights(NET, WEIGHTS_PATH), golden["input"])
    for layer in NET.layers:  # PyTorch float32 against our float64: float32 rounding only
        scale = max(1.0, float(np.abs(golden[layer.name]).max()))
        assert np.abs(ours[layer.name] - golden[layer.name]).max() < 1e-4 * scale, layer.name


def test_every_layer_passes_the_testbench_against_the_golden_outputs() -> None:
    weights = load_weights(NET, WEIGHTS_PATH)
    golden = load_golden(NET, shipped_golden("alexnet32"))
    for mode in ("isolated", "chained"):
        failed = [c.layer for c in run_testbench(NET, weights, golden, mode) if not c.passed]
        assert not failed, mode


def test_fixed_point_classifies_like_float_on_the_sample() -> None:
    sample = load_sample()
    result = classify(NET, load_weights(NET, WEIGHTS_PATH), sample.images, sample.labels, sample.classes)
    assert result.float_top1 >= 0.70
    assert result.agreement >= 0.98
    assert abs(result.fixed_top1 - result.float_top1) <= 0.02
    assert normalize(sample.images[:1]).shape == (1, 3, 32, 32)
