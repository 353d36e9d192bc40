"""The whole-network oracle: an exported HLS project, compiled with g++ and the real
``ap_types`` headers, computes every layer's output bit for bit as the simulator does."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

from accel.cifar import load_sample, normalize
from accel.cli import main
from accel.config import network_from_dict
from accel.hls_plan import identifier, plan
from accel.hls_project import export_project
from accel.shipped import shipped_config, trained_weights
from accel.weights import load_weights, seeded_weights
from tests.oracle.ap_oracle import find_headers

GXX = shutil.which("g++")
needs_gxx = pytest.mark.skipif(GXX is None, reason="g++ is not installed: the exported C-sim cannot be compiled")
SATURATING = "ap_fixed<16,4,AP_TRN,AP_SAT>"


def compile_and_run(folder: Path, top: str) -> subprocess.CompletedProcess:
    """The project's C-simulation, as csim.sh builds it (at -O1: 3 s to compile alexnet32)."""
    exe = folder / f"csim_{top}"
    subprocess.run([GXX, "-std=c++14", "-O1", "-w", f"-I{folder / 'firmware'}", f"-I{find_headers()}",
                    str(folder / "firmware" / f"{top}.cpp"), str(folder / "tb" / f"{top}_tb.cpp"), "-o", str(exe)],
                   check=True)
    return subprocess.run([str(exe), str(folder / "tb_data")], capture_output=True, text=True)


def alexnet32(variant: str) -> dict:
    """The shipped alexnet32 YAML in one of the type configurations the oracle checks."""
    data = yaml.safe_load(shipped_config("alexnet32").read_text())
    types = data["defaults"]["types"]
    if variant == "hls4ml":  # each product cast to ap_fixed<32,12>, ReLU as its own layer, no LRN
        types["accum"] = "ap_fixed<32,12>"
        layers = []
        for layer in data["layers"]:
            if layer["op"] == "lrn":
                continue
            layers.append(layer)
            if layer.pop("relu", False):
                layer["types"] = {"result": "ap_fixed<16,6>"}
                layers.append({"name": f"{layer['name']}_relu", "op": "relu",
                               "types": {"result": "ap_fixed<16,4,AP_RND,AP_SAT>"}})
        data["layers"] = layers
    elif variant == "saturating":  # order matters: Zhang's loop order, partial sums rounded between tiles
        types["accum"] = SATURATING
        types["partial"] = "ap_fixed<14,4,AP_RND,AP_SAT>"
        for layer in data["layers"]:
            if layer["op"] == "conv":
                layer["order"] = ["i", "j", "r", "c", "m", "n"]
            if layer["op"] == "lrn":
                layer.update(mode="pwl", segments=16)
    elif variant == "lrn-exact":
        for layer in data["layers"]:
            if layer["op"] == "lrn":
                layer["mode"] = "exact"
    return data


@needs_gxx
@pytest.mark.parametrize("variant", ["shipped", "hls4ml", "saturating", "lrn-exact"])
def test_alexnet32_project_is_bit_exact_in_every_layer(tmp_path, variant) -> None:
    net = network_from_dict(alexnet32(variant), f"alexnet32-{variant}.yaml")
    weights = load_weights(net, trained_weights("alexnet32"))
    export_project(net, weights, normalize(load_sample().images[:2]), tmp_path)
    done = compile_and_run(tmp_path, "alexnet32")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 of 2 images bit-exact in every layer: PASS" in done.stdout
    assert done.stdout.count("bit-exact\n") == len(net.layers)


@needs_gxx
def test_tiled_alexnet227_layers_are_bit_exact(tmp_path) -> None:
    """conv1 (11x11/4, Tm=8 Tn=3 Tr=5, loop order i, j, r, c, m, n), LRN, overlapping
    pooling and conv2 (Tm=8 Tn=4: 24 input tiles) of the seed's network."""
    data = yaml.safe_load(shipped_config("alexnet227").read_text())
    data["layers"] = data["layers"][:4]
    net = network_from_dict(data, "alexnet227-head.yaml")
    export_project(net, seeded_weights(net, 1), np.random.default_rng(2).normal(0, 1, (1, 3, 227, 227)), tmp_path)
    done = compile_and_run(tmp_path, "alexnet227")
    assert done.returncode == 0 and "1 of 1 images bit-exact in every layer: PASS" in done.stdout, done.stdout


def small_network(seed: int) -> dict:
    """Every layer kind, with tilings, loop orders and types drawn from ``seed``: tiles
    that leave partial tiles, rounding and saturating accumulators, every LRN mode."""
    rng = np.random.default_rng(seed)
    order = list(rng.permutation(["m", "n", "r", "c", "i", "j"]))
    accum = ["ap_fixed<14,5,AP_RND,AP_SAT>", "ap_fixed<18,6,AP_TRN,AP_WRAP>", "ap_fixed<24,8>"][seed % 3]
    return {
        "name": f"small-{seed}",
        "interface": [{"kind": "m_axi", "width": 128, "max_burst": 64, "latency": 100}, "axis", "m_axi"][seed % 3],
        "input": {"shape": [4, 11, 11], "type": "ap_fixed<12,3,AP_RND,AP_SAT>"},
        "defaults": {"types": {"weight": "ap_fixed<10,2,AP_RND_CONV>", "bias": "ap_fixed<12,4>", "accum": accum,
                               "result": "ap_fixed<12,4,AP_RND,AP_SAT>"}},
        "layers": [
            {"name": "conv1", "op": "conv", "out_channels": 6, "kernel": 3, "stride": 2, "padding": 1, "groups": 2,
             "tiles": {"m": int(rng.integers(1, 4)), "n": int(rng.integers(1, 3)), "r": int(rng.integers(1, 7)),
                       "c": int(rng.integers(1, 7)), "i": int(rng.integers(1, 4))},
             "order": order, "directives": {"pipeline": order[-1], "ii": 1, "partition": [["weight", "cyclic", 2]]},
             "types": {"partial": "ap_fixed<12,5,AP_RND_ZERO,AP_SAT_SYM>", "product": "ap_fixed<16,4,AP_RND>"}},
            {"name": "bn1", "op": "batchnorm", "eps": 1e-3,
             "types": {"scale": "ap_fixed<10,3>", "bias": "ap_fixed<12,5>", "result": "ap_fixed<14,5,AP_RND,AP_SAT>"}},
            {"name": "act1", "op": "relu", "types": {"result": "ap_ufixed<8,3,AP_RND,AP_SAT>"}},
            {"name": "norm1", "op": "lrn", "size": 3, "alpha": 0.5, "beta": 0.75, "k": 1.0,
             "mode": ["exact", "linear", "pwl"][seed % 3], "segments": 6,
             "alpha_convention": ["pytorch", "tensorflow"][seed % 2],
             "types": {"result": "ap_fixed<12,3,AP_RND>", "scale": "ap_fixed<24,8,AP_RND>"}},
            {"name": "pool1", "op": "maxpool", "kernel": 3, "stride": 2, "padding": 1},
            {"name": "pool2", "op": "avgpool", "kernel": 2, "stride": 1, "padding": 1, "count_pad": seed % 2 == 1,
             "types": {"accum": "ap_fixed<13,5,AP_TRN,AP_SAT>", "result": "ap_fixed<12,3,AP_RND>"}},
            {"name": "flat", "op": "flatten", "order": "hwc"},
            {"name": "fc1", "op": "dense", "out_features": 5, "relu": True, "tiles": {"m": 2, "n": 7},
             "order": ["n", "m"], "types": {"product": "full"}},
            {"name": "out", "op": ["sigmoid", "tanh"][seed % 2], "table_size": [1024, 256, 64][seed % 3],
             "types": {"table": "ap_fixed<18,2>", "result": "ap_fixed<10,2,AP_RND,AP_SAT>"}},
            {"name": "prob", "op": "softmax", "implementation": ["stable", "latency"][seed % 2], "table_size": 256,
             "types": {"accum": "ap_ufixed<9,3,AP_TRN,AP_SAT>", "result": "ap_fixed<10,2,AP_RND,AP_SAT>"}},
        ],
    }


@needs_gxx
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_layer_kind_in_random_tilings_is_bit_exact(tmp_path, seed) -> None:
    net = network_from_dict(small_network(seed), f"small-{seed}.yaml")
    weights = seeded_weights(net, seed, gain=4.0)  # large weights: the narrow accumulators overflow
    images = np.random.default_rng(seed).normal(0, 2, (3, 4, 11, 11))
    export_project(net, weights, images, tmp_path)  # the YAML's interface: axis streams for seed 1
    top = (tmp_path / "firmware" / f"{identifier(net.name)}.cpp").read_text()
    assert ("#pragma HLS INTERFACE axis port=in" in top) == (seed % 3 == 1)
    assert ("depth=484 max_widen_bitwidth=128 max_read_burst_length=64 latency=100" in top) == (seed == 0)  # the YAML's port
    done = compile_and_run(tmp_path, identifier(net.name))
    assert done.returncode == 0 and "3 of 3 images bit-exact in every layer: PASS" in done.stdout, done.stdout


@needs_gxx
def test_one_flipped_bit_in_a_generated_header_fails_naming_the_layer(tmp_path) -> None:
    net = network_from_dict(small_network(0), "small-0.yaml")
    export_project(net, seeded_weights(net, 0, gain=4.0), np.random.default_rng(0).normal(0, 2, (2, 4, 11, 11)),
                   tmp_path)
    header = tmp_path / "firmware" / "weights" / "conv1.h"
    text = header.read_text()
    match = re.search(r"conv1_weight\[\d+\] = \{\s*(-?[\d.e-]+)", text)
    raw = int(round(float(match.group(1)) * 2**8)) & 0x3FF  # weight_t is ap_fixed<10,2>: 8 fraction bits
    raw ^= 1 << 8  # the bit worth 1.0
    flipped = (raw - (1 << 10) if raw >= 1 << 9 else raw) / 2**8
    header.write_text(text[:match.start(1)] + repr(flipped) + text[match.end(1):])
    done = compile_and_run(tmp_path, "small_0")
    assert done.returncode == 1 and "FAIL" in done.stdout
    assert re.search(r"image 0: first differing layer conv1, index \d+", done.stdout), done.stdout


def test_plan_refuses_what_cannot_be_exported() -> None:
    data = small_network(0)
    data["layers"].append({"name": "fc-1", "op": "dense", "out_features": 2})
    data["layers"].append({"name": "fc_1", "op": "dense", "out_features": 2})
    net = network_from_dict(data, "clash.yaml")
    with pytest.raises(ValueError, match="layers 'fc-1' and 'fc_1' have the same C\\+\\+ name 'fc_1'"):
        plan(net, seeded_weights(net, 0))


@needs_gxx
def test_the_command_writes_a_project_that_csim_sh_builds(tmp_path, capsys) -> None:
    out = tmp_path / "prj"
    assert main(["export-hls", "--out", str(out), "--images", "2", "--board", "ultra96", "--clock-ns", "5",
                 "--header-weights", "3000"]) == 0
    printed = capsys.readouterr().out
    assert "alexnet32 (trained weights" in printed and "./csim.sh" in printed
    tcl = (out / "build_prj.tcl").read_text()
    assert "set_part {xczu3eg-sbva484-1-e}" in tcl and "create_clock -period 5 " in tcl and "set_top alexnet32" in tcl
    # conv1 (2,432 parameters) is a ROM in the firmware, conv2 comes through a port
    assert (out / "firmware" / "weights" / "conv1.h").is_file() and not (out / "firmware" / "weights" / "conv2.h").exists()
    assert (out / "tb_data" / "weights" / "conv2_weight.bin").stat().st_size == 64 * 32 * 25 * 2
    done = subprocess.run(["sh", str(out / "csim.sh"), str(find_headers())], capture_output=True, text=True,
                          env={"PATH": str(Path(GXX).parent), "CXXFLAGS": "-O1"})
    assert done.returncode == 0 and "2 of 2 images bit-exact in every layer: PASS" in done.stdout, done.stderr
    assert main(["export-hls", "--out", str(out / "build_prj.tcl")]) == 2  # a file where the folder should be
    assert main(["export-hls", "--out", str(tmp_path / "x"), "--board", "nosuchboard"]) == 2
    assert "unknown device 'nosuchboard'" in capsys.readouterr().err


def reshaped_unflattened() -> dict:
    """alexnet32 with its convolutions' weights reshaped and their loops left unflattened."""
    data = yaml.safe_load(shipped_config("alexnet32").read_text())
    for layer in data["layers"]:
        if layer["op"] == "conv":
            directives = layer.setdefault("directives", {})
            directives.update(flatten=False, reshape=[["weight", "cyclic", 2, 2]])
            directives.pop("partition", None)
    return data


@pytest.mark.parametrize("config", ["alexnet32", "alexnet227", "reshaped"])
def test_the_estimators_report_names_the_loops_and_pragmas_of_the_source(config) -> None:
    from accel.config import load_network
    from accel.estimator import estimate_network

    net = network_from_dict(reshaped_unflattened(), "reshaped.yaml") if config == "reshaped" \
        else load_network(shipped_config(config))
    if config == "reshaped":
        assert any("LOOP_FLATTEN off" in line for line in net.layers[0].cpp_pragmas(net.shapes()[0][1]))
    report = estimate_network(net, "zcu104").to_dict()
    for (layer, in_shape, _), (_, in_type, _) in zip(net.shapes(), net.io_types()):
        source = layer.cpp_source(in_shape, in_type, layer.name)
        hls = report["layers"][layer.name]["hls"]
        assert hls, layer.name  # every layer names what it was costed with
        for entry in hls:
            where, text = entry.split(": ", 1)
            if where == "nest":  # tile_m(2) > loop_n(3) > ...: each label a loop of the source, with its trips
                labels = [re.match(r"(\w+)\((\d+)\)", part).groups() for part in text.split(" > ")]
                positions = [source.index(f"{label}: for") for label, _ in labels]
                assert positions == sorted(positions), (layer.name, text)
                for label, trips in labels:
                    header = re.search(rf"{label}: for \(int (\w+) = 0; \w+ < (\d+); \w+(\+\+| \+= (\d+))\)", source)
                    extent, step = int(header.group(2)), int(header.group(4) or 1)
                    assert -(-extent // step) == int(trips), (layer.name, label)
            else:
                assert f"#pragma HLS {text}" in source and (f"{where}: for" in source or f"variable={where}" in source)
