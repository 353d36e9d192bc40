"""hls4ml 1.3.0 itself as the peer: a PyTorch model converted by hls4ml (``io_stream``),
its C-simulation compiled and run through ``predict()``, against the simulator on the
same network written with hls4ml's semantics — bit for bit.

The YAML says what hls4ml's generated C++ does: each product assigned to ``accum_t``, the
accumulator starting at the bias, ReLU as its own layer with its own type, the input
quantized by the input layer's type, the convolution summing its window in (kh, kw, cin)
order (``order: [m, r, c, i, j, n]``: it matters when the accumulator saturates).
"""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pytest

from accel.cli import main
from accel.config import load_network, network_from_dict
from accel.simulator import Simulator
from accel.weights import check_weights, load_weights

hls4ml = pytest.importorskip("hls4ml", reason="hls4ml is in the test extra: pip install -e '.[test]'")
torch = pytest.importorskip("torch", reason="torch is in the test extra")
pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed: hls4ml cannot compile")

DEFAULT = "ap_fixed<16,6>"
NARROW = {  # rounding input and weights, saturating accumulators that do saturate, rounding results
    "x": {"result": "ap_fixed<10,3,AP_RND,AP_SAT>"},
    "conv1": {"weight": "ap_fixed<8,2,AP_RND>", "bias": "ap_fixed<10,3>", "accum": "ap_fixed<8,2,AP_TRN,AP_SAT>",
              "result": "ap_fixed<12,4,AP_RND,AP_SAT>"},
    "relu1": {"result": "ap_ufixed<8,3,AP_RND,AP_SAT>"},
    "pool1": {"result": "ap_ufixed<8,3,AP_RND,AP_SAT>"},
    "flat": {"result": "ap_ufixed<8,3,AP_RND,AP_SAT>"},
    "fc1": {"weight": "ap_fixed<8,2,AP_RND>", "bias": "ap_fixed<10,3>", "accum": "ap_fixed<7,1,AP_TRN,AP_SAT>",
            "result": "ap_fixed<12,4,AP_RND,AP_SAT>"},
}


class Net(torch.nn.Module):
    """conv 3x3 -> ReLU -> max-pool 2 -> flatten -> dense, on ``size`` x ``size`` images."""

    def __init__(self, size: int = 8, classes: int = 5) -> None:
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 4, 3)
        self.relu1 = torch.nn.ReLU()
        self.pool1 = torch.nn.MaxPool2d(2)
        self.flat = torch.nn.Flatten()
        self.fc1 = torch.nn.Linear(4 * ((size - 2) // 2) ** 2, classes)

    def forward(self, x):
        return self.fc1(self.flat(self.pool1(self.relu1(self.conv1(x)))))


def imported(tmp_path, *arguments: str) -> Simulator:
    """``accel import ARGUMENTS --out tmp_path/imported``, loaded as a simulator."""
    out = tmp_path / "imported"
    shutil.rmtree(out, ignore_errors=True)
    assert main(["import", *arguments, "--out", str(out)]) == 0
    network = load_network(out / "net.yaml")
    return Simulator(network, load_weights(network, out / "weights.npz"))


def ours(precision: dict | None) -> dict:
    """The same network in accel's YAML, with the types hls4ml was given."""
    p = precision or {name: {"weight": DEFAULT, "bias": DEFAULT, "accum": DEFAULT, "result": DEFAULT}
                      for name in ("x", "conv1", "relu1", "pool1", "flat", "fc1")}
    return {
        "name": "peer", "input": {"shape": [3, 8, 8], "type": p["x"]["result"]},
        "layers": [
            {"name": "conv1", "op": "conv", "out_channels": 4, "kernel": 3, "order": ["m", "r", "c", "i", "j", "n"],
             "types": {k: p["conv1"][k] for k in ("weight", "bias", "accum", "result")}},
            {"name": "relu1", "op": "relu", "types": {"result": p["relu1"]["result"]}},
            {"name": "pool1", "op": "maxpool", "kernel": 2, "stride": 2, "types": {"result": p["pool1"]["result"]}},
            {"name": "flat", "op": "flatten", "order": "chw"},
            {"name": "fc1", "op": "dense", "out_features": 5,
             "types": {k: p["fc1"][k] for k in ("weight", "bias", "accum", "result")}},
        ],
    }


@pytest.mark.parametrize("precision", [None, NARROW], ids=["model-level <16,6>", "narrow, saturating, rounding"])
def test_the_simulator_is_hls4mls_csim_bit_for_bit(tmp_path, precision) -> None:
    torch.manual_seed(0)
    model = Net().eval()
    config = hls4ml.utils.config_from_pytorch_model(model, (3, 8, 8), granularity="name" if precision else "model",
                                                    default_precision=DEFAULT.replace("ap_", ""))
    for name, types in (precision or {}).items():
        config["LayerName"][name]["Precision"] = dict(types)
    hls_model = hls4ml.converters.convert_from_pytorch_model(model, hls_config=config, io_type="io_stream",
                                                             output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    images = np.random.default_rng(1).normal(0, 1.5, (64, 3, 8, 8)).astype(np.float32)
    theirs = np.asarray(hls_model.predict(np.ascontiguousarray(images)), dtype=np.float64).reshape(64, 5)

    network = network_from_dict(ours(precision), "peer.yaml")
    weights = check_weights(network, {k: v.detach().numpy().astype(np.float64) for k, v in model.state_dict().items()})
    sim = Simulator(network, weights).run(images.astype(np.float64))
    np.testing.assert_array_equal(sim.output.values(), theirs)

    # the same from hls4ml's configuration and the model as ONNX: accel import --hls4ml
    torch.onnx.export(model, torch.zeros(1, 3, 8, 8), tmp_path / "model.onnx", dynamo=False)
    saved = {key: value for key, value in config.items() if key != "PytorchModel"}
    (tmp_path / "config.json").write_text(json.dumps(saved, default=list))
    again = imported(tmp_path, str(tmp_path / "model.onnx"), "--hls4ml", str(tmp_path / "config.json"),
                     "--io-type", "io_stream")
    np.testing.assert_array_equal(again.run(images.astype(np.float64)).output.values(), theirs)
    # and from the project hls4ml wrote (compile() writes it): accel import --hls4ml-project
    project = imported(tmp_path, "--hls4ml-project", str(tmp_path / "prj"))
    np.testing.assert_array_equal(project.run(images.astype(np.float64)).output.values(), theirs)
    # hls4ml's part and clock (its project.tcl) are the report's defaults
    assert (project.network.target_part, project.network.target_clock_ns) == ("xcvu13p-flga2577-2-e", 5.0)
    # costed as hls4ml implements it: io_stream line buffer, RF 1: one multiplier per product
    from accel.estimator import estimate_network
    costs = estimate_network(project.network, "pynq-z2")
    assert costs.layer("conv1").dominant == "hls4ml line-buffer conv" and costs.layer("conv1").parallel == 27 * 4
    assert costs.layer("fc1").parallel == 36 * 5
    if precision:  # the narrow accumulators saturate and the casts round: the check is not a trivial one
        conv, fc = sim["conv1"].stats, sim["fc1"].stats
        assert conv.accumulation.overflows > 0 and fc.accumulation.overflows > 0, (conv, fc)
        assert conv.product.rounded > 0 and sim["relu1"].stats.result.rounded > 0


def test_the_configuration_is_read_as_hls4ml_reads_it(tmp_path) -> None:
    """hls4ml's precedence (layer variable, layer default, type variable, type default,
    model variable, model default), its ``auto`` rules, and refusals naming the layer."""
    from accel.importers.hls4ml_config import apply, read_config

    description = {"name": "m", "input": {"shape": [3, 8, 8], "type": DEFAULT, "name": "x"},
                   "layers": [{"name": "conv1", "op": "conv", "out_channels": 4, "kernel": 3},
                              {"name": "pool1", "op": "maxpool", "kernel": 2, "stride": 2},
                              {"name": "flat", "op": "flatten"}, {"name": "fc1", "op": "dense", "out_features": 5}]}
    typed = apply(description, {"Model": {"Precision": {"default": "fixed<16,6>", "accum": "fixed<24,8,RND,SAT>"}},
                                "LayerType": {"Dense": {"Precision": {"result": "ufixed<8,3>"}},
                                              "Conv2D": {"Precision": {"accum": "fixed<20,8>"}}},
                                "LayerName": {"x": {"Precision": {"result": "fixed<10,3,RND,SAT>"}},
                                              "conv1": {"Precision": {"default": "fixed<12,4>"}}}}, "cfg.json")
    assert typed["input"] == {"shape": [3, 8, 8], "type": "ap_fixed<10,3,AP_RND,AP_SAT>"}  # the input layer's type
    # the layer's own default comes before its type's variable (hls4ml's get_precision)
    assert typed["layers"][0]["types"] == {"weight": "ap_fixed<12,4>", "bias": "ap_fixed<12,4>",
                                           "accum": "ap_fixed<12,4>", "result": "ap_fixed<12,4>"}
    assert typed["layers"][3]["types"]["result"] == "ap_ufixed<8,3>"  # LayerType over Model
    assert typed["layers"][3]["types"]["accum"] == "ap_fixed<24,8,AP_RND,AP_SAT>"  # the model's variable
    network_from_dict(typed, "typed.yaml")  # a valid network

    # 'auto': conv 3*3*3 = 27 products of <16,6> inputs and weights: <38,18>; pooling and flatten keep
    # it; the dense layer's 4*3*3 = 36 inputs: <16+38+6+1, 6+18+6+1>; an unmentioned accum: the default
    auto = {"Model": {"Precision": {"default": "fixed<16,6>"}},
            "LayerName": {name: {"Precision": {"result": "auto", "weight": "auto"}} for name in ("conv1", "fc1")}
            | {"pool1": {"Precision": {"result": "auto", "accum": "auto"}}, "flat": {"Precision": "auto"}}}
    inferred = apply(description, auto, "cfg.json")
    conv, pool, flat, fc = inferred["layers"]
    assert conv["types"] == {"weight": "ap_fixed<16,6>", "bias": "ap_fixed<16,6>", "accum": "ap_fixed<16,6>",
                             "result": "ap_fixed<38,18>"}
    assert pool["types"] == {"accum": "ap_fixed<38,18>", "result": "ap_fixed<38,18>"}
    assert flat["types"] == {"result": "ap_fixed<38,18>"}
    assert fc["types"]["result"] == "ap_fixed<61,31>"
    capped = apply(description, {**auto, "Model": {"Precision": {"default": "fixed<16,6>", "maximum": "fixed<32,12>"}}},
                   "cfg.json")
    assert capped["layers"][0]["types"]["result"] == "ap_fixed<32,12>"

    with pytest.warns(UserWarning, match=r"LayerName \['bn1'\]: no such layers in the model"):  # fused on export
        apply(description, {"Model": {"Precision": "fixed<16,6>"}, "LayerName": {"bn1": {"Precision": "auto"}}}, "c")
    with pytest.raises(ValueError, match=r"LayerName names \['bn1'\], which the model has no layer for"):
        apply(description, {"Model": {"Precision": "fixed<16,6>"}, "LayerName": {"bn1": {"Precision": "fixed<8,3>"}}}, "c")
    # Resource: the reuse factor rounded as hls4ml rounds it (said); what hls4ml's kernels cannot compute refused
    resource = {"Model": {"Precision": {"default": "fixed<16,6>", "accum": "fixed<16,6,TRN,SAT>"},
                          "Strategy": "Resource", "ReuseFactor": 3}, "LayerName": {"fc1": {"ReuseFactor": 7}}}
    with pytest.warns(UserWarning, match="layer 'fc1': ReuseFactor 7 is not valid for 36 x 5 products; hls4ml uses 6"):
        typed = apply(description, resource, "cfg.json")
    assert typed["layers"][0]["hls4ml"] == {"strategy": "resource", "reuse_factor": 3, "io_type": "io_parallel"}
    assert typed["layers"][3]["hls4ml"]["reuse_factor"] == 6
    assert network_from_dict(typed, "typed.yaml").layers[0].loop_nest((3, 8, 8)).interleave == 3
    with pytest.raises(ValueError, match="layer 'conv1': reuse_factor 54 > 27 products per output: hls4ml's "
                                         "io_parallel conv_2d_resource_cl"):
        apply(description, {**resource, "LayerName": {"conv1": {"ReuseFactor": 54}}}, "cfg.json")
    with pytest.raises(ValueError, match="layer 'conv1': Strategy 'Distributed_Arithmetic' is not modelled"):
        apply(description, {**resource, "LayerName": {"conv1": {"Strategy": "Distributed_Arithmetic"}}}, "cfg.json")
    targeted = apply(description, {"Model": {"Precision": "fixed<16,6>"}, "Part": "xczu7ev-ffvc1156-2-e",
                                   "ClockPeriod": 4}, "cfg.json")
    assert targeted["target"] == {"clock_ns": 4.0, "part": "xczu7ev-ffvc1156-2-e"}
    with pytest.warns(UserWarning, match="Part xcfoo is not among the estimator's devices"):
        assert "part" not in apply(description, {"Model": {"Precision": "fixed<16,6>"}, "Part": "xcfoo"}, "c").get("target", {})
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"LayerName": {}}))
    with pytest.raises(ValueError, match="bad.json: an hls4ml configuration has a 'Model' section"):
        read_config(bad)


def test_every_layer_hls4ml_traces_is_the_simulators(tmp_path) -> None:
    """hls4ml's ``trace()``: each layer's output (channels-last inside hls4ml), not just
    the last one, in the narrow configuration where accumulators saturate."""
    torch.manual_seed(0)
    model = Net().eval()
    config = hls4ml.utils.config_from_pytorch_model(model, (3, 8, 8), granularity="name",
                                                    default_precision=DEFAULT.replace("ap_", ""))
    for name, types in NARROW.items():
        config["LayerName"][name]["Precision"] = dict(types)
        config["LayerName"][name]["Trace"] = True
    hls_model = hls4ml.converters.convert_from_pytorch_model(model, hls_config=config, io_type="io_stream",
                                                             output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    images = np.random.default_rng(2).normal(0, 1.5, (16, 3, 8, 8)).astype(np.float32)
    _, traced = hls_model.trace(np.ascontiguousarray(images))
    network = network_from_dict(ours(NARROW), "peer.yaml")
    weights = check_weights(network, {k: v.detach().numpy().astype(np.float64) for k, v in model.state_dict().items()})
    sim = Simulator(network, weights).run(images.astype(np.float64))
    assert {"conv1", "relu1", "pool1", "fc1"} <= set(traced)
    for name in ("conv1", "relu1", "pool1", "fc1"):
        mine = sim[name].values()
        if mine.ndim == 4:
            mine = mine.transpose(0, 2, 3, 1)  # hls4ml keeps feature maps channels-last
        np.testing.assert_array_equal(mine, np.asarray(traced[name], dtype=np.float64).reshape(mine.shape),
                                      err_msg=name)


@pytest.mark.parametrize("granularity", ["model", "name", "argmax"])
def test_a_keras_model_through_hls4ml_is_imported_bit_for_bit(tmp_path, granularity) -> None:
    """Keras (channels-last, activations inside layers, a BatchNorm after an activation, which
    hls4ml keeps) through ``accel import MODEL.keras --hls4ml CONFIG`` and through the written
    project, against hls4ml's ``predict()``."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(7)
    model = keras.Sequential([
        keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3, activation="relu", name="conv1"),
        keras.layers.BatchNormalization(name="bn1"), keras.layers.AveragePooling2D(2, name="pool1"),
        keras.layers.Flatten(name="flat"), keras.layers.Dense(8, name="fc1"),
        keras.layers.Activation("tanh", name="act2"), keras.layers.Dense(5, activation="softmax", name="fc2")])
    bn = model.get_layer("bn1")
    rng = np.random.default_rng(8)
    bn.set_weights([rng.uniform(0.5, 1.5, 4), rng.uniform(-0.3, 0.3, 4), rng.uniform(-0.5, 0.5, 4),
                    rng.uniform(0.5, 2.0, 4)])
    model.get_layer("fc2").set_weights([rng.normal(0, 1.0, (8, 5)), np.zeros(5)])  # logits that disagree
    model.save(tmp_path / "model.keras")
    config = hls4ml.utils.config_from_keras_model(model, granularity="name" if granularity == "name" else "model",
                                                  default_precision="fixed<16,6>")
    if granularity == "argmax":  # hls4ml's softmax as a one-hot of the largest logit
        config.setdefault("LayerName", {})["fc2_softmax"] = {"Implementation": "argmax"}
    hls_model = hls4ml.converters.convert_from_keras_model(model, hls_config=config, io_type="io_stream",
                                                           output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    images = rng.normal(0, 1.5, (64, 3, 8, 8)).astype(np.float32)
    channels_last = np.ascontiguousarray(images.transpose(0, 2, 3, 1))
    theirs = np.asarray(hls_model.predict(channels_last), dtype=np.float64).reshape(64, 5)
    (tmp_path / "config.json").write_text(json.dumps(config, default=list))
    for arguments in ([str(tmp_path / "model.keras"), "--hls4ml", str(tmp_path / "config.json")],
                      ["--hls4ml-project", str(tmp_path / "prj")]):
        sim = imported(tmp_path, *arguments).run(images.astype(np.float64))
        np.testing.assert_array_equal(sim.output.values(), theirs, err_msg=" ".join(arguments))
    if granularity == "model":
        assert len(np.unique(theirs)) > 20
    if granularity == "argmax":
        assert set(np.unique(theirs)) == {0.0, 1.0} and len(set(theirs.argmax(axis=1))) > 1


def test_an_io_parallel_project_is_imported_bit_for_bit(tmp_path) -> None:
    """``io_parallel``: arrays instead of streams, no transpose before the dense layer (hls4ml
    permutes its weights to the channels-last order instead): the project reader flattens
    channels-last and takes the weights as written; every type ``auto``."""
    torch.manual_seed(10)
    model = Net().eval()
    config = hls4ml.utils.config_from_pytorch_model(model, (3, 8, 8), granularity="name",
                                                    default_precision="fixed<12,4>")
    hls_model = hls4ml.converters.convert_from_pytorch_model(model, hls_config=config, io_type="io_parallel",
                                                             output_dir=str(tmp_path / "prj"), backend="Vivado")
    hls_model.compile()
    images = np.random.default_rng(11).normal(0, 1.5, (32, 3, 8, 8)).astype(np.float32)
    theirs = np.asarray(hls_model.predict(np.ascontiguousarray(images)), dtype=np.float64).reshape(32, 5)
    sim = imported(tmp_path, "--hls4ml-project", str(tmp_path / "prj"))
    assert [layer.op for layer in sim.network.layers] == ["conv", "relu", "maxpool", "flatten", "dense"]
    assert sim.network.layers[3].order == "hwc"
    np.testing.assert_array_equal(sim.run(images.astype(np.float64)).output.values(), theirs)
