"""hls4ml's ONNX front end as the peer: a model cleaned by qonnx as hls4ml's documentation
prescribes, configured by ``config_from_onnx_model`` (layer names ``Conv_0``, ``MatMul_0``,
``Add_0``, constants ``Conv_0_param0``), converted and compiled. ``accel import MODEL.onnx
--hls4ml CONFIG`` takes that configuration with the model as exported or as cleaned, and
``--hls4ml-project`` the project: all bit for bit with hls4ml's C-simulation."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from accel.cli import main
from accel.config import load_network
from accel.simulator import Simulator
from accel.weights import load_weights

hls4ml = pytest.importorskip("hls4ml", reason="hls4ml is in the test extra: pip install -e '.[test]'")
torch = pytest.importorskip("torch", reason="torch is in the test extra")
pytest.importorskip("qonnx", reason="qonnx is in the test extra (hls4ml's ONNX front end needs it)")
pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed: hls4ml cannot compile")


class Net(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.relu1, self.pool = torch.nn.Conv2d(3, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2)
        self.flat, self.fc1, self.relu2, self.fc2 = torch.nn.Flatten(), torch.nn.Linear(36, 10), torch.nn.ReLU(), \
            torch.nn.Linear(10, 5)

    def forward(self, x):
        return self.fc2(self.relu2(self.fc1(self.flat(self.pool(self.relu1(self.conv1(x)))))))


def _cleaned(path):
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.transformation.channels_last import ConvertToChannelsLastAndClean
    from qonnx.transformation.gemm_to_matmul import GemmToMatMul
    from qonnx.util.cleanup import cleanup_model

    model = cleanup_model(ModelWrapper(str(path)))
    model = model.transform(ConvertToChannelsLastAndClean())
    return cleanup_model(model.transform(GemmToMatMul()))


def _outputs(tmp_path, images, *arguments):
    out = tmp_path / "imported"
    shutil.rmtree(out, ignore_errors=True)
    assert main(["import", *arguments, "--out", str(out)]) == 0
    network = load_network(out / "net.yaml")
    return Simulator(network, load_weights(network, out / "weights.npz")).run(images.astype(np.float64)), network


@pytest.mark.parametrize("io_type", ["io_parallel", "io_stream"])
def test_an_onnx_configuration_through_both_paths(tmp_path, io_type) -> None:
    torch.manual_seed(31)
    torch.onnx.export(Net().eval(), torch.zeros(1, 3, 8, 8), tmp_path / "model.onnx", dynamo=False)
    cleaned = _cleaned(tmp_path / "model.onnx")
    cleaned.save(str(tmp_path / "cleaned.onnx"))
    config = hls4ml.utils.config_from_onnx_model(cleaned, granularity="name", backend="Vivado",
                                                 default_precision="fixed<12,4>")
    assert {"global_in", "Conv_0", "MatMul_0", "Add_0", "Conv_0_param0"} <= set(config["LayerName"])
    config["LayerName"]["Conv_0"]["Precision"]["accum"] = "fixed<10,3,RND,SAT>"  # the window order shows
    config["LayerName"]["MatMul_0"]["Precision"]["accum"] = "fixed<9,3,TRN,SAT>"
    for entry in config["LayerName"].values():
        entry["Trace"] = True
    (tmp_path / "config.json").write_text(json.dumps(config, default=str))
    hls_model = hls4ml.converters.convert_from_onnx_model(cleaned, hls_config=config, io_type=io_type,
                                                          output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    images = np.random.default_rng(32).normal(0, 2.0, (32, 3, 8, 8)).astype(np.float32)
    theirs, traced = hls_model.trace(np.ascontiguousarray(images))
    for arguments in ([str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "config.json"), "--io-type", io_type],
                      [str(tmp_path / "cleaned.onnx"), "--hls4ml", str(tmp_path / "config.json"), "--io-type", io_type],
                      ["--hls4ml-project", str(tmp_path / "prj")]):
        sim, network = _outputs(tmp_path, images, *arguments)
        np.testing.assert_array_equal(sim.output.values(), np.asarray(theirs, np.float64).reshape(32, 5))
        ours = sim[network.layers[0].name].values().transpose(0, 2, 3, 1).reshape(32, -1)
        np.testing.assert_array_equal(ours.astype(np.float32),
                                      np.asarray(traced["Conv2D_Conv_0"], np.float32).reshape(32, -1))
        assert sim[network.layers[0].name].stats.accumulation.overflows > 0  # the saturating order mattered

    # the names a written project's configuration has (hls4ml's renames) read the same
    renamed = dict(config, LayerName={{"Conv_0": "Conv2D_Conv_0", "MatMul_0": "Dense_MatMul_0"}.get(k, k): v
                                      for k, v in config["LayerName"].items()})
    (tmp_path / "renamed.json").write_text(json.dumps(renamed, default=str))
    sim, _ = _outputs(tmp_path, images, str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "renamed.json"),
                      "--io-type", io_type)
    np.testing.assert_array_equal(sim.output.values(), np.asarray(theirs, np.float64).reshape(32, 5))


def test_a_bias_hls4ml_keeps_apart_is_refused_naming_it(tmp_path, capsys) -> None:
    torch.onnx.export(Net().eval(), torch.zeros(1, 3, 8, 8), tmp_path / "model.onnx", dynamo=False)
    config = hls4ml.utils.config_from_onnx_model(_cleaned(tmp_path / "model.onnx"), granularity="name",
                                                 backend="Vivado")
    config["LayerName"]["MatMul_0"]["Precision"]["result"] = "fixed<16,6>"
    (tmp_path / "config.json").write_text(json.dumps(config, default=str))
    assert main(["import", str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "config.json"),
                 "--out", str(tmp_path / "refused")]) == 2
    err = capsys.readouterr().err
    assert "LayerName 'Add_0'" in err and "bn_Add_0, an ApplyAlpha after MatMul_0" in err
    assert not (tmp_path / "refused").exists()
