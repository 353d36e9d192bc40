"""Every layer kind owns its behaviour: a builder registered beside it, its output type,
the arrays a sweep retypes, its tilings and its C++ — checked kind by kind."""

from __future__ import annotations

import re

from dataclasses import replace

import pytest

from layers import LRN, Activation, Add, AvgPool, BatchNorm, Concatenate, Conv1D, MaxPool1D, ConfigError, Softmax, TableActivation, Conv, Dense, Flatten, MaxPool, ReLU, kinds
from layers.config.fields import Fields
from layers.config.registry import BuildContext, register, type_keys
from quant import FixedType

DATA = FixedType.parse("ap_fixed<16,4,AP_RND,AP_SAT>")
MAC_TYPES = {"weight": "ap_fixed<16,4>", "bias": "ap_fixed<16,4>", "accum": "ap_fixed<40,16>",
             "result": "ap_fixed<16,4,AP_RND,AP_SAT>"}


def build(op: str, entry: dict, types: dict | None = None):
    kind = kinds()[op]
    fields = Fields(entry, f"test: layer 'x' ({op})")
    layer = kind.build(fields, BuildContext("x", fields.where, types or {}, DATA))
    fields.finish()
    return layer


def test_every_kind_is_registered_with_the_class_it_builds() -> None:
    built = {
        "conv": build("conv", {"out_channels": 4, "kernel": 3}, MAC_TYPES),
        "dense": build("dense", {"out_features": 4}, MAC_TYPES),
        "lrn": build("lrn", {"size": 3}),
        "maxpool": build("maxpool", {"kernel": 2, "stride": 2}),
        "relu": build("relu", {}),
        "flatten": build("flatten", {"order": "hwc"}),
        "batchnorm": build("batchnorm", {"eps": 1e-3}, MAC_TYPES),
        "avgpool": build("avgpool", {"kernel": 2, "count_pad": True}),
        "sigmoid": build("sigmoid", {"table_size": 256}),
        "tanh": build("tanh", {}),
        "softmax": build("softmax", {"implementation": "latency"}),
        "add": build("add", {}, {"result": "ap_fixed<16,6>"}),
        "concatenate": build("concatenate", {}),
        "conv1d": build("conv1d", {"out_channels": 4, "kernel": 3, "padding": 1}, MAC_TYPES),
        "maxpool1d": build("maxpool1d", {"kernel": 2}),
        "linear": build("linear", {}, {"result": "ap_fixed<8,3>"}),
        "leaky_relu": build("leaky_relu", {"alpha": 0.3}, {"param": "ap_ufixed<8,-1>"}),
        "thresholded_relu": build("thresholded_relu", {"theta": 0.5}),
        "prelu": build("prelu", {}),
        "elu": build("elu", {"alpha": 1.0, "table_size": 256}, {"table": "ap_fixed<10,2>"}),
        "hard_sigmoid": build("hard_sigmoid", {"slope": 0.25, "shift": 0.5}, {"slope": "ap_ufixed<8,0>"}),
        "hard_tanh": build("hard_tanh", {}),
    }
    assert set(built) == set(kinds())
    classes = {"conv": Conv, "dense": Dense, "lrn": LRN, "maxpool": MaxPool, "relu": ReLU, "flatten": Flatten,
               "batchnorm": BatchNorm, "avgpool": AvgPool, "sigmoid": TableActivation, "tanh": TableActivation,
               "softmax": Softmax, "add": Add, "concatenate": Concatenate, "conv1d": Conv1D, "maxpool1d": MaxPool1D,
               **{op: Activation for op in ("linear", "leaky_relu", "thresholded_relu", "prelu", "elu", "hard_sigmoid",
                                            "hard_tanh")}}
    assert all(type(layer) is classes[op] and layer.op == op for op, layer in built.items())
    assert {"weight", "accum", "partial", "sum", "norm", "result"} <= type_keys()
    assert not kinds()["maxpool"].inherits_defaults and kinds()["conv"].inherits_defaults


def test_builders_name_the_field_at_fault() -> None:
    with pytest.raises(ConfigError, match=r"layer 'x' \(conv\): field 'kernel' must be a positive int"):
        build("conv", {"out_channels": 4, "kernel": 0}, MAC_TYPES)
    with pytest.raises(ConfigError, match=r"layer 'x' \(dense\): no 'accum' type"):
        build("dense", {"out_features": 4}, {k: v for k, v in MAC_TYPES.items() if k != "accum"})
    with pytest.raises(ConfigError, match=r"unknown field\(s\) \['stride'\]"):
        build("relu", {"stride": 2})
    with pytest.raises(ConfigError, match=r"tiles: 'n' must be an integer, got True"):  # YAML's true is no tile
        build("dense", {"out_features": 4, "tiles": {"n": True}}, MAC_TYPES)
    with pytest.raises(ConfigError, match=r"field 'order' must be 'chw'"):
        build("flatten", {"order": "whc"})
    with pytest.raises(ValueError, match="registered twice"):
        register("conv")(lambda f, ctx: None)


def test_output_types_and_data_arrays() -> None:
    conv = build("conv", {"out_channels": 4, "kernel": 3}, MAC_TYPES)
    narrow = FixedType.parse("ap_fixed<8,3>")
    assert conv.output_type(narrow) == FixedType.parse(MAC_TYPES["result"])
    assert build("maxpool", {}).output_type(narrow) == narrow  # keeps its input type
    assert build("relu", {}, {"result": "ap_ufixed<8,3>"}).output_type(narrow) == FixedType.parse("ap_ufixed<8,3>")
    assert build("flatten", {}).output_type(narrow) == narrow
    assert conv.data_arrays() == ("weight", "bias", "result")
    assert build("lrn", {}).data_arrays() == ("result",) and build("maxpool", {}).data_arrays() == ()


class Halve:
    """A retype that halves every width and uses the weight type as accumulator."""

    def data(self, t, layer, array):
        return replace(t, width=t.width // 2, integer=t.integer)

    def accumulator(self, accum, weight):
        return weight


def test_retyped_touches_exactly_the_data_arrays() -> None:
    dense = build("dense", {"out_features": 4}, MAC_TYPES)
    halved = dense.retyped(Halve())
    assert (halved.types.weight.width, halved.types.bias.width, halved.types.result.width) == (8, 8, 8)
    assert halved.types.accum == halved.types.weight and halved.types.input == dense.types.input
    lrn = build("lrn", {})
    assert lrn.retyped(Halve()).result.width == lrn.result.width // 2
    pool = build("maxpool", {})
    assert pool.retyped(Halve()) is pool
    assert lrn.without_reports().report_errors is False and pool.without_reports() is pool


def test_tilings_for_the_design_space_exploration() -> None:
    conv = build("conv", {"out_channels": 96, "kernel": 3}, MAC_TYPES)
    shape = (16, 27, 27)
    candidates = conv.tile_candidates(shape)
    # every tile with a distinct trip count: ceil(96 / q) for q = 1..96, ceil(16 / q)
    assert {c["m"] for c in candidates} == {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 24, 32, 48, 96}
    assert {c["n"] for c in candidates} == {1, 2, 3, 4, 6, 8, 16}
    assert {c["r"] for c in candidates} == {25, 13, 7}  # whole, half, quarter of the 25 output rows
    assert conv.engine_tiles(shape, 128, 7) == [{"m": 96, "n": 7, "r": r, "c": 25} for r in (7, 13, 25)]
    dense = build("dense", {"out_features": 10}, MAC_TYPES)
    assert dense.engine_tiles((64,), 8, 8) is None and {c["n"] for c in dense.tile_candidates((64,))} == {
        1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13, 16, 22, 32, 64}
    assert build("relu", {}).tile_candidates(shape) == []


def test_cpp_source_is_the_nest_of_the_layer() -> None:
    conv = build("conv", {"out_channels": 4, "kernel": 3, "padding": 1, "relu": True, "tiles": {"n": 2},
                          "order": ["m", "r", "c", "i", "j", "n"],
                          "directives": {"pipeline": "j", "ii": 2, "partition": [["w", "cyclic", 2]]}}, MAC_TYPES)
    text = conv.cpp_source((4, 8, 8), DATA, "c1")
    assert "inline void c1_layer(" in text and "typedef ap_fixed<40,16,AP_TRN,AP_WRAP,0> c1_accum_t;" in text
    # the tile loop of n outside the point loops, which run in the layer's order: m, r, c, i, j, n
    labels = ["tile_n: for (int n0 = 0; n0 < 4; n0 += 2)"] + [f"loop_{x}: for (int {x} = 0;" for x in "mrcijn"]
    assert [text.index(label) for label in labels] == sorted(text.index(label) for label in labels)
    assert "if (acc < 0) acc = 0;" in text
    # the YAML's directives as pragmas, where the estimator's report says they are
    assert re.search(r"loop_j: for \(int j = 0; j < 3; j\+\+\) \{\n *#pragma HLS PIPELINE II=2\n", text)
    assert "#pragma HLS ARRAY_PARTITION variable=weight type=cyclic factor=2 dim=1" in text
    assert "loop_j: PIPELINE II=2" in conv.cpp_pragmas((4, 8, 8))
    fc = build("dense", {"out_features": 3, "tiles": {"n": 2},
                         "directives": {"pipeline": "m", "partition": [["w", "cyclic", 2, 2], ["in", "complete", 0]]}},
               MAC_TYPES)
    text = fc.cpp_source((8,), DATA, "f")
    assert "loop_n: for (int n = 0; n < 2; n++)" in text
    # the dimension the YAML names; complete splits what the unrolled n reads (dim 1 of input[2])
    assert "#pragma HLS ARRAY_PARTITION variable=weight type=cyclic factor=2 dim=2" in text
    assert "#pragma HLS ARRAY_PARTITION variable=input type=complete dim=1" in text
