"""A 1-D CNN (Keras ``Conv1D`` → ``MaxPooling1D`` → ``Conv1D`` → ``Flatten`` → ``Dense``:
time series and sensor data) converted and compiled by hls4ml 1.3.0 and imported by
``accel`` both ways: ``predict()`` and ``trace()`` bit for bit, with hls4ml's 'auto' types
and with a narrow saturating accumulator (io_parallel, and io_stream, whose 'same' padding
is a ``zeropad1d_cl`` call of its own); the re-exported project's C-sim bit-exact."""

from __future__ import annotations

import numpy as np
import pytest

from .hls4ml_keras import assert_export_is_bit_exact, compiled, hls4ml, imports, keras, needs_gxx

pytestmark = needs_gxx


def cnn1d():
    keras.utils.set_random_seed(1)
    L = keras.layers
    return keras.Sequential([keras.Input((32, 3), name="x"),
                             L.Conv1D(8, 3, padding="same", activation="relu", name="c1"),
                             L.MaxPooling1D(2, name="p1"), L.Conv1D(4, 5, name="c2"),
                             L.Flatten(name="flat"), L.Dense(5, name="fc")])


@pytest.mark.parametrize("io_type, narrow", [("io_parallel", False), ("io_parallel", True), ("io_stream", True)])
def test_a_1d_cnn_is_imported_bit_for_bit_both_ways(tmp_path, io_type, narrow) -> None:
    model = cnn1d()
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", default_precision="fixed<16,6>")
    if narrow:
        config["LayerName"]["c2"]["Precision"].update({"accum": "fixed<9,1,TRN,SAT>", "weight": "fixed<8,2,RND>"})
        config["LayerName"]["p1"]["Precision"]["result"] = "fixed<10,3,RND,SAT>"
    hls_model = compiled(model, config, io_type, tmp_path)
    x = np.random.default_rng(2).normal(0, 1.5, (32, 32, 3)).astype(np.float32)
    theirs = np.asarray(hls_model.predict(x), dtype=np.float64).reshape(32, 5)
    _, traced = hls_model.trace(x)
    sequences = np.ascontiguousarray(x.transpose(0, 2, 1)).astype(np.float64)  # channels first: [3, 32]
    for how, network, simulator in imports(tmp_path):
        assert network.input_shape == (3, 32) and network.layer("c1").op == "conv1d"
        sim = simulator.run(sequences)
        np.testing.assert_array_equal(sim.output.values(), theirs, err_msg=how)
        for name in ("c1", "p1", "c2"):  # hls4ml traces channels-last
            ours = sim[name].values().transpose(0, 2, 1).reshape(32, -1)
            np.testing.assert_array_equal(ours, np.asarray(traced[name], dtype=np.float64).reshape(32, -1),
                                          err_msg=f"{name} via {how}")
        if narrow:
            assert sim["c2"].stats.accumulation.overflows > 0  # the accumulator did saturate
    if narrow and io_type == "io_parallel":
        assert_export_is_bit_exact(tmp_path)
