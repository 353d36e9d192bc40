"""An hls4ml configuration file read before anything else: its sections have the shape the
readers index, or the file is refused naming the key (``hls4ml_precision.read_config``)."""

from __future__ import annotations

import json

import pytest

from accel.importers.hls4ml_precision import read_config

GOOD = {"Model": {"Precision": "fixed<16,6>", "ReuseFactor": 1, "Strategy": "Latency"},
        "LayerName": {"fc1": {"Precision": {"weight": "fixed<8,2>"}, "ReuseFactor": 4, "Trace": True}},
        "LayerType": {"Dense": {"ReuseFactor": 2}}}


@pytest.mark.parametrize("config, fragment", [
    ({"LayerName": {}}, "an hls4ml configuration has a 'Model' section"),
    ({"Model": 5}, "Model must be a mapping of settings"),
    ({"Model": {"ReuseFactor": "x"}}, "Model: ReuseFactor must be a positive integer, got 'x'"),
    ({"Model": {"ReuseFactor": 0}}, "Model: ReuseFactor must be a positive integer, got 0"),
    ({"Model": {"Strategy": 3}}, "Model: Strategy must be Latency or Resource, got 3"),
    ({"Model": {}, "LayerName": [1]}, "LayerName must map names to settings, got list"),
    ({"Model": {}, "LayerName": {"fc1": 3}}, "LayerName: fc1 must be a mapping of settings"),
    ({"Model": {}, "LayerType": {"Dense": {"ReuseFactor": True}}}, "LayerType: Dense: ReuseFactor must be a positive"),
])
def test_a_configuration_of_the_wrong_shape_is_refused_naming_the_key(tmp_path, config, fragment) -> None:
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(config))
    with pytest.raises(ValueError, match="cfg.json: ") as err:
        read_config(path)
    assert fragment in str(err.value)


def test_a_configuration_hls4ml_writes_is_read(tmp_path) -> None:
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(GOOD))
    assert read_config(path) == GOOD
