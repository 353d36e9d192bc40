"""``Strategy: Resource`` against hls4ml 1.3.0's C-simulation: its kernels add a layer's
products at stride ``ReuseFactor`` (``dense_resource``, ``conv_2d_resource_cl``, read from
its source), which a saturating or rounding accumulator makes visible; both import paths
simulate that order bit for bit, for reuse factors 2-8, ``io_parallel`` and ``io_stream``.
A reuse factor hls4ml does not allow is rounded as hls4ml rounds it, and said."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from accel.cli import main
from accel.config import load_network
from accel.simulator import Simulator
from accel.weights import load_weights

from tests.accel.test_hls4ml_peer import Net as PeerNet, imported

hls4ml = pytest.importorskip("hls4ml", reason="hls4ml is in the test extra: pip install -e '.[test]'")
torch = pytest.importorskip("torch", reason="torch is in the test extra")
pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed: hls4ml cannot compile")


class Net(torch.nn.Module):
    """conv 3x3 (27 products per output) -> ReLU -> flatten -> dense 64 -> 12 -> dense 12 -> 5."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 4, 3)
        self.relu1 = torch.nn.ReLU()
        self.flat = torch.nn.Flatten()
        self.fc1 = torch.nn.Linear(64, 12)
        self.relu2 = torch.nn.ReLU()
        self.fc2 = torch.nn.Linear(12, 5)

    def forward(self, x):
        return self.fc2(self.relu2(self.fc1(self.flat(self.relu1(self.conv1(x))))))


def _simulated(tmp_path, *arguments: str) -> tuple[Simulator, "object"]:
    out = tmp_path / "imported"
    shutil.rmtree(out, ignore_errors=True)
    assert main(["import", *arguments, "--out", str(out)]) == 0
    network = load_network(out / "net.yaml")
    return Simulator(network, load_weights(network, out / "weights.npz")), network


@pytest.mark.parametrize("io_type, reuse, accum", [
    ("io_stream", {"conv1": 9, "fc1": 4, "fc2": 3}, "fixed<9,3,TRN,SAT>"),
    ("io_parallel", {"conv1": 3, "fc1": 8, "fc2": 2}, "fixed<9,3,RND,SAT>"),
    ("io_stream", {"conv1": 27, "fc1": 7, "fc2": 24}, "fixed<8,2,RND_CONV,SAT_SYM>"),  # 27: one product a step
])
def test_resource_sums_in_hls4mls_order(tmp_path, io_type, reuse, accum) -> None:
    torch.manual_seed(11)
    model = Net().eval()
    with torch.no_grad():
        for layer in (model.conv1, model.fc1, model.fc2):
            layer.weight.mul_(3.0)  # sums that leave the accumulator's range, and come back
    config = hls4ml.utils.config_from_pytorch_model(model, (3, 6, 6), granularity="name", backend="Vivado",
                                                    default_precision="fixed<14,5>")
    config["Model"]["Strategy"] = "Resource"
    for name, rf in reuse.items():
        config["LayerName"][name]["ReuseFactor"] = rf
        config["LayerName"][name]["Precision"].update(accum=accum, result="fixed<12,4,RND,SAT>")
    for entry in config["LayerName"].values():
        entry["Trace"] = True
    hls_model = hls4ml.converters.convert_from_pytorch_model(model, hls_config=config, io_type=io_type,
                                                             output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    images = np.random.default_rng(12).normal(0, 2.0, (48, 3, 6, 6)).astype(np.float32)
    theirs, traced = hls_model.trace(np.ascontiguousarray(images))
    torch.onnx.export(model, torch.zeros(1, 3, 6, 6), tmp_path / "model.onnx", dynamo=False)
    (tmp_path / "config.json").write_text(json.dumps({k: v for k, v in config.items() if k != "PytorchModel"},
                                                     default=list))
    for arguments in ([str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "config.json"), "--io-type", io_type],
                      ["--hls4ml-project", str(tmp_path / "prj")]):
        simulator, network = _simulated(tmp_path, *arguments)
        sim = simulator.run(images.astype(np.float64))
        for name in ("conv1", "fc1", "fc2"):
            layer = network.layer(name)
            assert layer.hls4ml.strategy.value == "resource"
            expected = np.asarray(traced[name], np.float64).reshape(48, -1)
            ours = sim[name].values()
            ours = ours.transpose(0, 2, 3, 1).reshape(48, -1) if ours.ndim == 4 else ours  # hls4ml: channels-last
            np.testing.assert_array_equal(ours, expected, err_msg=f"{arguments[-1]}: {name}")
        assert sim["fc1"].stats.accumulation.overflows > 0  # the accumulator saturated: the order mattered
        np.testing.assert_array_equal(sim.output.values(), np.asarray(theirs, np.float64).reshape(48, 5))
    if reuse["fc1"] == 7:  # 7 does not divide 64 x 12: hls4ml takes 8, says so; so does the import
        with pytest.warns(UserWarning, match="'fc1': ReuseFactor 7 is not valid for 64 x 12 products; hls4ml uses 8"):
            _simulated(tmp_path, str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "config.json"))
        assert network.layer("fc1").hls4ml.reuse_factor == 8


def test_strategy_resource_with_a_wrapping_accumulator(tmp_path, capsys) -> None:
    """``Strategy: Resource`` stores dense weights transposed and sums the inputs in another
    order; a wrapping accumulator makes the order irrelevant: both imports are exact. With a
    saturating one the order shows: the import simulates it, and ``export-hls``, whose C++
    writer has no interleaved loop, refuses naming the layer."""
    torch.manual_seed(5)
    model = PeerNet().eval()  # the peer test's network: conv, ReLU, max-pool, dense
    config = hls4ml.utils.config_from_pytorch_model(model, (3, 8, 8), granularity="name",
                                                    default_precision="fixed<12,4>")
    config["Model"]["Strategy"], config["Model"]["ReuseFactor"] = "Resource", 3
    config["LayerName"]["conv1"]["Precision"]["accum"] = "fixed<10,2>"  # it wraps, often
    config["LayerName"]["fc1"]["Precision"]["accum"] = "fixed<10,2>"
    hls_model = hls4ml.converters.convert_from_pytorch_model(model, hls_config=config, io_type="io_stream",
                                                             output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    images = np.random.default_rng(6).normal(0, 1.5, (64, 3, 8, 8)).astype(np.float32)
    theirs = np.asarray(hls_model.predict(np.ascontiguousarray(images)), dtype=np.float64).reshape(64, 5)
    torch.onnx.export(model, torch.zeros(1, 3, 8, 8), tmp_path / "model.onnx", dynamo=False)
    saved = {key: value for key, value in config.items() if key != "PytorchModel"}
    (tmp_path / "config.json").write_text(json.dumps(saved, default=list))
    for arguments in ([str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "config.json"), "--io-type",
                       "io_stream"], ["--hls4ml-project", str(tmp_path / "prj")]):
        sim = imported(tmp_path, *arguments).run(images.astype(np.float64))
        np.testing.assert_array_equal(sim.output.values(), theirs)
    assert sim["conv1"].stats.accumulation.overflows > 0  # the accumulator did wrap

    config["LayerName"]["fc1"]["Precision"]["accum"] = "fixed<10,2,TRN,SAT>"
    saved = {key: value for key, value in config.items() if key != "PytorchModel"}
    (tmp_path / "config.json").write_text(json.dumps(saved, default=list))
    assert main(["import", str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "config.json"), "--io-type",
                 "io_stream", "--out", str(tmp_path / "saturating")]) == 0  # simulated in hls4ml's order (see
    capsys.readouterr()                                                    # above)
    assert main(["export-hls", "--config", str(tmp_path / "saturating" / "net.yaml"), "--weights",
                 str(tmp_path / "saturating" / "weights.npz"), "--out", str(tmp_path / "refused")]) == 2
    assert "layer 'fc1': hls4ml's Strategy Resource adds the products at stride 3" in capsys.readouterr().err
    assert not (tmp_path / "refused").exists()
