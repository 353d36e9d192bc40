"""What a user reads off a command and copies on is what was simulated: the typedefs
``accel sweep --auto-int`` prints, the hls4ml configuration it writes, and the
preprocessing ``accel run`` applies to images — each failed silently before."""

from __future__ import annotations

import json

import numpy as np
import pytest

from accel.cifar import load_sample
from accel.cli import main
from accel.config import load_network
from accel.shipped import trained_weights
from accel.simulator import Simulator
from accel.weights import load_weights
from quant import FixedType, Overflow, Rounding

from .test_bad_input import layer, network_file

SWEEP = ["sweep", "--width", "8,10", "--auto-int", "--images", "10", "--workers", "1", "--json"]


def test_auto_int_typedefs_are_the_full_types_simulated(tmp_path, capsys) -> None:
    """Each typedef keeps its array's signedness, rounding and overflow modes from the file
    (before: ``ap_fixed<W,I>``, which C++ reads as AP_TRN, AP_WRAP)."""
    def modes(data):
        layer(data, "conv1")["types"] = {"weight": "ap_fixed<16,4,AP_RND_CONV,AP_SAT_SYM>"}
        layer(data, "conv2")["types"] = {"weight": "ap_fixed<16,4>"}
    path = network_file(tmp_path, modes)
    assert main([*SWEEP, "--config", path, "--results", str(tmp_path / "r.jsonl")]) == 0
    rows = {(r["layer"], r["array"]): r for r in json.loads(capsys.readouterr().out)["ranges"]}
    expected = {("conv1", "weight"): (Rounding.RND_CONV, Overflow.SAT_SYM),
                ("conv2", "weight"): (Rounding.TRN, Overflow.WRAP),
                ("conv1", "result"): (Rounding.RND, Overflow.SAT),  # the shipped defaults
                ("input", "result"): (Rounding.RND, Overflow.SAT)}
    for (name, array), (rounding, overflow) in expected.items():
        row = rows[(name, array)]
        for width, typedef in zip((8, 10), row["typedefs"]):
            assert typedef.startswith("typedef ") and typedef.endswith(f" {name}_{array}_t;")
            t = FixedType.parse(typedef.split()[1])
            assert (t.width, t.integer, t.rounding, t.overflow) == (width, row["integer_bits"], rounding, overflow)
    assert rows[("conv2", "weight")]["typedefs"][0].startswith("typedef ap_fixed<8,")


def test_an_hls4ml_configuration_of_another_network_is_refused(tmp_path, capsys) -> None:
    """The bits are written by layer name: without the network the configuration belongs
    to, alexnet32's bits landed on the user's 'conv1' and 'fc1' and the command succeeded."""
    config = {"Model": {"Precision": "fixed<16,6>", "ReuseFactor": 1, "Strategy": "Latency"},
              "LayerName": {"input_1": {"Precision": {"result": "fixed<16,6>"}},
                            "conv1": {"Precision": {"weight": "fixed<16,6>"}},
                            "fc1": {"Precision": {"weight": "fixed<16,6>"}}}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    tuned = tmp_path / "tuned.json"
    options = ["--hls4ml-config", str(tmp_path / "config.json"), "--hls4ml-out", str(tuned),
               "--results", str(tmp_path / "r.jsonl")]
    assert main([*SWEEP, *options]) == 2
    assert "give --config, the network imported with it" in capsys.readouterr().err
    assert main([*SWEEP, "--config", "alexnet32", *options]) == 2
    err = capsys.readouterr().err
    assert "no entry in LayerName for ['lrn1', 'conv2'" in err and "belongs to another network" in err
    assert not tuned.exists()


def _classified(path: str, capsys) -> tuple[dict, str]:
    assert main(["run", "--config", path, "--images", "60", "--json"]) == 0
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def test_run_preprocesses_images_as_the_network_file_says(tmp_path, capsys) -> None:
    """A network's preprocessing is its own: ``input: preprocess`` (before, every network
    got alexnet32's CIFAR statistics, whatever it was trained with)."""
    path = network_file(tmp_path, lambda d: d["input"].update(preprocess={"mean": [0.5], "std": [0.5]}))
    data, err = _classified(path, capsys)
    assert data["preprocess"].startswith("(pixel/255 - [0.5]) / [0.5]") and "no input preprocessing" not in err
    network = load_network(path)
    weights = load_weights(network, trained_weights("alexnet32"))
    pixels = load_sample().images[:60]
    inputs = (pixels.astype(np.float64) / 255 - 0.5) / 0.5  # written out here, not by accel
    predicted = Simulator(network, weights).run(inputs).output.values().argmax(axis=1)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (load_sample().labels[:60], predicted), 1)
    assert data["confusion_fixed"] == confusion.tolist()
    shipped, _ = _classified("alexnet32", capsys)
    assert shipped["confusion_fixed"] != data["confusion_fixed"]  # the statistics do change the result


def test_a_network_that_states_no_preprocessing_is_warned_about(tmp_path, capsys) -> None:
    path = network_file(tmp_path, lambda d: (d["input"].pop("preprocess"), d.update(name="mynet")))
    data, err = _classified(path, capsys)
    assert "states no input preprocessing, so image pixels are fed as pixel/255" in err
    assert data["preprocess"] == "(pixel/255 - [0]) / [1] (not stated by the network file)"


@pytest.mark.parametrize("preprocess, fragment", [
    ({"mean": [0.5, 0.5], "std": [0.5]}, "'mean' has 2 entries; the input has 3 channels"),
    ({"mean": [0.5], "std": [0.0]}, "'std' must be above 0"),
    ({"mean": [0.5]}, "missing field 'std'"),
    ({"mean": [0.5], "std": [1], "scale": 2}, "unknown field"),
])
def test_bad_preprocessing_names_the_field(tmp_path, capsys, preprocess, fragment) -> None:
    path = network_file(tmp_path, lambda d: d["input"].update(preprocess=preprocess))
    assert main(["run", "--config", path, "--images", "10"]) == 2
    err = capsys.readouterr().err
    assert "input: preprocess" in err and fragment in err
