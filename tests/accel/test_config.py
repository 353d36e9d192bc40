"""Network YAML: the shipped networks, and errors that name file, layer and field."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from accel.config import ConfigError, load_network, network_from_dict
from accel.shipped import shipped_config
from layers import Conv, Dense

BASE = {
    "name": "tiny",
    "input": {"shape": [3, 8, 8], "type": "ap_fixed<16,4>"},
    "defaults": {"types": {"weight": "ap_fixed<16,4>", "bias": "ap_fixed<16,4>", "accum": "ap_fixed<32,8>",
                           "result": "ap_fixed<16,4,AP_RND,AP_SAT>"}},
    "layers": [
        {"name": "conv1", "op": "conv", "out_channels": 4, "kernel": 3, "padding": 1, "relu": True, "tiles": {"m": 2, "n": 3}},
        {"name": "pool1", "op": "maxpool", "kernel": 2, "stride": 2},
        {"name": "flat", "op": "flatten"},
        {"name": "fc", "op": "dense", "out_features": 5, "types": {"accum": "ap_fixed<24,8,AP_TRN,AP_SAT>"}},
    ],
}


def write(tmp_path, data) -> str:
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_shipped_networks_have_the_specified_topology() -> None:
    small = load_network(shipped_config("alexnet32"))
    assert [(l.name, out) for l, _, out in small.shapes()][-4:] == [
        ("flatten", (576,)), ("fc1", (256,)), ("fc2", (256,)), ("fc3", (10,))]
    big = load_network(shipped_config("alexnet227"))
    shapes = {l.name: out for l, _, out in big.shapes()}
    assert shapes["conv1"] == (96, 55, 55) and shapes["pool1"] == (96, 27, 27)
    assert shapes["conv2"] == (256, 27, 27) and shapes["pool5"] == (256, 6, 6) and shapes["flatten"] == (9216,)
    assert big.param_shapes()["conv1.weight"] == (96, 3, 11, 11) and big.param_shapes()["fc1.weight"] == (4096, 9216)
    relus = {l.name: l.relu for l in big.layers if isinstance(l, (Conv, Dense))}
    assert all(relus[n] for n in ("conv1", "conv2", "conv3", "conv4", "conv5", "fc1", "fc2")) and not relus["fc3"]


def test_types_flow_and_override(tmp_path) -> None:
    net = load_network(write(tmp_path, BASE))
    conv, pool, _, fc = net.layers
    assert str(conv.types.input) == "ap_fixed<16,4>" and str(conv.types.accum) == "ap_fixed<32,8>"
    assert pool.result is None  # pooling keeps its input type
    assert str(fc.types.input) == "ap_fixed<16,4,AP_RND,AP_SAT>"  # conv1's result type
    assert str(fc.types.accum) == "ap_fixed<24,8,AP_TRN,AP_SAT>"
    assert dict(conv.tiles) == {"m": 2, "n": 3}


def mutate(path: list, value):
    data = yaml.safe_load(yaml.safe_dump(BASE))
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    "path, value, fragment",
    [
        (["layers", 0, "kernal"], 3, "layer 'conv1' (conv): unknown field(s) ['kernal']"),
        (["layers", 0, "out_channels"], KeyError, "layer 'conv1' (conv): missing field 'out_channels'"),
        (["layers", 0, "out_channels"], "four", "layer 'conv1' (conv): field 'out_channels' must be int"),
        (["layers", 0, "tiles"], {"n": 5}, "layer 'conv1' (conv): tile Tn=5 is impossible"),
        (["layers", 0, "order"], ["m", "n"], "layer 'conv1' (conv): loop order"),
        (["layers", 0, "op"], "convolution", "unknown op 'convolution'"),
        (["layers", 3, "types"], {"accum": "ap_fixed<24>"}, "layer 'fc' (dense): types: 'accum'"),
        (["layers", 3, "types"], {"acum": "ap_fixed<24,8>"}, "layer 'fc' (dense): types: unknown type 'acum'"),
        (["layers", 1, "name"], "conv1", "layer 'conv1': the name is used twice"),
        (["input", "shape"], [3, 8, 8, 1], "input: field 'shape' must be [features], [channels, length] or"),
        (["input", "shape"], [3, 0], "input: field 'shape' must be [features]"),
        (["input", "shape"], [3, 8], "layer 'conv1' (conv)"),
        (["input", "type"], "float", "input: field 'type'"),
        (["layers", 2, "op"], "dense", "layer 'flat' (dense): missing field 'out_features'"),
        (["layers", 0, "directives"], {"bind": "lut"}, "layer 'conv1' (conv): bind 'lut' must be 'dsp' or 'fabric'"),
        (["layers", 0, "directives"], {"latency": 0}, "layer 'conv1' (conv): LATENCY 0 must be at least 1"),
        (["layers", 0, "directives"], {"storage": {"w": "flash"}}, "storage of 'w': 'flash' must be an implementation"),
        (["layers", 0, "directives"], {"storage": {"w": ["bram", "ram_3p"]}}, "with a type of ram_1p"),
        (["layers", 0, "directives"], {"rom": ["out"]}, "rom: 'out' is not a constant table"),
        (["layers", 0, "directives"], {"rom": ["kernel"]}, "rom of unknown array 'kernel'"),
        (["layers", 0, "directives"], {"bind": {"impl": "dsp", "lat": 3}}, "bind: unknown field(s) ['lat']"),
        (["layers", 0, "directives"], {"bind": {"impl": "dsp", "latency": "3"}}, "field 'latency' must be"),
        (["layers", 0, "directives"], {"storage": {"w": ["bram", "rom_1p"]}}, "is a ROM type; list the array under rom"),
        (["layers", 0, "directives"], {"rom": ["w"], "storage": {"w": ["bram", "ram_1p"]}}, "a rom array takes rom_1p"),
        (["layers", 0, "directives"], {"pipelin": "c"}, "directives: unknown field(s) ['pipelin']"),
        (["layers", 0, "directives"], {"auto_pipeline": "no"}, "directives: field 'auto_pipeline' must be bool"),
        (["layers", 0, "directives"], {"ports": {"w": 3}}, "layer 'conv1' (conv): ports of 'w': 3 must be 1"),
        (["layers", 0, "directives"], {"ports": {"acc": 2}}, "ports of unknown array 'acc'"),
        (["interface"], "pcie", "field 'interface' must be 'm_axi' or 'axis', got 'pcie'"),
        (["layers", 0, "directives"], {"partition": [["w", "cyclic", 4, 5]]},
         "layer 'conv1' (conv): partition 'weight' dim=5: the weight buffer has 4 dimension(s)"),
        (["layers", 0, "directives"], {"partition": [["w", "cyclic", 4, -1]]}, "partition 'w' dim=-1: dimensions count"),
        (["layers", 0, "directives"], {"reshape": [["w", "cyclic", 1]]}, "reshape 'w' cyclic factor=1: a factor below 2"),
        (["layers", 0, "directives"], {"reshape": [["w", "cyclic", 4, 5]]},
         "layer 'conv1' (conv): reshape 'weight' dim=5: the weight buffer has 4 dimension(s)"),
        (["layers", 0, "directives"], {"partition": [["w", "cyclic", 2]], "reshape": [["weight", "block", 2]]},
         "layer 'conv1' (conv): 'weight' is both partitioned and reshaped"),
        (["layers", 0, "directives"], {"flatten": "no"}, "directives: field 'flatten' must be bool"),
    ],
)
def test_bad_configs_name_file_layer_and_field(tmp_path, path, value, fragment) -> None:
    file = write(tmp_path, mutate(path, value))
    with pytest.raises(ConfigError) as err:
        load_network(file)
    assert fragment in str(err.value) and file in str(err.value)


def test_pipeline_off_is_a_directive(tmp_path) -> None:
    """``auto_pipeline: off`` (YAML 1.1 reads off as false): PIPELINE off on every loop of the layer."""
    text = yaml.safe_dump(BASE).replace("name: conv1", "name: conv1\n  directives: {auto_pipeline: off}")
    assert "auto_pipeline: off" in text
    path = tmp_path / "off.yaml"
    path.write_text(text)
    conv = load_network(str(path)).layers[0]
    assert conv.directives.auto_pipeline is False
    assert any(line.endswith("PIPELINE off") for line in conv.cpp_pragmas((3, 8, 8)))


def test_loop_flatten_off_and_array_reshape_are_directives(tmp_path) -> None:
    text = yaml.safe_dump(BASE).replace(
        "name: conv1", "name: conv1\n  directives: {flatten: off, reshape: [[w, cyclic, 2, 2]]}")
    path = tmp_path / "flat.yaml"
    path.write_text(text)
    conv = load_network(str(path)).layers[0]
    assert conv.directives.flatten is False and conv.directives.reshapes() == {"weight": ("cyclic", 2, 2)}
    pragmas = conv.cpp_pragmas((3, 8, 8))
    assert any(line.endswith("LOOP_FLATTEN off") for line in pragmas)
    assert any("ARRAY_RESHAPE variable=weight type=cyclic factor=2 dim=2" in line for line in pragmas)


def test_dense_without_flatten_is_refused(tmp_path) -> None:
    data = mutate(["layers", 2], {"name": "relu", "op": "relu"})
    with pytest.raises(ConfigError, match="needs a flat input"):
        load_network(write(tmp_path, data))


def test_unreadable_files(tmp_path) -> None:
    with pytest.raises(ConfigError, match="cannot read the network file"):
        load_network(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("layers: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_network(bad)


def test_network_from_dict_builds_without_a_file() -> None:
    net = network_from_dict(BASE)
    assert net.output_shape == (5,) and np.prod(net.param_shapes()["fc.weight"]) == 5 * 4 * 4 * 4
