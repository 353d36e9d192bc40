"""Exported test vectors drive the generated C++ testbench, compiled with the real headers."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from accel.config import network_from_dict
from accel.vectors import export_layer
from accel.weights import seeded_weights
from tests.oracle.ap_oracle import find_headers

NET = network_from_dict({
    "name": "vec",
    "input": {"shape": [4, 9, 9], "type": "ap_fixed<16,4,AP_RND,AP_SAT>"},
    "defaults": {"types": {"weight": "ap_fixed<12,2,AP_RND>", "bias": "ap_fixed<16,4>",
                           "accum": "ap_fixed<16,5,AP_TRN,AP_SAT>", "result": "ap_fixed<16,4,AP_RND,AP_SAT>"}},
    "layers": [
        {"name": "conv1", "op": "conv", "out_channels": 6, "kernel": 3, "padding": 1, "stride": 2, "groups": 2,
         "relu": True, "tiles": {"n": 1}, "order": ["m", "r", "c", "i", "j", "n"],
         "types": {"partial": "ap_fixed<14,5,AP_RND,AP_SAT>"}},
        {"name": "pool1", "op": "maxpool", "kernel": 3, "stride": 2, "padding": 1},
        {"name": "flat", "op": "flatten"},
        {"name": "fc1", "op": "dense", "out_features": 5, "tiles": {"n": 7}, "types": {"product": "full"}},
    ],
})


def build_and_run(folder, name) -> subprocess.CompletedProcess:
    compiler = shutil.which("g++")
    exe = folder / f"{name}_tb"
    subprocess.run([compiler, "-std=c++14", "-O1", "-w", "-I", str(find_headers()), str(folder / f"{name}_tb.cpp"),
                    "-o", str(exe)], check=True)
    return subprocess.run([str(exe)], cwd=folder, capture_output=True, text=True)


@pytest.mark.parametrize("layer", ["conv1", "pool1", "fc1"])
def test_exported_vectors_pass_the_cpp_testbench(tmp_path, layer) -> None:
    weights = seeded_weights(NET, 4, gain=6.0)  # large weights: the narrow accumulator saturates
    images = np.random.default_rng(3).normal(0, 2, (2, 4, 9, 9))
    files = export_layer(NET, weights, images, layer, tmp_path)
    done = build_and_run(tmp_path, layer)
    assert done.returncode == 0 and "PASS" in done.stdout, done.stdout + done.stderr
    raw = np.fromfile(files["output"], dtype="<i2")
    lines = (tmp_path / f"{layer}_output.dat").read_text().split()
    assert len(lines) == raw.size and all(int(h, 16) == v & 0xFFFF for h, v in zip(lines[:50], raw[:50].tolist()))
    # one flipped bit in the expected output makes the testbench fail
    raw[raw.size // 2] ^= 1
    raw.tofile(files["output"])
    failed = build_and_run(tmp_path, layer)
    assert failed.returncode == 1 and "1 of" in failed.stdout and "FAIL" in failed.stdout
