"""The bad inputs of ``probe_bad_inputs.py``: fixtures and cases, by class.

Every case has exactly one fault; the rest of what it passes is a small valid network
(``tiny.yaml``: conv, max-pool, flatten, dense on 3×8×8 inputs), its weights and inputs.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

TINY = {"name": "tiny", "input": {"shape": [3, 8, 8], "type": "ap_fixed<16,4,AP_RND,AP_SAT>"},
        "defaults": {"types": {"weight": "ap_fixed<16,4>", "bias": "ap_fixed<16,4>", "accum": "ap_fixed<40,16>",
                               "result": "ap_fixed<16,4,AP_RND,AP_SAT>"}},
        "layers": [{"name": "conv1", "op": "conv", "out_channels": 4, "kernel": 3, "relu": True},
                   {"name": "pool1", "op": "maxpool", "kernel": 2, "stride": 2},
                   {"name": "flatten", "op": "flatten"},
                   {"name": "fc", "op": "dense", "out_features": 10}]}
UNWRITABLE = "/proc/accel-probe"  # no one may create anything here, root included


@dataclass(frozen=True)
class Case:
    group: str
    name: str
    argv: tuple[str, ...] = ()
    python: str | None = None  # instead of argv: lines run against the API (must raise)
    cwd: Path | None = None
    marker: Path | None = None  # a file that appears only if code from a data file ran


def write_fixtures(work: Path) -> None:
    rng = np.random.default_rng(0)
    (work / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    weights = {"conv1.weight": rng.normal(0, 0.3, (4, 3, 3, 3)), "conv1.bias": np.zeros(4),
               "fc.weight": rng.normal(0, 0.3, (10, 36)), "fc.bias": np.zeros(10)}
    np.savez(work / "tiny.npz", **weights)
    np.savez(work / "missing.npz", **{k: v for k, v in weights.items() if k != "fc.bias"})
    np.savez(work / "wrong_shape.npz", **{**weights, "fc.weight": np.zeros((10, 35))})
    np.savez(work / "nan.npz", **{**weights, "conv1.bias": np.full(4, np.nan)})
    np.savez(work / "pickled.npz", **{**weights, "fc.bias": np.array([{"a": 1}], dtype=object)})
    np.save(work / "x.npy", rng.normal(0, 1, (4, 3, 8, 8)))
    np.save(work / "y.npy", np.array([0, 1, 2, 3]))
    np.save(work / "x_shape.npy", rng.normal(0, 1, (4, 3, 9, 9)))
    np.save(work / "x_nan.npy", np.full((4, 3, 8, 8), np.nan))
    np.save(work / "x_object.npy", np.array([[1, "a"]], dtype=object), allow_pickle=True)
    np.save(work / "y_short.npy", np.array([0, 1]))
    np.save(work / "y_float.npy", np.array([0.5, 1, 2, 3]))
    (work / "empty.bin").write_bytes(b"")
    (work / "garbage.bin").write_bytes(bytes(range(256)) * 4)
    (work / "afile").write_text("a file, not a folder\n")
    (work / "prj").mkdir()
    (work / "prj_garbage" / "firmware").mkdir(parents=True)
    (work / "prj_garbage" / "firmware" / "myproject.cpp").write_text("void myproject( { garbage\n")
    (work / "hls4ml_no_model.json").write_text(json.dumps({"LayerName": {}}))
    (work / "hls4ml_bad.json").write_text("{not json")
    (work / "hls4ml_rf.json").write_text(json.dumps({"Model": {"Precision": "fixed<16,6>", "ReuseFactor": "x"}}))
    (work / "hls4ml_entry.json").write_text(json.dumps({"Model": {"Precision": "fixed<16,6>"}, "LayerName": {"relu": 3}}))
    (work / "report.rpt").write_text("== Vitis HLS Report for 'x'\nnothing else\n")
    import h5py  # (the test extra) a weights file Keras could have written: no variables

    with h5py.File(work / "weights.h5", "w") as h5:
        h5.create_group("layers")
    inputs = {"class_name": "InputLayer", "config": {"name": "x", "batch_shape": [None, 4]}}
    for name, layers in {"keras_no_name": [inputs, {"class_name": "Dense", "config": {"units": 3}}],
                         "keras_no_class": [inputs, {"config": {"name": "d"}}],
                         "keras_units_a_string": [inputs, {"class_name": "Dense", "config": {"name": "d", "units": "3"}}],
                         "keras_not_list": {"a": 1}}.items():
        with zipfile.ZipFile(work / f"{name}.keras", "w") as zf:
            zf.writestr("config.json", json.dumps({"class_name": "Sequential", "config": {"layers": layers}}))
            zf.write(work / "weights.h5", "model.weights.h5")
    (work / "empty.keras").write_bytes(b"")
    from onnx import TensorProto, helper, save  # (the onnx extra) a MaxPool without its kernel_shape

    save(helper.make_model(helper.make_graph(
        [helper.make_node("MaxPool", ["x"], ["y"], name="pool")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 4])])), work / "bare.onnx")
    save(helper.make_model(helper.make_graph(  # a model the import reads: one Relu
        [helper.make_node("Relu", ["x"], ["y"], name="relu")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])), work / "relu.onnx")
    (work / "garbage.pt").write_bytes(bytes(range(256)) * 4)
    with zipfile.ZipFile(work / "keras_truncated.keras", "w") as zf:
        zf.writestr("config.json", "{")
    (work / "cifar.tar.gz").write_bytes(b"\x1f\x8b" + bytes(100))


def _net(work: Path, name: str, change) -> str:
    """tiny.yaml with one fault: ``change(data)`` (a dict edit) or a text to write as it is."""
    path = work / f"{name}.yaml"
    if isinstance(change, str):
        path.write_text(change)
    else:
        data = yaml.safe_load(yaml.safe_dump(TINY))
        change(data)
        path.write_text(yaml.safe_dump(data))
    return str(path)


def _layer(data: dict, name: str) -> dict:
    return next(entry for entry in data["layers"] if entry["name"] == name)


def cases(work: Path) -> list[Case]:
    w = str(work)
    net, wts, x, y = f"{w}/tiny.yaml", f"{w}/tiny.npz", f"{w}/x.npy", f"{w}/y.npy"
    run = ("run", "--config", net, "--weights", wts)
    found: list[Case] = []

    def add(group: str, name: str, *argv: str, python: str | None = None, marker: Path | None = None) -> None:
        found.append(Case(group, name, tuple(argv), python, work, marker))

    # ---------------------------------------------------------------- allocation before validation
    huge = {"input of 10^10 values": lambda d: d["input"].update(shape=[10, 100_000, 10_000]),
            "10^9 output channels": lambda d: _layer(d, "conv1").update(out_channels=10**9),
            "10^10 dense outputs": lambda d: _layer(d, "fc").update(out_features=10**10)}
    for name, change in huge.items():
        config = _net(work, name.replace(" ", "_").replace("^", ""), change)
        add("allocation", f"run: {name}", "run", "--config", config, "--batch", "1")
        add("allocation", f"testbench: {name}", "testbench", "--config", config)
        add("allocation", f"export-vectors: {name}", "export-vectors", "--config", config, "--layer", "fc",
            "--out", f"{w}/vec_{len(found)}")
        add("allocation", f"sweep: {name}", "sweep", "--config", config, "--input", x, "--labels", y, "--width", "8",
            "--int", "3", "--workers", "1", "--results", f"{w}/sweep_{len(found)}.jsonl")
    add("allocation", "run: --batch 10^9 seeded images", *run, "--batch", str(10**9))

    # ---------------------------------------------------------------- output paths
    add("output paths", "run --save into /proc", *run, "--input", x, "--save", f"{UNWRITABLE}/out.npz")
    add("output paths", "run --save under a file", *run, "--input", x, "--save", f"{w}/afile/out.npz")
    add("output paths", "run --save onto a folder", *run, "--input", x, "--save", f"{w}/prj")
    add("output paths", "import --out onto a file", "import", f"{w}/keras_no_name.keras", "--out", f"{w}/afile")
    add("output paths", "import --out into /proc", "import", "--hls4ml-project", f"{w}/prj", "--out", UNWRITABLE)
    add("output paths", "export-hls --out into /proc", "export-hls", "--config", net, "--weights", wts,
        "--out", UNWRITABLE)
    add("output paths", "export-hls --out onto a file", "export-hls", "--config", net, "--weights", wts,
        "--out", f"{w}/afile")
    add("output paths", "export-vectors --out into /proc", "export-vectors", "--config", net, "--weights", wts,
        "--layer", "fc", "--out", UNWRITABLE)
    add("output paths", "sweep --results into /proc", "sweep", "--config", net, "--weights", wts, "--input", x,
        "--labels", y, "--width", "8", "--int", "3", "--workers", "1", "--results", f"{UNWRITABLE}/r.jsonl")
    add("output paths", "sweep --results under a file", "sweep", "--config", net, "--weights", wts, "--input", x,
        "--labels", y, "--width", "8", "--int", "3", "--workers", "1", "--results", f"{w}/afile/r.jsonl")
    add("output paths", "report --out into /proc", "report", "--config", net, "--out", f"{UNWRITABLE}/r.html")
    add("output paths", "calibrate --out into /proc", "calibrate", "--config", net, "--reports", f"{w}/report.rpt",
        "--out", f"{UNWRITABLE}/p.yaml")

    # ---------------------------------------------------------------- importer input
    for name in ("keras_no_name", "keras_no_class", "keras_units_a_string", "keras_not_list", "keras_truncated"):
        add("importer input", f"Keras: {name}", "import", f"{w}/{name}.keras", "--out", f"{w}/imp_{name}")
    add("importer input", "Keras: an empty file", "import", f"{w}/empty.keras", "--out", f"{w}/imp_empty")
    add("importer input", "ONNX: garbage", "import", f"{w}/garbage.bin", "--out", f"{w}/imp_g")
    (work / "garbage.onnx").write_bytes(bytes(range(256)) * 4)
    add("importer input", "ONNX: garbage .onnx", "import", f"{w}/garbage.onnx", "--out", f"{w}/imp_go")
    add("importer input", "ONNX: a node without an attribute it needs", "import", f"{w}/bare.onnx", "--out",
        f"{w}/imp_bare")
    add("importer input", "hls4ml: configuration without Model", "import", f"{w}/garbage.onnx", "--hls4ml",
        f"{w}/hls4ml_no_model.json", "--out", f"{w}/imp_h1")
    add("importer input", "hls4ml: configuration not JSON", "import", f"{w}/garbage.onnx", "--hls4ml",
        f"{w}/hls4ml_bad.json", "--out", f"{w}/imp_h2")
    for name in ("rf", "entry"):
        add("importer input", f"hls4ml: configuration {name} of the wrong shape", "import", f"{w}/relu.onnx",
            "--hls4ml", f"{w}/hls4ml_{name}.json", "--out", f"{w}/imp_h_{name}")
    add("importer input", "hls4ml project: empty folder", "import", "--hls4ml-project", f"{w}/prj",
        "--out", f"{w}/imp_p1")
    add("importer input", "hls4ml project: garbage firmware", "import", "--hls4ml-project", f"{w}/prj_garbage",
        "--out", f"{w}/imp_p2")
    add("importer input", "import: a .pt file (not a model format)", "import", f"{w}/garbage.pt", "--out", f"{w}/imp_pt")
    add("importer input", "state_dict: a .pt that is not one", "run", "--config", net, "--weights", f"{w}/garbage.pt",
        "--input", x)
    add("importer input", "calibrate: not a report", "calibrate", "--config", net, "--reports", f"{w}/report.rpt",
        "--board", "zcu104")
    add("importer input", "calibrate: a folder of nothing", "calibrate", "--config", net, "--reports", f"{w}/prj")

    # ---------------------------------------------------------------- degenerate types
    sweep = ("sweep", "--config", net, "--weights", wts, "--input", x, "--labels", y, "--workers", "1")
    for flags in (("--width", "8", "--int", "-100"), ("--auto-int", "--headroom", "-100", "--width", "8"),
                  ("--width", "0", "--int", "2"), ("--width", "5000", "--int", "2"), ("--width", "8", "--int", "5000")):
        add("degenerate types", "sweep " + " ".join(flags), *sweep, *flags, "--results", f"{w}/s{len(found)}.jsonl")
    for text in ("ap_fixed<0,0>", "ap_fixed<2000,4>", "ap_fixed<8,-100000>", "ap_fixed<8,4,AP_XYZ>", "fixed<8>"):
        add("degenerate types", f"quant {text}", "quant", text, "1.5")
    for name, t in {"result <16,5000>": "ap_fixed<16,5000>", "result <0,1> unsigned": "ap_ufixed<0,1>"}.items():
        config = _net(work, "type_" + str(len(found)), lambda d: _layer(d, "conv1").update(types={"result": t}))
        add("degenerate types", f"YAML {name}", "run", "--config", config, "--weights", wts, "--input", x)

    # ---------------------------------------------------------------- Python API
    load = (f"from accel.config import load_network\nfrom accel.weights import load_weights\n"
            f"from accel.simulator import Simulator\nimport numpy as np\nnet = load_network({net!r})\n")
    api = {
        "Simulator: weights None": load + "Simulator(net, None)",
        "Simulator: a layer's weights missing": load + f"Simulator(net, load_weights(net, {w + '/missing.npz'!r}))",
        "Simulator: weights a dict without a layer": load + "Simulator(net, {})",
        "Simulator.run: negative batch": load + f"Simulator(net, load_weights(net, {wts!r})).run(np.zeros((2, 3, 8, 8)), batch_size=-1)",
        "Simulator.run: batch 0": load + f"Simulator(net, load_weights(net, {wts!r})).run(np.zeros((2, 3, 8, 8)), batch_size=0)",
        "Simulator.run: wrong image shape": load + f"Simulator(net, load_weights(net, {wts!r})).run(np.zeros((2, 3, 9, 9)))",
        "Simulator.run: NaN images": load + f"Simulator(net, load_weights(net, {wts!r})).run(np.full((2, 3, 8, 8), np.nan))",
        "FixedType.from_raw: a raw outside the type": "from quant import FixedType\nFixedType(8, 4).from_raw([1000])",
        "FixedType: width 0": "from quant import FixedType\nFixedType(0, 0)",
        "FixedType: unknown rounding": "from quant import FixedType\nFixedType(8, 4, rounding='XYZ')",
        "FixedType.parse: garbage": "from quant import FixedType\nFixedType.parse('int')",
        "load_network: no such file": "from accel.config import load_network\nload_network('nope.yaml')",
        "load_weights: wrong shape": load + f"load_weights(net, {w + '/wrong_shape.npz'!r})",
        "load_weights: NaN": load + f"load_weights(net, {w + '/nan.npz'!r})",
    }
    for name, code in api.items():
        add("Python API", name, python=code)
    add("Python API", "tiles: true", "run", "--config",
        _net(work, "tiles_true", lambda d: _layer(d, "conv1").update(tiles=True)), "--weights", wts, "--input", x)

    # ---------------------------------------------------------------- first pass: networks, arrays, options, data
    marker = work / "EXECUTED"
    bad_nets = {
        "YAML syntax": "name: [unclosed\n",
        "python tag": f"!!python/object/apply:os.system ['touch {marker}']\n",
        "unknown op": lambda d: _layer(d, "pool1").update(op="pooling"),
        "unknown field": lambda d: _layer(d, "conv1").update(strid=2),
        "stride 0": lambda d: _layer(d, "conv1").update(stride=0),
        "kernel a string": lambda d: _layer(d, "conv1").update(kernel="three"),
        "negative padding": lambda d: _layer(d, "conv1").update(padding=-1),
        "duplicate names": lambda d: _layer(d, "pool1").update(name="conv1"),
        "no layers": lambda d: d.update(layers=[]),
        "input shape empty": lambda d: d["input"].update(shape=[]),
        "input of a string type": lambda d: d["input"].update(type="float"),
        "kernel larger than the input": lambda d: _layer(d, "conv1").update(kernel=20),
        "inputs: a later layer": lambda d: _layer(d, "conv1").update(inputs=["fc"]),
        "partition of nothing": lambda d: _layer(d, "conv1").update(directives={"partition": [["acc", "complete", 0]]}),
        "two partitions of one array and dimension": lambda d: _layer(d, "conv1").update(
            directives={"partition": [["weight", "cyclic", 2, 1], ["weight", "block", 2, 1]]}),
    }
    for name, change in bad_nets.items():
        config = _net(work, "net_" + str(len(found)), change)
        add("networks", name, "run", "--config", config, "--weights", wts, "--input", x, marker=marker)
    for name in ("missing", "wrong_shape", "nan", "pickled"):
        add("arrays", f"weights: {name}", "run", "--config", net, "--weights", f"{w}/{name}.npz", "--input", x)
    for name in ("x_shape", "x_nan", "x_object"):
        add("arrays", f"--input {name}", *run, "--input", f"{w}/{name}.npy")
    for name in ("y_short", "y_float"):
        add("arrays", f"--labels {name}", *sweep, "--width", "8", "--int", "3", "--labels", f"{w}/{name}.npy",
            "--results", f"{w}/l{len(found)}.jsonl")
    add("arrays", "--input a folder", *run, "--input", f"{w}/prj")
    options = {"--images 0": (*run, "--images", "0"), "--images -1": (*run, "--images", "-1"),
               "--batch 0": (*run, "--input", x, "--batch", "0"), "--seed x": (*run, "--seed", "x"),
               "report --clock-ns 0": ("report", "--config", net, "--clock-ns", "0"),
               "report --board nosuch": ("report", "--config", net, "--board", "nosuch"),
               "report --bits 0": ("report", "--config", net, "--bits", "0"),
               "dse --pe 0": ("dse", "--config", net, "--pe", "0"),
               "dse --bandwidth -1": ("dse", "--config", net, "--bandwidth", "-1"),
               "testbench --layer nosuch": ("testbench", "--config", "alexnet32", "--layer", "nosuch"),
               "export-vectors --layer nosuch": ("export-vectors", "--config", net, "--weights", wts, "--layer",
                                                 "nosuch", "--out", f"{w}/v_nosuch"),
               "sweep --scope nosuch": (*sweep, "--width", "8", "--int", "3", "--scope", "nosuch",
                                        "--results", f"{w}/scope.jsonl"),
               "sweep --chunk 0": (*sweep, "--width", "8", "--int", "3", "--chunk", "0", "--results", f"{w}/c.jsonl"),
               "sweep --hls4ml-out without config": (*sweep, "--auto-int", "--width", "8", "--hls4ml-out",
                                                     f"{w}/o.json", "--results", f"{w}/h.jsonl"),
               "config: a shipped name that is not": ("run", "--config", "alexnet33")}
    for name, argv in options.items():
        add("options", name, *argv)
    cifar = ("run", "--config", "alexnet32", "--images", "2", "--cifar")
    add("data files", "--cifar a truncated archive", *cifar, f"{w}/cifar.tar.gz")
    add("data files", "--cifar a folder of nothing", *cifar, f"{w}/prj")
    add("data files", "--cifar no such file", *cifar, f"{w}/nope.tar.gz")
    add("data files", "--weights no such file", "run", "--config", net, "--weights", f"{w}/nope.npz")
    add("data files", "--weights not an npz", "run", "--config", net, "--weights", f"{w}/garbage.bin")
    add("data files", "--config a binary file", "run", "--config", f"{w}/garbage.bin")
    add("data files", "--golden not a folder", "testbench", "--config", net, "--weights", wts, "--golden",
        f"{w}/afile")
    return found
