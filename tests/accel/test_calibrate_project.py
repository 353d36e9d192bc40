"""``accel calibrate`` on the reports of a whole project ``accel export-hls`` wrote: every
layer is a module of that project, named as the exported C++ names its function (read here
from the C++, not from the rule calibrate uses), in the folder Vitis writes them to."""

from __future__ import annotations

import json
import re

import yaml

from accel.cli import main
from accel.config import network_from_dict
from layers.hw import Profile, find_device
from tests.accel.test_calibrate import TRUE
from tests.accel.test_csynth import module_xml

NET = {  # names a C identifier cannot carry, so the exported functions are not the layer names
    "name": "proj", "input": {"shape": [4, 10, 10], "type": "ap_fixed<16,4>"},
    "defaults": {"types": {"weight": "ap_fixed<16,4>", "bias": "ap_fixed<16,4>", "accum": "ap_fixed<40,16>",
                           "result": "ap_fixed<16,4,AP_RND,AP_SAT>"}},
    "layers": [
        {"name": "conv-1", "op": "conv", "out_channels": 8, "kernel": 3, "relu": True},
        {"name": "conv.2", "op": "conv", "out_channels": 8, "kernel": 3},
        {"name": "3x3 conv", "op": "conv", "out_channels": 6, "kernel": 3, "padding": 1},
        {"name": "pool", "op": "maxpool", "kernel": 2, "stride": 2},
        {"name": "flat", "op": "flatten"},
        {"name": "fc/out", "op": "dense", "out_features": 10, "directives": {"pipeline": "n"}},
    ],
}


def exported_functions(project) -> list[str]:
    """The layer functions the exported top calls, in the order it calls them."""
    top = (project / "firmware" / "proj.cpp").read_text()
    return re.findall(r"^\s+(\w+_layer)\(", top.split("void proj(")[1], flags=re.M)


def write_reports(folder, functions: list[str], network, profile: Profile) -> None:
    """What ``csynth_design`` of the exported project writes, as ``profile`` says Vitis
    behaves: the top's csynth.xml listing every module, and one ``MODULE_csynth.xml`` each."""
    folder.mkdir(parents=True)
    device = find_device("ultra96")
    for function, (layer, shape, _), (_, in_type, _) in zip(functions, network.shapes(), network.io_types()):
        est = layer.estimate(shape, in_type, device, profile)
        resources = {k: getattr(est, k) for k in ("BRAM_18K", "DSP", "FF", "LUT", "URAM")}
        (folder / f"{function}_csynth.xml").write_text(
            module_xml(function, est.BestLatency, est.WorstLatency, est.IntervalMax, resources))
    (folder / "csynth.xml").write_text(module_xml("proj", 1, 1, 1, {"BRAM_18K": 0, "DSP": 0, "FF": 0, "LUT": 0,
                                                                     "URAM": 0}))


def test_calibrate_round_trips_on_an_exported_projects_reports(tmp_path, capsys) -> None:
    config = tmp_path / "proj.yaml"
    config.write_text(yaml.safe_dump(NET))
    project = tmp_path / "proj_hls"
    assert main(["export-hls", "--config", str(config), "--out", str(project), "--board", "ultra96"]) == 0
    functions = exported_functions(project)
    network = network_from_dict(NET, str(config))
    assert len(functions) == len(network.layers) and "conv_1_layer" in functions  # (not "conv-1_layer")
    reports = project / "proj_prj" / "solution1" / "syn" / "report"  # where build_prj.tcl's synthesis writes
    shipped = Profile.load().with_tool("vivado-hls")
    write_reports(reports, functions, network, shipped.updated(**TRUE))
    capsys.readouterr()
    fitted = tmp_path / "fitted"
    assert main(["calibrate", "--config", str(config), "--reports", str(reports), "--out", str(fitted), "--json",
                 "--tool", "vivado-hls"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["unmatched"] == [] and {row["module"] for row in data["rows"]} == set(functions)
    assert {row["layer"] for row in data["rows"]} == {layer["name"] for layer in NET["layers"]}
    assert {k: data["fitted"][k]["after"] for k in ("rolled.per_body.conv", "rolled.per_outer.conv")} == {
        "rolled.per_body.conv": 3, "rolled.per_outer.conv": 9}
    assert data["summary_after"]["WorstLatency"]["median_abs_error"] == 0
    profile = Profile.load(str(fitted) + ".yaml")
    assert profile.rolled_per_body("conv") == 3 and profile.tool == "vivado-hls"


def test_a_layer_without_a_module_is_named_not_dropped(tmp_path, capsys) -> None:
    config = tmp_path / "proj.yaml"
    config.write_text(yaml.safe_dump(NET))
    network = network_from_dict(NET, str(config))
    functions = ["conv_1_layer", "conv_2_layer", "x3x3_conv_layer_renamed", "pool_layer", "flat_layer", "fc_out_layer"]
    write_reports(tmp_path / "report", functions, network, Profile.load())
    assert main(["calibrate", "--config", str(config), "--reports", str(tmp_path / "report"), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["unmatched"] == ["3x3 conv"]
    assert "no module of the reports for layer(s) 3x3 conv" in captured.err and "--match" in captured.err
