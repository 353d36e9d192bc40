"""A functional Keras CNN with a skip connection (``Add``) and a branch (``Concatenate``),
converted and compiled by hls4ml 1.3.0 (``io_parallel`` and ``io_stream``, whose projects
copy a tensor two layers read with ``clone_stream``), imported by ``accel`` both ways
(``--hls4ml`` over the Keras file, ``--hls4ml-project`` over the written project):
``predict()`` and ``trace()`` bit for bit, with hls4ml's 'auto' types and with a narrow,
saturating sum; the re-exported project's C-sim bit-exact in every layer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import numpy as np
import pytest

from accel.cli import main
from accel.config import load_network
from accel.simulator import Simulator
from accel.weights import load_weights

hls4ml = pytest.importorskip("hls4ml", reason="hls4ml is in the test extra: pip install -e '.[test]'")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed: hls4ml cannot compile")


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
    model.save(tmp_path / "model.keras")
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", default_precision="fixed<16,6>")
    if narrow:  # the sum saturates; the concatenation casts its inputs
        config["LayerName"]["skip"]["Precision"]["result"] = "fixed<10,3,RND,SAT>"
        config["LayerName"]["cat"]["Precision"]["result"] = "fixed<12,4,RND,SAT>"
    for entry in config["LayerName"].values():
        entry["Trace"] = True
    hls_model = hls4ml.converters.convert_from_keras_model(model, hls_config=config, io_type=io_type,
                                                           output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    x = np.random.default_rng(2).normal(0, 1.5, (32, 8, 8, 3)).astype(np.float32)
    theirs = np.asarray(hls_model.predict(x), dtype=np.float64).reshape(32, 5)
    _, traced = hls_model.trace(x)
    (tmp_path / "config.json").write_text(json.dumps(config, default=list))
    images = np.ascontiguousarray(x.transpose(0, 3, 1, 2)).astype(np.float64)
    for arguments in ([str(tmp_path / "model.keras"), "--hls4ml", str(tmp_path / "config.json")],
                      ["--hls4ml-project", str(tmp_path / "prj")]):
        out = tmp_path / "imported"
        shutil.rmtree(out, ignore_errors=True)
        assert main(["import", *arguments, "--out", str(out)]) == 0
        network = load_network(out / "net.yaml")
        assert network.sources([l.name for l in network.layers].index("skip")) == ("conv2", "conv1_relu")
        sim = Simulator(network, load_weights(network, out / "weights.npz")).run(images)
        np.testing.assert_array_equal(sim.output.values(), theirs, err_msg=" ".join(arguments))
        for name in ("skip", "act", "branch", "cat"):  # hls4ml traces channels-last
            ours = sim[name].values().transpose(0, 2, 3, 1).reshape(32, -1)
            np.testing.assert_array_equal(ours, np.asarray(traced[name], dtype=np.float64).reshape(32, -1),
                                          err_msg=f"{name} via {arguments[0]}")
        if narrow:
            assert sim["skip"].stats.result.overflows > 0
    if narrow and io_type == "io_parallel":
        from tests.oracle.ap_oracle import find_headers

        assert main(["export-hls", "--config", str(out / "net.yaml"), "--out", str(tmp_path / "exported"),
                     "--images", "2"]) == 0
        done = subprocess.run(["sh", str(tmp_path / "exported" / "csim.sh"), str(find_headers())],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0 and "2 of 2 images bit-exact in every layer: PASS" in done.stdout, done.stderr
