"""``accel tune`` on a model imported with its hls4ml configuration: the chosen widths
written into that configuration, and hls4ml itself reading it back — its layers get
exactly the tuned types."""

from __future__ import annotations

import json
import shutil

import pytest

from accel.cli import main

from tests.accel.test_hls4ml_peer import Net

hls4ml = pytest.importorskip("hls4ml", reason="hls4ml is in the test extra: pip install -e '.[test]'")
torch = pytest.importorskip("torch", reason="torch is in the test extra")
pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed: hls4ml cannot compile")


def test_tuned_types_go_back_into_the_hls4ml_configuration_hls4ml_reads(tmp_path) -> None:
    torch.manual_seed(3)
    model = Net(size=32, classes=10).eval()
    config = hls4ml.utils.config_from_pytorch_model(model, (3, 32, 32), granularity="name",
                                                    default_precision="fixed<16,6>")
    (tmp_path / "config.json").write_text(json.dumps({k: v for k, v in config.items() if k != "PytorchModel"},
                                                     default=list))
    torch.onnx.export(model, torch.zeros(1, 3, 32, 32), tmp_path / "model.onnx", dynamo=False)
    assert main(["import", str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "config.json"),
                 "--mean", "0.4914,0.4822,0.4465", "--std", "0.2470,0.2435,0.2616", "--out", str(tmp_path / "net")]) == 0
    assert main(["tune", "--config", str(tmp_path / "net" / "net.yaml"), "--target", "agreement>=95",
                 "--start", "12", "--images", "60", "--holdout", "60", "--workers", "1", "--json",
                 "--out", str(tmp_path / "tuned"), "--hls4ml-config", str(tmp_path / "config.json"),
                 "--hls4ml-out", str(tmp_path / "tuned.json")]) == 0
    report = json.loads((tmp_path / "tuned" / "tune.json").read_text())
    assert report["tuned"]["search"] >= 95 and report["tuned"]["cost"] < report["start"]["cost"]
    tuned = json.loads((tmp_path / "tuned.json").read_text())
    tuned["InputShape"] = tuple(tuned["InputShape"])  # JSON has no tuples; hls4ml tells one shape by its type
    hls_model = hls4ml.converters.convert_from_pytorch_model(model.float(), hls_config=tuned, io_type="io_stream",
                                                             output_dir=str(tmp_path / "prj"), backend="Vivado")
    for layer, arrays in report["types"].items():
        got = hls_model.graph[layer].get_output_variable().type.precision
        want = arrays["result"]  # e.g. ap_fixed<9,5,AP_RND,AP_SAT>
        width, integer = (int(v) for v in want.split("<")[1].split(">")[0].split(",")[:2])
        assert (got.width, got.integer) == (width, integer), (layer, want)
        assert width == report["tuned"]["widths"][layer]
