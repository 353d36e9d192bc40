"""``accel tune`` end to end on a small network and its own labelled data: the report, the
held-out check, the tuned network YAML (read back: the chosen types), the hls4ml
configuration with those types, and refusals before any compute."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from accel.cli import main
from accel.config import load_network
from accel.importers.hls4ml_config import read_config
from accel.weights import save_weights, seeded_weights
from layers.core.base import array_types
from tests.accel.tune.test_search import MLP


@pytest.fixture()
def files(tmp_path):
    net = tmp_path / "mlp.yaml"
    net.write_text(yaml.safe_dump(MLP))
    weights = seeded_weights(load_network(net), 3)
    save_weights(weights, tmp_path / "weights.npz")  # beside the network file: the command finds it
    x = np.random.default_rng(4).normal(0, 1, (240, 12))
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.random.default_rng(5).integers(0, 4, 240))
    hls4ml = {"Model": {"Precision": "ap_fixed<16,6>", "ReuseFactor": 1, "Strategy": "Latency"},
              "LayerName": {"fc1": {"Precision": {"weight": "ap_fixed<16,6>"}}, "fc2": {}}}
    (tmp_path / "hls4ml.yml").write_text(yaml.safe_dump(hls4ml))
    return tmp_path


def tune(files, *extra: str) -> list[str]:
    return ["tune", "--config", str(files / "mlp.yaml"), "--input", str(files / "x.npy"), "--labels",
            str(files / "y.npy"), "--images", "120", "--workers", "1", "--results", str(files / "r.jsonl"),
            "--board", "pynq-z2", *extra]


def test_tune_writes_the_chosen_types_and_checks_them_on_held_out_images(files, capsys) -> None:
    out = files / "out"
    assert main(tune(files, "--target", "agreement>=90", "--objective", "lut", "--start", "10", "--json",
                     "--out", str(out), "--hls4ml-config", str(files / "hls4ml.yml"),
                     "--hls4ml-out", str(files / "tuned.yml"))) == 0
    report = json.loads((out / "tune.json").read_text())
    assert report["images"] == {"search": 120, "holdout": 120}
    start, tuned = report["start"], report["tuned"]
    assert start["label"] == "fc1:10 fc2:10" and tuned["cost"] < start["cost"] and tuned["search"] >= 90
    assert tuned["holdout"] is not None and 0 <= tuned["holdout"] <= 100  # measured, reported, not required
    assert all(p["meets"] == (p["value"] >= 90 and p["images"] == 120) for p in report["points"])
    for p in report["points"]:  # every point simulated is recorded with its accuracy, noise and estimate
        assert p["value"] == p["agreement"] and 0 <= p["top1"] <= 100 and set(p["sqnr_db"]) == {"fc1", "fc2"}
        assert p["overflows"] == sum(p["layer_overflows"].values()) and p["LUT"] > 0 and "latency_ms" in p
    assert any(p["pareto"] for p in report["points"]) and (out / "pareto.png").stat().st_size > 1000
    written = load_network(out / "mlp-tuned.yaml")
    widths = {layer.name: array_types(layer)["weight"].width for layer in written.layers}
    assert widths == tuned["widths"]
    assert {layer.name: {a: str(t) for a, t in array_types(layer).items()} for layer in written.layers} == \
        report["types"]
    config = read_config(files / "tuned.yml")  # as accel (and hls4ml) reads it back
    for layer, arrays in report["types"].items():
        precision = config["LayerName"][layer]["Precision"]
        width = tuned["widths"][layer]
        assert precision["weight"].startswith(f"fixed<{width},") and precision["result"].startswith(f"fixed<{width},")
    assert config["Model"] == {"Precision": "ap_fixed<16,6>", "ReuseFactor": 1, "Strategy": "Latency"}


def test_a_rerun_simulates_nothing_again(files, capsys) -> None:
    args = tune(files, "--target", "agreement>=90", "--start", "10", "--json")
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    lines = (files / "r.jsonl").read_text().count("\n")
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert (files / "r.jsonl").read_text().count("\n") == lines and second["path"] == first["path"]


@pytest.mark.parametrize("extra, fragment", [
    (("--target", "accuracy>=90"), "--target 'accuracy>=90': write METRIC>=PERCENT"),
    (("--target", "agreement>=100", "--start", "2", "--min-width", "2"), "below the target: start wider"),
    (("--target", "agreement>=90", "--hls4ml-out", "x.yml"), "--hls4ml-config and --hls4ml-out go together"),
    (("--target", "agreement>=90", "--images", "999"), "--images 999"),
    (("--target", "agreement>=90", "--board", "nosuch"), "unknown device 'nosuch'"),
])
def test_bad_requests_are_refused(files, capsys, extra, fragment) -> None:
    assert main(tune(files, *extra)) == 2
    assert fragment in capsys.readouterr().err


def test_data_options_are_checked_before_any_compute(files, capsys) -> None:
    mlp = str(files / "mlp.yaml")
    assert main(["tune", "--config", mlp, "--target", "agreement>=90"]) == 2  # a vector network, no data given
    assert "give its labelled data with --input X.npy --labels Y.npy" in capsys.readouterr().err
    assert main(["tune", "--config", mlp, "--target", "agreement>=90", "--input", str(files / "x.npy")]) == 2
    assert "--input and --labels go together" in capsys.readouterr().err


def test_array_granularity_sets_weights_and_results_apart(files, capsys) -> None:
    out = files / "arrays"
    assert main(tune(files, "--target", "agreement>=90", "--start", "10", "--granularity", "array", "--json",
                     "--out", str(out))) == 0
    report = json.loads((out / "tune.json").read_text())
    widths = report["tuned"]["widths"]
    assert set(widths) == {"fc1.weight", "fc1.result", "fc2.weight", "fc2.result"}
    written = {layer.name: array_types(layer) for layer in load_network(out / "mlp-tuned.yaml").layers}
    for layer in ("fc1", "fc2"):
        assert written[layer]["weight"].width == written[layer]["bias"].width == widths[f"{layer}.weight"]
        assert written[layer]["result"].width == widths[f"{layer}.result"]
    assert report["tuned"]["cost"] < report["start"]["cost"] and report["tuned"]["search"] >= 90
