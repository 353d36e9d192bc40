"""An MLP — hls4ml's most common model (its jet-tagging tutorial: Dense 16→64→32→32→5,
ReLU, softmax; ``io_parallel``, ``Latency``) — converted and compiled by hls4ml 1.3.0 and
imported by ``accel`` both ways (``--hls4ml`` over the Keras file, ``--hls4ml-project``
over the written project): ``predict()`` and ``trace()`` bit for bit, in several precision
configurations; the network exported again by ``accel export-hls`` is bit-exact in every
layer when its C-sim is compiled with g++ and the real headers."""

from __future__ import annotations

import numpy as np
import pytest

from .hls4ml_keras import assert_export_is_bit_exact, compiled, hls4ml, imports, keras, needs_gxx

pytestmark = needs_gxx

DENSE = ("fc1", "fc2", "fc3", "output")


def mlp():
    keras.utils.set_random_seed(1)
    L = keras.layers
    return keras.Sequential([keras.Input((16,), name="x"), L.Dense(64, activation="relu", name="fc1"),
                             L.Dense(32, activation="relu", name="fc2"), L.Dense(32, activation="relu", name="fc3"),
                             L.Dense(5, activation="softmax", name="output")])


def narrow(names: dict) -> None:
    """Rounding, saturating input; 8-bit weights; accumulators that saturate; unsigned ReLUs."""
    names["x"]["Precision"]["result"] = "fixed<10,3,RND,SAT>"
    for fc in DENSE:
        names[fc]["Precision"].update({"weight": "fixed<8,2,RND>", "bias": "fixed<10,3>",
                                       "accum": "fixed<10,3,TRN,SAT>", "result": "fixed<12,4,RND,SAT>"})
    for relu in ("fc1_relu", "fc2_relu", "fc3_relu"):
        names[relu]["Precision"]["result"] = "ufixed<8,3,RND,SAT>"


def wrapping(names: dict) -> None:
    """Truncating, wrapping narrow types throughout (C++'s defaults), results 'auto' kept."""
    for fc in DENSE:
        names[fc]["Precision"].update({"weight": "fixed<6,1>", "bias": "fixed<6,1>", "accum": "fixed<12,3>"})


@pytest.mark.parametrize("precision", [None, narrow, wrapping])
def test_an_mlp_is_imported_bit_for_bit_both_ways(tmp_path, precision) -> None:
    model = mlp()
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", default_precision="fixed<16,6>")
    if precision is not None:
        precision(config["LayerName"])
    hls_model = compiled(model, config, "io_parallel", tmp_path)
    x = np.random.default_rng(2).normal(0, 2, (64, 16)).astype(np.float32)
    theirs = np.asarray(hls_model.predict(x), dtype=np.float64).reshape(64, 5)
    _, traced = hls_model.trace(x)
    for how, network, simulator in imports(tmp_path):
        assert network.input_shape == (16,)  # a vector, not 16 channels of 1x1
        sim = simulator.run(x.astype(np.float64))
        np.testing.assert_array_equal(sim.output.values(), theirs, err_msg=how)
        compared = [name for name in traced if name in {layer.name for layer in network.layers}]
        assert {"fc1", "fc1_relu", "fc2", "fc3", "output"} <= set(compared)
        for name in compared:
            np.testing.assert_array_equal(sim[name].values(), np.asarray(traced[name], dtype=np.float64).reshape(64, -1),
                                          err_msg=f"{name} via {how}")
    if precision is narrow:
        assert sim["fc1"].stats.accumulation.overflows > 0  # the accumulators did saturate
        assert_export_is_bit_exact(tmp_path)
