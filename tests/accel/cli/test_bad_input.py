"""Bad input, as a new user would give it, to every command: exit status 2, one line that
names the file, layer and field (or option), no traceback — and nothing computed first.

Each class of fault the hardening review found has cases here: malformed networks,
broken arrays, impossible options, unwritable outputs, options that would be ignored."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pytest
import yaml

from accel.cli import main
from accel.shipped import shipped_config

SHIPPED = yaml.safe_load(shipped_config("alexnet32").read_text())


def network_file(tmp_path: Path, change=None, text: str | None = None) -> str:
    """alexnet32.yaml with ``change(dict)`` applied, or ``text`` as it is."""
    path = tmp_path / "net.yaml"
    if text is None:
        data = yaml.safe_load(yaml.safe_dump(SHIPPED))
        change(data)
        text = yaml.safe_dump(data)
    path.write_text(text)
    return str(path)


def layer(data: dict, name: str) -> dict:
    return next(entry for entry in data["layers"] if entry["name"] == name)


BILLION_LAUGHS = "\n".join(["name: bomb", 'input: {shape: [3, 32, 32], type: "ap_fixed<16,4>"}',
                            'a0: &a0 ["m","m","m","m","m","m","m","m","m","m"]']
                           + [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 9)]
                           + ["layers:", "  - {name: c, op: conv, out_channels: 4, kernel: 3, order: *a8}"])

NETWORK_CASES = {
    "zero stride": (lambda d: layer(d, "conv1").update(stride=0), "layer 'conv1' (conv): field 'stride' must be at least 1"),
    "zero kernel": (lambda d: layer(d, "pool1").update(kernel=0), "layer 'pool1' (maxpool): field 'kernel' must be at least 1"),
    "zero groups": (lambda d: layer(d, "conv2").update(groups=0), "layer 'conv2' (conv): field 'groups' must be at least 1"),
    "infinite alpha": (lambda d: layer(d, "lrn1").update(alpha=float("inf")), "layer 'lrn1' (lrn): field 'alpha' must be a finite number"),
    "no layers": (lambda d: d.update(layers=[]), "field 'layers' is empty"),
    "partition factor 0": (lambda d: layer(d, "conv1").update(directives={"partition": [["w", "cyclic", 0]]}),
                           "layer 'conv1' (conv): directives: partition 'w' cyclic factor=0"),
    "partition of nothing": (lambda d: layer(d, "conv1").update(directives={"partition": [["acc", "complete", 0]]}),
                             "partition of unknown array 'acc'"),
    "an array partitioned twice": (lambda d: layer(d, "conv1").update(directives={"partition": [
        ["weight", "cyclic", 2, 1], ["w", "block", 2, 1]]}),
        "layer 'conv1' (conv): directives: partition of 'weight' given twice for the same dimension(s)"),
    "type of another kind": (lambda d: layer(d, "pool1").update(types={"weight": "ap_fixed<8,2>"}),
                             "layer 'pool1' (maxpool): types: unknown type 'weight'"),
}


@pytest.mark.parametrize("case", sorted(NETWORK_CASES))
def test_bad_networks(tmp_path, capsys, case) -> None:
    change, fragment = NETWORK_CASES[case]
    path = network_file(tmp_path, change)
    assert main(["run", "--config", path, "--batch", "1"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and str(path) in err and "Traceback" not in err


@pytest.mark.parametrize("text, fragment", [
    (BILLION_LAUGHS, "expands to more than"),
    ("name: a\nname: b\n", "line 2: duplicate key 'name'"),
    ("name: [unclosed\n", "not valid YAML"),
    ("\x00\x01" * 10, "not valid YAML"),
])
def test_hostile_yaml_is_refused_quickly(tmp_path, capsys, text, fragment) -> None:
    path = network_file(tmp_path, text=text)
    assert main(["report", "--config", path]) == 2
    assert fragment in capsys.readouterr().err


def test_broken_arrays(tmp_path, capsys) -> None:
    import zipfile

    cases = {"empty.npz": b"", "truncated.npz": b"PK\x03\x04junk", "text.npz": b"hello"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert main(["run", "--weights", str(tmp_path / name)]) == 2
        assert f"{name}: not a readable .npz weights file" in capsys.readouterr().err
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    header["shape"] = (32, 3, 5, 5 * 10**9)  # a terabyte claimed in a few bytes
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    with zipfile.ZipFile(tmp_path / "huge.npz", "w") as archive:
        archive.writestr("conv1.weight.npy", buffer.getvalue())
    assert main(["run", "--weights", str(tmp_path / "huge.npz")]) == 2
    assert "layer 'conv1' field 'weight': shape (32, 3, 5, 5000000000)" in capsys.readouterr().err
    np.save(tmp_path / "empty.npy", np.zeros((0, 3, 32, 32)))
    np.save(tmp_path / "strings.npy", np.array(["a", "b"]))
    (tmp_path / "cut.npy").write_bytes((tmp_path / "empty.npy").read_bytes()[:20])
    for name, fragment in [("empty.npy", "no images"), ("strings.npy", "is not numeric"), ("cut.npy", "cut.npy: not a readable")]:
        assert main(["run", "--input", str(tmp_path / name)]) == 2
        assert fragment in capsys.readouterr().err


def test_networks_too_large_for_memory_are_refused_before_allocating(tmp_path, capsys) -> None:
    """A network file asking for 3·10^10 input values, or a dense layer of 10^9 outputs: the
    figure and the layer, exit 2, before numpy allocates (and nothing written)."""
    import yaml

    huge = {"name": "huge", "input": {"shape": [3, 100000, 100000], "type": "ap_fixed<16,6>"},
            "layers": [{"name": "pool", "op": "maxpool", "kernel": 2, "stride": 2}]}
    wide = {"name": "wide", "input": {"shape": [16], "type": "ap_fixed<16,6>"},
            "defaults": {"types": {k: "ap_fixed<16,6>" for k in ("weight", "bias", "accum", "result")}},
            "layers": [{"name": "fc1", "op": "dense", "out_features": 10 ** 9}]}
    for data, fragment in ((huge, "the input alone holds 30,000,000,000 values an input"),
                           (wide, "fc1.weight alone 16,000,000,000")):
        path = tmp_path / f"{data['name']}.yaml"
        path.write_text(yaml.safe_dump(data))
        for argv in (["run", "--config", str(path)], ["export-hls", "--config", str(path), "--out", str(tmp_path / "p")]):
            assert main(argv) == 2
            err = capsys.readouterr().err
            assert fragment in err and "GB are available" in err and "Traceback" not in err
        assert not (tmp_path / "p").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc: a folder even root cannot write")
def test_unwritable_outputs_are_refused_before_compute(tmp_path, capsys, monkeypatch) -> None:
    """Outputs into a folder no file can be created in (``/proc``, which ``os.access`` calls
    writable for root), or under a file: one line, exit 2, for every command that writes."""
    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "x.npy", np.zeros((1, 3, 32, 32)))
    (tmp_path / "afile").write_text("")
    for argv, fragment in [
        (["run", "--input", "x.npy", "--save", "/proc/out.npz"], "--save /proc/out.npz: not writable"),
        (["run", "--input", "x.npy", "--save", "afile/out.npz"], "afile is a file, not a folder"),
        (["sweep", "--width", "8", "--int", "3", "--results", "/proc/r.jsonl"], "--results /proc/r.jsonl: not writable"),
        (["import", "m.onnx", "--out", "/proc/imported"], "--out /proc/imported: not writable"),
        (["import", "m.onnx", "--out", "afile/sub"], "afile is a file, not a folder"),
        (["export-hls", "--out", "/proc/prj"], "--out /proc/prj: cannot create the folder"),
    ]:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert fragment in err and "Traceback" not in err and len(err.strip().splitlines()) <= 2, err


def test_a_sweep_leaves_no_lock_file(tmp_path) -> None:
    results = tmp_path / "r.jsonl"
    assert main(["sweep", "--width", "8", "--int", "3", "--images", "2", "--workers", "1", "--results",
                 str(results)]) == 0
    assert results.exists() and not results.with_name("r.jsonl.lock").exists()


def test_testbench_inputs_are_checked_before_anything_is_written(tmp_path, capsys) -> None:
    """``export-hls``/``export-vectors --input X.npy``: inputs of another shape are refused, naming the file."""
    np.save(tmp_path / "x.npy", np.zeros((2, 3, 8, 8)))
    for argv in (["export-hls", "--out", str(tmp_path / "prj")],
                 ["export-vectors", "--layer", "conv1", "--out", str(tmp_path / "prj")]):
        assert main([*argv, "--input", str(tmp_path / "x.npy")]) == 2
        assert "x.npy: images of shape (3, 8, 8) do not fit network 'alexnet32'" in capsys.readouterr().err
        assert not (tmp_path / "prj").exists()


@pytest.mark.parametrize("argv, fragment", [
    (["run", "--images", "0"], "--images: 0 must be at least 1"),
    (["run", "--images", "-3"], "--images: -3 must be at least 1"),
    (["run", "--batch", "0", "--config", "alexnet227"], "--batch: 0 must be at least 1"),
    (["run", "--save", "out.npz"], "--save writes every layer of a per-layer run"),
    (["run", "--config", "alexnet227", "--cifar", "x.tar.gz"], "--cifar: alexnet227 takes (3, 227, 227)"),
    (["export-vectors", "--layer", "conv9"], "no layer named 'conv9'"),
    (["export-vectors", "--layer", "conv1", "--images", "-3"], "--images: -3 must be at least 1"),
    (["testbench", "--layer", "conv9"], "no layer named 'conv9'"),
    (["import", "m.onnx", "--io-type", "io_stream", "--out", "x"], "--io-type goes with --hls4ml CONFIG"),
    (["import", "model.pt", "--out", "x"], "model.pt: import reads .onnx, .keras and .h5 models"),
    (["report", "--clock-ns", "nan"], "--clock-ns: nan must be a finite number above 0"),
    (["report", "--bandwidth", "0"], "--bandwidth: 0 must be a finite number above 0"),
    (["sweep", "--accum", "99"], "--accum '99'"),
    (["sweep", "--board", "ultra69", "--width", "8"], "unknown device 'ultra69'"),
    (["sweep", "--images", "0"], "--images: 0 must be at least 1"),
    (["sweep", "--int", "-100", "--width", "8"], "--int -100 with --width 8: 108 fraction bits"),
])
def test_bad_options(tmp_path, capsys, argv, fragment) -> None:
    os.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_outputs_are_checked_before_any_compute(tmp_path, capsys, monkeypatch) -> None:
    import accel.simulator

    def no_compute(*args, **kwargs):
        raise AssertionError("computed before checking the output path")

    monkeypatch.setattr(accel.simulator.Simulator, "run", no_compute)
    np.save(tmp_path / "x.npy", np.zeros((1, 3, 32, 32)))
    target = tmp_path / "target.npz"
    target.write_bytes(b"keep me")
    (tmp_path / "link.npz").symlink_to(target)
    cases = [(["--save", str(tmp_path / "nowhere" / "o.npz")], "the folder"),
             (["--save", str(tmp_path / "link.npz")], "is a symbolic link"),
             (["--save", str(tmp_path)], "is a folder")]
    for extra, fragment in cases:
        assert main(["run", "--input", str(tmp_path / "x.npy"), *extra]) == 2
        assert fragment in capsys.readouterr().err
    assert target.read_bytes() == b"keep me"
    (tmp_path / "results.jsonl").write_bytes(bytes(range(256)))
    assert main(["sweep", "--width", "8", "--int", "3", "--images", "10", "--results",
                 str(tmp_path / "results.jsonl")]) == 2
    assert "not a sweep results file (binary data)" in capsys.readouterr().err


def test_save_names_the_file_it_writes(tmp_path, capsys) -> None:
    np.save(tmp_path / "x.npy", np.zeros((1, 3, 32, 32)))
    assert main(["run", "--input", str(tmp_path / "x.npy"), "--save", str(tmp_path / "out")]) == 0
    assert f"saved 14 layers to {tmp_path / 'out.npz'}" in capsys.readouterr().out
    assert (tmp_path / "out.npz").is_file()


def test_json_everywhere(tmp_path, capsys) -> None:
    """Every command takes --json (and --format json), as the README says."""
    import json

    from accel.cli import COMMANDS, _parser

    commands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert all("--json" in sub._option_string_actions for sub in commands.choices.values()) and len(COMMANDS) == 11
    for argv in (["testbench", "--layer", "fc3", "--json"], ["testbench", "--layer", "fc3", "--format", "json"],
                 ["dse", "--json"], ["report", "--json"], ["run", "--images", "10", "--json"],
                 ["quant", "ap_fixed<8,3>", "1.3", "--json"],
                 ["export-vectors", "--layer", "fc3", "--out", str(tmp_path / "v"), "--json"],
                 ["export-hls", "--out", str(tmp_path / "h"), "--json"]):
        assert main(argv) == 0
        data = json.loads(capsys.readouterr().out)
        assert isinstance(data, dict)
        for path in data.get("files", {}).values():
            assert Path(path).is_file(), (argv[0], path)


def test_out_creates_the_last_level_only(tmp_path, capsys) -> None:
    """A typo in an output path is refused, not grown into a tree of folders."""
    assert main(["export-vectors", "--layer", "fc3", "--out", str(tmp_path / "typo" / "a" / "b")]) == 2
    assert "the folder" in capsys.readouterr().err and not (tmp_path / "typo").exists()
    assert main(["export-vectors", "--layer", "fc3", "--out", str(tmp_path / "new")]) == 0
    assert (tmp_path / "new" / "fc3_tb.cpp").is_file()


def test_option_errors_are_one_line(capsys) -> None:
    for argv, fragment in ((["run", "--images", "x"], "accel run: error: argument --images"),
                           (["run", "--bogus"], "accel run: error: unrecognized arguments: --bogus"),
                           (["nosuch"], "accel: error: argument COMMAND: invalid choice")):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(fragment) and len(err.strip().splitlines()) == 1, err


def test_weights_beside_the_network_file_are_used_and_seeded_weights_said(tmp_path, capsys) -> None:
    from accel.config import load_network
    from accel.weights import save_weights, seeded_weights

    path = network_file(tmp_path, lambda d: d.update(name="mynet"))  # no trained weights ship for it
    save_weights(seeded_weights(load_network(path), 7), tmp_path / "weights.npz")
    assert main(["run", "--config", path, "--images", "10"]) == 0
    captured = capsys.readouterr()
    assert f"using the weights beside the network file, {tmp_path / 'weights.npz'}" in captured.err
    assert str(tmp_path / "weights.npz") in captured.out
    (tmp_path / "weights.npz").unlink()
    assert main(["run", "--config", path, "--images", "10"]) == 0
    assert "using seeded random weights" in capsys.readouterr().err


def test_version(capsys) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("accel ")


def test_every_option_has_help_text() -> None:
    import argparse

    from accel.cli import _parser

    commands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = [(name, action.option_strings or action.dest) for name, sub in commands.choices.items()
               for action in sub._actions if action.help is None]
    assert len(commands.choices) == 11 and not missing
