"""Every activation form hls4ml 1.3.0 writes, against its own C-simulation, through both
import paths: a Keras model (``io_stream``: a ``ReLU`` layer becomes
``nnet::thresholded_relu``, types ``nnet::array<...>``) and a PyTorch one (``io_parallel``,
configured with ``backend='Vivado'``, which adds ``TableSize`` and ``table`` to every
activation's entry), each layer traced and compared bit for bit."""

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
from tests.oracle.ap_oracle import find_headers

hls4ml = pytest.importorskip("hls4ml", reason="hls4ml is in the test extra: pip install -e '.[test]'")
torch = pytest.importorskip("torch", reason="torch is in the test extra")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed: hls4ml cannot compile")


def _imported(tmp_path, *arguments: str):
    out = tmp_path / "imported"
    shutil.rmtree(out, ignore_errors=True)
    assert main(["import", *arguments, "--out", str(out)]) == 0
    network = load_network(out / "net.yaml")
    return Simulator(network, load_weights(network, out / "weights.npz")), network


def _compare(sim, network, traced, theirs, count: int) -> None:
    """Every traced layer and the output; hls4ml's trace holds float32 (a 36-bit sum rounds there)."""
    for layer in network.layers:
        if layer.name in traced:
            ours = sim[layer.name].values().reshape(count, -1).astype(np.float32)
            np.testing.assert_array_equal(ours, np.asarray(traced[layer.name], np.float32).reshape(count, -1),
                                          err_msg=layer.name)
    np.testing.assert_array_equal(sim.output.values().reshape(count, -1).astype(np.float32),
                                  np.asarray(theirs, np.float32).reshape(count, -1))


@pytest.mark.parametrize("narrow", [False, True])
def test_keras_activations_through_both_paths(tmp_path, narrow) -> None:
    inputs = keras.Input((8,), name="x")
    x = keras.layers.Dense(6, name="d1")(inputs)
    x = keras.layers.Activation("hard_sigmoid", name="hs")(x)
    x = keras.layers.Dense(6, name="d2")(x)
    x = keras.layers.ReLU(name="r")(x)  # hls4ml: thresholded_relu, theta 0
    x = keras.layers.Dense(6, name="d3")(x)
    x = keras.layers.LeakyReLU(negative_slope=0.2, name="lr")(x)
    x = keras.layers.Activation("elu", name="el")(x)
    x = keras.layers.PReLU(name="pr")(x)
    x = keras.layers.Dense(4, activation="leaky_relu", name="d4")(x)
    x = keras.layers.Dense(4, name="d5")(x)
    x = keras.layers.Activation("linear", name="lin")(x)  # removed after an 'auto' result, else a cast
    x = keras.layers.Softmax(name="sm")(x)
    model = keras.Model(inputs, x)
    rng = np.random.default_rng(21)
    model.get_layer("pr").set_weights([rng.uniform(-0.5, 1.0, 6).astype(np.float32)])
    for name in ("d1", "d2", "d3", "d4"):
        kernel, bias = model.get_layer(name).get_weights()
        model.get_layer(name).set_weights([kernel * 2, bias + rng.normal(0, 0.5, bias.shape).astype(np.float32)])
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vivado",
                                                  default_precision="fixed<16,6>")
    if narrow:  # rounding, saturating results; a parameter type of the configuration's own
        for name in ("hs", "r", "lr", "el", "pr", "d4_leaky_relu"):
            config["LayerName"][name]["Precision"]["result"] = "fixed<9,3,RND,SAT>"
        config["LayerName"]["lr"]["Precision"]["param"] = "ufixed<4,0,RND>"
        config["LayerName"]["el"]["TableSize"] = 256
        config["LayerName"]["el"]["table_t"] = "fixed<10,2,RND>"
        config["LayerName"]["d5"]["Precision"]["result"] = "fixed<16,6>"
        config["LayerName"]["lin"]["Precision"]["result"] = "fixed<8,3,RND,SAT>"
        config["LayerName"]["sm"]["Implementation"] = "latency"
        config["LayerName"]["sm"]["TableSize"] = 256  # indexed by the 8 bits of lin's type
    else:
        config["LayerName"]["sm"]["Skip"] = True  # hls4ml leaves the softmax out
    for entry in config["LayerName"].values():
        entry["Trace"] = True
    model.save(tmp_path / "model.keras")
    (tmp_path / "config.json").write_text(json.dumps(config, default=list))
    hls_model = hls4ml.converters.convert_from_keras_model(model, hls_config=config, io_type="io_stream",
                                                           output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    images = rng.normal(0, 2.0, (64, 8)).astype(np.float32)
    theirs, traced = hls_model.trace(images)
    for arguments in ([str(tmp_path / "model.keras"), "--hls4ml", str(tmp_path / "config.json"), "--io-type",
                       "io_stream"], ["--hls4ml-project", str(tmp_path / "prj")]):
        sim, network = _imported(tmp_path, *arguments)
        ops = [layer.op for layer in network.layers]
        assert {"hard_sigmoid", "leaky_relu", "elu", "prelu"} <= set(ops)
        assert ("linear" in ops, "softmax" in ops) == (narrow, narrow)
        result = sim.run(images.astype(np.float64))
        _compare(result, network, traced, theirs, 64)
    assert main(["report", "--config", str(tmp_path / "imported" / "net.yaml"), "--json"]) == 0  # every kind costed
    if narrow:  # export-hls runs the user's own inputs (hls4ml's tb_data); its C-sim is bit-exact in every layer
        np.save(tmp_path / "x.npy", images[:3].astype(np.float64))
        assert main(["export-hls", "--config", str(tmp_path / "imported" / "net.yaml"), "--weights",
                     str(tmp_path / "imported" / "weights.npz"), "--input", str(tmp_path / "x.npy"),
                     "--out", str(tmp_path / "exported")]) == 0
        written = np.fromfile(tmp_path / "exported" / "tb_data" / "input.bin", dtype="<i2").reshape(3, 8)
        np.testing.assert_array_equal(written, result.input_raw[:3])
        done = subprocess.run(["sh", str(tmp_path / "exported" / "csim.sh"), str(find_headers())],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0 and "3 of 3 images bit-exact in every layer: PASS" in done.stdout, done.stderr


def test_a_keras_cnn_written_with_io_stream(tmp_path) -> None:
    """The project a Keras CNN with a ``ReLU`` layer gives under ``io_stream``
    (``nnet::thresholded_relu``, ``nnet::array`` layer types): imported, bit for bit."""
    inputs = keras.Input((8, 8, 3), name="x")
    x = keras.layers.Conv2D(4, 3, name="conv")(inputs)
    x = keras.layers.ReLU(name="relu")(x)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    x = keras.layers.Flatten(name="flat")(x)
    x = keras.layers.Dense(5, name="fc")(x)
    model = keras.Model(inputs, x)
    config = hls4ml.utils.config_from_keras_model(model, granularity="name", backend="Vivado")
    for entry in config["LayerName"].values():
        entry["Trace"] = True
    hls_model = hls4ml.converters.convert_from_keras_model(model, hls_config=config, io_type="io_stream",
                                                           output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    assert "nnet::thresholded_relu" in (tmp_path / "prj" / "firmware" / "myproject.cpp").read_text()
    images = np.random.default_rng(24).normal(0, 1.5, (32, 8, 8, 3)).astype(np.float32)
    theirs = hls_model.predict(images)
    sim, network = _imported(tmp_path, "--hls4ml-project", str(tmp_path / "prj"))
    out = sim.run(images.transpose(0, 3, 1, 2).astype(np.float64)).output.values()
    np.testing.assert_array_equal(out.astype(np.float32), np.asarray(theirs, np.float32).reshape(32, 5))


def test_pytorch_activations_through_both_paths(tmp_path) -> None:
    class Block(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(6, 6)

        def forward(self, x):  # a function call inside a module: torch.fx names it leaky_relu
            return torch.nn.functional.leaky_relu(self.fc(x), negative_slope=0.25)

    class Net(torch.nn.Module):
        """Modules in a Sequential (``features_0``), a module's function call and top-level
        ones (``relu``, ``relu_1``): hls4ml's PyTorch front end's names."""

        def __init__(self) -> None:
            super().__init__()
            self.features = torch.nn.Sequential(torch.nn.Linear(8, 6), torch.nn.LeakyReLU(0.1))
            self.blk = Block()
            self.fc2, self.act2 = torch.nn.Linear(6, 6), torch.nn.ELU(0.5)
            self.fc3, self.act3 = torch.nn.Linear(6, 5), torch.nn.PReLU(5)

        def forward(self, x):
            x = torch.relu(self.blk(self.features(x)))
            x = torch.relu(self.act2(self.fc2(x)))
            return self.act3(self.fc3(x))

    torch.manual_seed(22)
    model = Net().eval()
    with torch.no_grad():
        model.act3.weight.uniform_(-0.5, 1.0)
    config = hls4ml.utils.config_from_pytorch_model(model, (8,), granularity="name", backend="Vivado",
                                                    default_precision="fixed<14,5>")
    assert {"features_0", "features_1", "blk_fc", "leaky_relu", "relu", "relu_1"} <= set(config["LayerName"])
    config["LayerName"]["act2"]["Precision"]["result"] = "fixed<10,3,RND_CONV,SAT>"
    config["LayerName"]["relu_1"]["Precision"]["result"] = "ufixed<8,2,RND,SAT>"
    for entry in config["LayerName"].values():
        entry["Trace"] = True
    hls_model = hls4ml.converters.convert_from_pytorch_model(model, hls_config=config, io_type="io_parallel",
                                                             output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    images = np.random.default_rng(23).normal(0, 2.0, (64, 8)).astype(np.float32)
    theirs, traced = hls_model.trace(images)
    torch.onnx.export(model, torch.zeros(1, 8), tmp_path / "model.onnx", dynamo=False)
    (tmp_path / "config.json").write_text(json.dumps({k: v for k, v in config.items() if k != "PytorchModel"},
                                                     default=list))
    for arguments in ([str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "config.json")],
                      ["--hls4ml-project", str(tmp_path / "prj")]):
        sim, network = _imported(tmp_path, *arguments)
        _compare(sim.run(images.astype(np.float64)), network, traced, theirs, 64)


def test_a_parameters_auto_type_is_hls4mls() -> None:
    """``param: auto`` of a leaky ReLU or ELU: the type hls4ml's ``_get_precision_from_constant``
    gives the constant, for constants exact and not exact in binary, small, large, negative."""
    from hls4ml.model.optimizer.passes.infer_precision import _get_precision_from_constant

    from accel.importers.hls4ml_infer import constant_type

    for value in (0.0, 0.1, 0.2, 0.25, 0.3, 1.0, 1.5, -0.5, 3.0, 0.01, 7.0, 100.0, -2.75, 0.001953125, 1e-6):
        theirs = _get_precision_from_constant(value)
        ours = constant_type(value)
        assert (ours.width, ours.integer, ours.signed) == (theirs.width, theirs.integer, theirs.signed), value
