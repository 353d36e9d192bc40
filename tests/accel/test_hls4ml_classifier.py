"""hls4ml 1.3.0 as the peer on the layers it has beyond conv/dense/ReLU/max-pool: a PyTorch
classifier with batch normalization, average pooling, sigmoid and softmax, converted by
hls4ml with its own configurations (model-level and per-name precision) and compiled; the
import of the exported ONNX model and of hls4ml's project simulated bit for bit against
its C-simulation.
"""

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
pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed: hls4ml cannot compile")


class Classifier(torch.nn.Module):
    """The layers hls4ml has beyond conv/dense/ReLU/max-pool: batch normalization (kept, not
    fused, under a model-level precision), average pooling, sigmoid and softmax."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 4, 3)
        self.bn1 = torch.nn.BatchNorm2d(4)
        self.act1 = torch.nn.ReLU()
        self.pool1 = torch.nn.AvgPool2d(2)
        self.flat = torch.nn.Flatten()
        self.fc1 = torch.nn.Linear(36, 8)
        self.sig = torch.nn.Sigmoid()
        self.fc2 = torch.nn.Linear(8, 5)
        self.prob = torch.nn.Softmax(dim=-1)

    def forward(self, x):
        x = self.flat(self.pool1(self.act1(self.bn1(self.conv1(x)))))
        return self.prob(self.fc2(self.sig(self.fc1(x))))


@pytest.mark.parametrize("granularity", ["model", "name"])
def test_an_imported_classifier_is_hls4mls_csim_bit_for_bit(tmp_path, granularity) -> None:
    """``accel import MODEL.onnx --hls4ml CONFIG`` on hls4ml's own configuration: a model-level
    precision, and the per-name one ``config_from_pytorch_model`` writes (every result ``auto``,
    the batch normalization then fused into the conv, in float32, as hls4ml fuses it)."""
    torch.manual_seed(3)
    model = Classifier().eval()
    with torch.no_grad():  # statistics that are not the identity
        model.bn1.running_mean.uniform_(-0.5, 0.5)
        model.bn1.running_var.uniform_(0.5, 2.0)
        model.bn1.weight.uniform_(0.5, 1.5)
        model.bn1.bias.uniform_(-0.3, 0.3)
        model.fc2.weight.mul_(4.0)  # logits apart: probabilities spread over the softmax tables
    config = hls4ml.utils.config_from_pytorch_model(model, (3, 8, 8), granularity=granularity,
                                                    default_precision="fixed<16,6>")
    if granularity == "name":
        for name in ("fc1", "sig", "fc2"):
            config["LayerName"][name]["Trace"] = True
    hls_model = hls4ml.converters.convert_from_pytorch_model(model, hls_config=config, io_type="io_stream",
                                                             output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    images = np.random.default_rng(4).normal(0, 1.5, (64, 3, 8, 8)).astype(np.float32)
    theirs = np.asarray(hls_model.predict(np.ascontiguousarray(images)), dtype=np.float64).reshape(64, 5)

    # no constant folding: the BatchNorm stays a node; the import fuses it where hls4ml does (result 'auto')
    torch.onnx.export(model, torch.zeros(1, 3, 8, 8), tmp_path / "model.onnx", dynamo=False, do_constant_folding=False)
    saved = {key: value for key, value in config.items() if key != "PytorchModel"}
    (tmp_path / "config.json").write_text(json.dumps(saved, default=list))
    assert main(["import", str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "config.json"),
                 "--io-type", "io_stream", "--out", str(tmp_path / "imported")]) == 0
    imported = load_network(tmp_path / "imported" / "net.yaml")
    assert ("batchnorm" in [layer.op for layer in imported.layers]) == (granularity == "model")
    sim = Simulator(imported, load_weights(imported, tmp_path / "imported" / "weights.npz")).run(images.astype(np.float64))
    np.testing.assert_array_equal(sim.output.values(), theirs)
    project = Simulator(imported_project := load_network(_project(tmp_path)), load_weights(
        imported_project, tmp_path / "from_project" / "weights.npz")).run(images.astype(np.float64))
    np.testing.assert_array_equal(project.output.values(), theirs)
    if granularity == "model":
        assert len(np.unique(theirs)) > 20  # a classifier's probabilities, not a saturated constant
    else:  # the inferred <60,30> logits index the softmax tables by their top bits: every output 1/5,
        assert np.all(theirs == theirs[0, 0])  # in hls4ml as here; so compare the layers before it
        _, traced = hls_model.trace(np.ascontiguousarray(images))
        for name in ("fc1", "sig", "fc2"):
            np.testing.assert_array_equal(sim[name].values(), np.asarray(traced[name], np.float64).reshape(64, -1))


def _project(tmp_path):
    """``accel import --hls4ml-project tmp_path/prj``: the path of the net.yaml written."""
    assert main(["import", "--hls4ml-project", str(tmp_path / "prj"), "--out", str(tmp_path / "from_project")]) == 0
    return tmp_path / "from_project" / "net.yaml"
