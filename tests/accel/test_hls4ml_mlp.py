"""An MLP — hls4ml's most common model (its jet-tagging tutorial: Dense 16→64→32→32→5,
ReLU, softmax; ``io_parallel``, ``Latency``) — converted and compiled by hls4ml 1.3.0 and
imported by ``accel`` both ways (``--hls4ml`` over the Keras file, ``--hls4ml-project``
over the written project): ``predict()`` and ``trace()`` bit for bit, in several precision
configurations; the network exported again by ``accel export-hls`` is bit-exact in every
layer when its C-sim is compiled with g++ and the real headers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

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


def imported(tmp_path: Path, *arguments: str) -> Simulator:
    out = tmp_path / "imported"
    shutil.rmtree(out, ignore_errors=True)
    assert main(["import", *arguments, "--out", str(out)]) == 0
    network = load_network(out / "net.yaml")
    return Simulator(network, load_weights(network, out / "weights.npz"))


@pytest.mark.parametrize("precision", [None, narrow, wrapping])
def test_an_mlp_is_imported_bit_for_bit_both_ways(tmp_path, precision, capsys) -> None:
    model = mlp()
    model.save(tmp_path / "model.keras")
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", default_precision="fixed<16,6>")
    if precision is not None:
        precision(config["LayerName"])
    for entry in config["LayerName"].values():
        entry["Trace"] = True
    hls_model = hls4ml.converters.convert_from_keras_model(model, hls_config=config, io_type="io_parallel",
                                                           output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    x = np.random.default_rng(2).normal(0, 2, (64, 16)).astype(np.float32)
    theirs = np.asarray(hls_model.predict(x), dtype=np.float64).reshape(64, 5)
    _, traced = hls_model.trace(x)
    (tmp_path / "config.json").write_text(json.dumps(config, default=list))
    for arguments in ([str(tmp_path / "model.keras"), "--hls4ml", str(tmp_path / "config.json")],
                      ["--hls4ml-project", str(tmp_path / "prj")]):
        simulator = imported(tmp_path, *arguments)
        assert simulator.network.input_shape == (16,)  # a vector, not 16 channels of 1x1
        sim = simulator.run(x.astype(np.float64))
        np.testing.assert_array_equal(sim.output.values(), theirs, err_msg=" ".join(arguments))
        compared = [name for name in traced if name in {layer.name for layer in simulator.network.layers}]
        assert {"fc1", "fc1_relu", "fc2", "fc3", "output"} <= set(compared)
        for name in compared:
            np.testing.assert_array_equal(sim[name].values(), np.asarray(traced[name], dtype=np.float64).reshape(64, -1),
                                          err_msg=f"{name} via {arguments[0]}")
    if precision is narrow:
        assert sim["fc1"].stats.accumulation.overflows > 0  # the accumulators did saturate
        capsys.readouterr()
        out = tmp_path / "exported"
        assert main(["export-hls", "--config", str(tmp_path / "imported" / "net.yaml"), "--out", str(out),
                     "--images", "2"]) == 0
        from tests.oracle.ap_oracle import find_headers

        done = subprocess.run(["sh", str(out / "csim.sh"), str(find_headers())], capture_output=True, text=True,
                              env={"PATH": os.environ["PATH"], "CXXFLAGS": "-O1"}, timeout=600)
        assert done.returncode == 0 and "2 of 2 images bit-exact in every layer: PASS" in done.stdout, done.stderr
