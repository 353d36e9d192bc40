"""Weights and biases that saturate when quantized are counted, once, in the overflow
report (stage ``parameters``) of run, testbench, classification and sweep."""

from __future__ import annotations

import numpy as np

from accel.classify import classify
from accel.config import network_from_dict
from accel.simulator import Simulator
from accel.weights import seeded_weights

NET = network_from_dict({
    "name": "tiny", "input": {"shape": [3, 4, 4], "type": "ap_fixed<16,4,AP_RND,AP_SAT>"},
    "defaults": {"types": {"weight": "ap_fixed<8,1,AP_RND,AP_SAT>", "bias": "ap_fixed<8,1,AP_RND,AP_SAT>",
                           "accum": "ap_fixed<32,12>", "result": "ap_fixed<16,6,AP_RND,AP_SAT>"}},
    "layers": [{"name": "conv", "op": "conv", "out_channels": 3, "kernel": 3},
               {"name": "flat", "op": "flatten"}, {"name": "fc", "op": "dense", "out_features": 4}],
})


def test_saturating_parameters_are_counted_once() -> None:
    weights = seeded_weights(NET, 1)
    weights["conv"]["weight"][0, 0, 0, :] = [5.0, -7.0, 0.25]  # two beyond <8,1>'s [-1, 1)
    weights["fc"]["bias"][:] = [3.0, 0.0, 0.0, -2.0]  # two more
    images = np.random.default_rng(0).normal(0, 1, (10, 3, 4, 4))
    # <8,1,AP_RND,AP_SAT>: raw = floor(x * 2**7 + 1/2) must lie in [-128, 127]
    expected = {name: sum(int(np.sum(np.abs(np.floor(a * 128 + 0.5) + 0.5) > 128)) for a in params.values())
                for name, params in weights.items()}
    assert expected["conv"] >= 2 and expected["fc"] >= 2
    sim = Simulator(NET, weights).run(images, batch_size=3)  # four batches
    counts = {run.name: run.result.stats.parameters.overflows for run in sim.layers}
    assert counts == {"conv": expected["conv"], "flat": 0, "fc": expected["fc"]}
    result = classify(NET, weights, np.zeros((7, 3, 4, 4), np.uint8), np.zeros(7, np.int64),
                      tuple("abcd"), batch_size=2)  # four batches, merged
    assert {l.name: l.overflows["parameters"] for l in result.layers} == counts
