"""A functional Keras CNN with a skip connection (``Add``) and a branch (``Concatenate``),
converted and compiled by hls4ml 1.3.0 (``io_parallel`` and ``io_stream``, whose projects
copy a tensor two layers read with ``clone_stream``), imported by ``accel`` both ways:
``predict()`` and ``trace()`` bit for bit, with hls4ml's 'auto' types and with a narrow,
saturating sum; the re-exported project's C-sim bit-exact in every layer."""

from __future__ import annotations

import numpy as np
import pytest

from .hls4ml_keras import assert_export_is_bit_exact, compiled, hls4ml, imports, keras, needs_gxx

pytestmark = needs_gxx


def residual_cnn():
    keras.utils.set_random_seed(1)
    L = keras.layers
    x = keras.Input((8, 8, 3), name="x")
    c1 = L.Conv2D(4, 3, padding="same", activation="relu", name="conv1")(x)
    c2 = L.Conv2D(4, 3, padding="same", name="conv2")(c1)
    skip = L.Add(name="skip")([c2, c1])
    act = L.Activation("relu", name="act")(skip)
    branch = L.Conv2D(2, 1, name="branch")(c1)
    cat = L.Concatenate(name="cat")([act, branch])
    pool = L.MaxPooling2D(2, name="pool")(cat)
    out = L.Dense(5, name="fc")(L.Flatten(name="flat")(pool))
    return keras.Model(x, out)


@pytest.mark.parametrize("io_type, narrow", [("io_parallel", False), ("io_parallel", True), ("io_stream", True)])
def test_a_residual_cnn_is_imported_bit_for_bit_both_ways(tmp_path, io_type, narrow) -> None:
    model = residual_cnn()
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", default_precision="fixed<16,6>")
    if narrow:  # the sum saturates; the concatenation casts its inputs
        config["LayerName"]["skip"]["Precision"]["result"] = "fixed<10,3,RND,SAT>"
        config["LayerName"]["cat"]["Precision"]["result"] = "fixed<12,4,RND,SAT>"
    hls_model = compiled(model, config, io_type, tmp_path)
    x = np.random.default_rng(2).normal(0, 1.5, (32, 8, 8, 3)).astype(np.float32)
    theirs = np.asarray(hls_model.predict(x), dtype=np.float64).reshape(32, 5)
    _, traced = hls_model.trace(x)
    images = np.ascontiguousarray(x.transpose(0, 3, 1, 2)).astype(np.float64)
    for how, network, simulator in imports(tmp_path):
        assert network.sources([l.name for l in network.layers].index("skip")) == ("conv2", "conv1_relu")
        sim = simulator.run(images)
        np.testing.assert_array_equal(sim.output.values(), theirs, err_msg=how)
        for name in ("skip", "act", "branch", "cat"):  # hls4ml traces channels-last
            ours = sim[name].values().transpose(0, 2, 3, 1).reshape(32, -1)
            np.testing.assert_array_equal(ours, np.asarray(traced[name], dtype=np.float64).reshape(32, -1),
                                          err_msg=f"{name} via {how}")
        if narrow:
            assert sim["skip"].stats.result.overflows > 0
    if narrow and io_type == "io_parallel":
        assert_export_is_bit_exact(tmp_path)
