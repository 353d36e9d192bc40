"""Networks that are graphs: a layer names its inputs (default the layer before it), so a
file can hold skip connections (``add``) and branches (``concatenate``). Validated before
any compute; simulated, referenced in float, tested layer by layer, estimated and exported
along the wiring."""

from __future__ import annotations

import copy
import json
import subprocess

import numpy as np
import pytest

from accel.cli import main
from accel.config import ConfigError, network_from_dict
from accel.simulator import Simulator, simulate_float
from accel.testbench import run_testbench
from accel.weights import seeded_weights
from layers import Add

T16 = "ap_fixed<16,6>"
RESIDUAL = {
    "name": "residual",
    "input": {"shape": [3, 8, 8], "type": T16},
    "defaults": {"types": {"weight": T16, "bias": T16, "accum": "ap_fixed<32,12>", "result": T16}},
    "layers": [
        {"name": "conv1", "op": "conv", "out_channels": 4, "kernel": 3, "padding": 1, "relu": True},
        {"name": "conv2", "op": "conv", "out_channels": 4, "kernel": 3, "padding": 1},
        {"name": "skip", "op": "add", "inputs": ["conv2", "conv1"], "types": {"result": "ap_fixed<10,3,AP_RND,AP_SAT>"}},
        {"name": "act", "op": "relu"},
        {"name": "branch", "op": "conv", "out_channels": 2, "kernel": 1, "inputs": "conv1"},
        {"name": "cat", "op": "concatenate", "inputs": ["act", "branch"]},
        {"name": "pool", "op": "maxpool", "kernel": 2, "stride": 2},
        {"name": "flat", "op": "flatten"},
        {"name": "fc", "op": "dense", "out_features": 5},
    ],
}


def residual(change=None) -> dict:
    data = copy.deepcopy(RESIDUAL)
    if change:
        change(data)
    return data


def test_the_wiring_gives_shapes_types_and_a_chain_stays_a_chain() -> None:
    net = network_from_dict(residual(), "residual.yaml")
    assert not net.is_chain and net.sources(2) == ("conv2", "conv1") and net.sources(3) == ("skip",)
    shapes = {layer.name: (inp, out) for layer, inp, out in net.shapes()}
    assert shapes["skip"] == (((4, 8, 8), (4, 8, 8)), (4, 8, 8)) and shapes["cat"][1] == (6, 8, 8)
    assert shapes["branch"][0] == (4, 8, 8) and net.output_shape == (5,)
    chain = network_from_dict(residual(lambda d: d.update(layers=d["layers"][:2])), "chain.yaml")
    assert chain.is_chain and chain.wiring == ()


def test_simulation_follows_the_wiring(rng) -> None:
    net = network_from_dict(residual(), "residual.yaml")
    weights = seeded_weights(net, 3)
    images = rng.normal(0, 1, (4, 3, 8, 8))
    sim = Simulator(net, weights).run(images, batch_size=3)
    skip = net.layer("skip")
    by_hand = skip.run_fixed((sim["conv2"].raw, sim["conv1"].raw), (sim["conv2"].type, sim["conv1"].type), {})
    np.testing.assert_array_equal(sim["skip"].raw, by_hand.raw)
    assert sim["skip"].stats.result.overflows > 0  # the narrow result saturates
    np.testing.assert_array_equal(sim["cat"].values(), np.concatenate([sim["act"].values(), sim["branch"].values()], 1))
    ref = simulate_float(net, weights, images)
    np.testing.assert_allclose(ref["skip"], ref["conv2"] + ref["conv1"])
    np.testing.assert_allclose(ref["cat"], np.concatenate([np.maximum(ref["skip"], 0), ref["branch"]], axis=1))
    golden = {"input": images, **ref}  # the testbench feeds each layer its inputs' golden outputs
    checks = {c.layer: c for c in run_testbench(net, weights, golden, "isolated")}
    assert set(checks) == {layer.name for layer in net.layers}
    assert checks["branch"].max_abs_error < 0.01  # fed conv1's golden output, not act's (the layer before it)


@pytest.mark.parametrize("change, fragment", [
    (lambda d: d["layers"][2].update(inputs=["conv2", "conv9"]),
     "layer 'skip': field 'inputs': no layer 'conv9' before this one"),
    (lambda d: d["layers"][2].update(inputs=["conv2", "act"]), "no layer 'act' before this one"),  # a cycle
    (lambda d: d["layers"][2].update(inputs=["conv2", "conv2"]), "names a tensor twice"),
    (lambda d: d["layers"][2].update(inputs=["conv2"]), "layer 'skip' (add): field 'inputs': a add takes 2 tensor(s)"),
    (lambda d: d["layers"][3].update(inputs=["skip", "conv1"]), "layer 'act' (relu): field 'inputs': a relu takes 1"),
    (lambda d: d["layers"][4].update(inputs="skip"), "layer 'conv1'"),  # conv1 read by skip only: fine; see below
    (lambda d: d["layers"][2].update(inputs=["conv2", "input"]), "its inputs have shapes (4, 8, 8) and (3, 8, 8)"),
    (lambda d: d["layers"][5].update(inputs=["act", "fc0"]), "no layer 'fc0'"),
    (lambda d: d["layers"][4].update(inputs=3), "field 'inputs' must be a layer name or a list of them"),
    (lambda d: d["layers"][1].update(name="input"), "the name is used twice (it is the network input's)"),
])
def test_bad_wiring_names_the_file_layer_and_field(change, fragment) -> None:
    data = residual(change)
    if data["layers"][4].get("inputs") == "skip":  # branch off the skip: nothing reads conv1 but skip, still valid
        network_from_dict(data, "residual.yaml")
        data["layers"].insert(4, {"name": "dead", "op": "relu", "inputs": "conv2"})
        fragment = "layer 'dead': its output is used by no layer"
    with pytest.raises(ConfigError, match="residual.yaml") as err:
        network_from_dict(data, "residual.yaml")
    assert fragment in str(err.value)


def test_commands_on_a_graph(tmp_path, capsys) -> None:
    """run, report, export-vectors of a layer off the main path, and export-hls whose C-sim
    (g++, the real headers) is bit-exact in every layer, merges included."""
    import yaml

    from tests.oracle.ap_oracle import find_headers

    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump(residual()))
    assert main(["run", "--config", str(path), "--batch", "4", "--json"]) == 0
    run = {row["name"]: row for row in json.loads(capsys.readouterr().out)["layers"]}
    assert run["skip"]["inputs"] == ["conv2", "conv1"] and run["branch"]["inputs"] == ["conv1"]
    assert main(["report", "--config", str(path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["layers"]["skip"]["DSP"] == 0 and report["layers"]["cat"]["inputs"] == ["act", "branch"]
    assert main(["report", "--config", str(path)]) == 0
    assert "inputs" in capsys.readouterr().out  # the per-layer table shows the wiring
    assert main(["export-vectors", "--config", str(path), "--layer", "skip", "--out", str(tmp_path / "v")]) == 2
    assert "takes 2 tensors" in capsys.readouterr().err
    assert main(["export-hls", "--config", str(path), "--out", str(tmp_path / "prj"), "--images", "2"]) == 0
    top = (tmp_path / "prj" / "firmware" / "residual.cpp").read_text()
    assert "skip_layer(conv2_out, conv1_out, skip_out);" in top and "branch_layer(conv1_out," in top
    done = subprocess.run(["sh", str(tmp_path / "prj" / "csim.sh"), str(find_headers())], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0 and "2 of 2 images bit-exact in every layer: PASS" in done.stdout, done.stderr


def test_an_add_can_merge_the_networks_input() -> None:
    data = residual(lambda d: d.update(layers=[
        {"name": "conv1", "op": "conv", "out_channels": 3, "kernel": 3, "padding": 1},
        {"name": "skip", "op": "add", "inputs": ["conv1", "input"]}]))
    net = network_from_dict(data, "in.yaml")
    assert net.sources(1) == ("conv1", "input") and isinstance(net.layer("skip"), Add)
    assert str(net.io_types()[1][2]) == "ap_fixed<17,7>"  # the exact sum of two <16,6>


def test_a_run_that_keeps_the_last_layer_frees_tensors_after_their_last_reader(rng) -> None:
    net = network_from_dict(residual(), "residual.yaml")
    weights = seeded_weights(net, 4)
    images = rng.normal(0, 1, (5, 3, 8, 8))
    everything = Simulator(net, weights).run(images, batch_size=2)
    last = Simulator(net, weights, keep="last").run(images, batch_size=2)
    np.testing.assert_array_equal(last.output.raw, everything.output.raw)  # conv1 lived until branch read it
    assert last["conv1"].raw is None and last["skip"].stats.result.elements == everything["skip"].stats.result.elements
