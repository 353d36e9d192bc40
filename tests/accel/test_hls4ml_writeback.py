"""``accel sweep --hls4ml-config C --hls4ml-out T``: the types a sweep chose written back
into the user's hls4ml configuration (``importers/hls4ml_writeback``), and hls4ml itself
reading T back: its layers get exactly those types."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from accel.cli import main

from tests.accel.test_hls4ml_peer import Net

hls4ml = pytest.importorskip("hls4ml", reason="hls4ml is in the test extra: pip install -e '.[test]'")
torch = pytest.importorskip("torch", reason="torch is in the test extra")
pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed: hls4ml cannot compile")


def test_auto_int_is_written_back_into_the_hls4ml_configuration(tmp_path) -> None:
    """``accel sweep --auto-int --hls4ml-config C --hls4ml-out N``: N is C with the integer
    bits the float ranges need (+ headroom), widths and modes kept; hls4ml itself reads N
    and gives its layers those types. The expected bits come from PyTorch's own forward."""
    from accel.cifar import load_sample, normalize

    torch.manual_seed(9)
    model = Net(size=32, classes=10).eval()
    config = hls4ml.utils.config_from_pytorch_model(model, (3, 32, 32), granularity="name",
                                                    default_precision="fixed<16,6>")
    config["LayerName"]["fc1"]["Precision"]["result"] = "fixed<12,8,RND,SAT>"
    saved = {key: value for key, value in config.items() if key != "PytorchModel"}
    (tmp_path / "config.json").write_text(json.dumps(saved, default=list))
    torch.onnx.export(model, torch.zeros(1, 3, 32, 32), tmp_path / "model.onnx", dynamo=False)
    assert main(["import", str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "config.json"),
                 "--mean", "0.4914,0.4822,0.4465", "--std", "0.2470,0.2435,0.2616", "--out", str(tmp_path / "net")]) == 0
    assert main(["sweep", "--config", str(tmp_path / "net" / "net.yaml"), "--weights",
                 str(tmp_path / "net" / "weights.npz"), "--width", "16", "--auto-int", "--headroom", "1",
                 "--images", "20", "--workers", "1", "--hls4ml-config", str(tmp_path / "config.json"),
                 "--hls4ml-out", str(tmp_path / "tuned.json"), "--out", str(tmp_path / "sweep")]) == 0
    tuned = json.loads((tmp_path / "tuned.json").read_text())

    images = torch.tensor(normalize(load_sample().images[:200]), dtype=torch.float64)
    with torch.no_grad():
        conv = model.double().conv1(images).abs().max().item()
        fc = model(images).abs().max().item()
    def bits(peak: float) -> int:  # the smallest I with peak < 2^(I-1), plus the headroom
        return int(np.floor(np.log2(peak))) + 2 + 1
    assert tuned["LayerName"]["conv1"]["Precision"]["result"] == f"fixed<38,{bits(conv)}>"  # width of 'auto': 38
    assert tuned["LayerName"]["fc1"]["Precision"]["result"] == f"fixed<12,{bits(fc)},RND,SAT>"  # modes kept
    assert tuned["LayerName"]["x"]["Precision"]["result"] == f"fixed<16,{bits(images.abs().max().item())}>"

    tuned["InputShape"] = tuple(tuned["InputShape"])  # JSON has no tuples; hls4ml tells one shape by its type
    hls_model = hls4ml.converters.convert_from_pytorch_model(model.float(), hls_config=tuned, io_type="io_stream",
                                                             output_dir=str(tmp_path / "prj"), backend="Vivado")
    precision = hls_model.graph["fc1"].get_output_variable().type.precision
    assert (precision.width, precision.integer) == (12, bits(fc))
