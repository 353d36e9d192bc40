"""What the hls4ml peer tests on Keras models share: convert and compile with hls4ml,
import the same model both ways, and check a re-export's C-sim."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from accel.cli import main
from accel.config import load_network
from accel.network import Network
from accel.simulator import Simulator
from accel.weights import load_weights

hls4ml = pytest.importorskip("hls4ml", reason="hls4ml is in the test extra: pip install -e '.[test]'")
os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed: hls4ml cannot compile")


def compiled(model, config: dict, io_type: str, folder: Path):
    """hls4ml's model of ``model`` under ``config`` (every layer traced), compiled; the
    Keras file and the configuration saved beside it for the imports."""
    model.save(folder / "model.keras")
    for entry in config["LayerName"].values():
        entry["Trace"] = True
    (folder / "config.json").write_text(json.dumps(config, default=list))
    hls_model = hls4ml.converters.convert_from_keras_model(model, hls_config=config, io_type=io_type,
                                                           output_dir=str(folder / "prj"), backend="Vivado")
    hls_model.compile()
    return hls_model


def imports(folder: Path) -> Iterator[tuple[str, Network, Simulator]]:
    """The network imported both ways: ``--hls4ml`` over the Keras file and the
    configuration, and ``--hls4ml-project`` over the written project."""
    for arguments in ([str(folder / "model.keras"), "--hls4ml", str(folder / "config.json")],
                      ["--hls4ml-project", str(folder / "prj")]):
        out = folder / "imported"
        shutil.rmtree(out, ignore_errors=True)
        assert main(["import", *arguments, "--out", str(out)]) == 0
        network = load_network(out / "net.yaml")
        yield arguments[1] if arguments[0].endswith(".keras") else arguments[0], network, \
            Simulator(network, load_weights(network, out / "weights.npz"))


def assert_export_is_bit_exact(folder: Path) -> None:
    """``accel export-hls`` of the last import: its C-sim (g++, the real headers) bit-exact in every layer."""
    from tests.oracle.ap_oracle import find_headers

    assert main(["export-hls", "--config", str(folder / "imported" / "net.yaml"), "--out", str(folder / "exported"),
                 "--images", "2"]) == 0
    done = subprocess.run(["sh", str(folder / "exported" / "csim.sh"), str(find_headers())], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0 and "2 of 2 images bit-exact in every layer: PASS" in done.stdout, done.stderr
