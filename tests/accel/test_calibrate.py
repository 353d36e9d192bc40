"""The estimator against synthesis reports, and a profile fitted to them (``accel.calibrate``).

The reports are written as Vitis writes them (``tests/accel/test_csynth.py``'s ``module_xml``)
from the estimates of a profile with known constants, so the fit has a right answer."""

from __future__ import annotations

import json

import yaml

from accel.calibrate import compare, fit, summary
from accel.cli import main
from accel.config import network_from_dict
from accel.csynth import read_reports
from layers.hw import Preset, Profile, find_device
from tests.accel.test_csynth import module_xml


NET = {
    "name": "cal", "input": {"shape": [8, 12, 12], "type": "ap_fixed<16,4>"},
    "defaults": {"types": {"weight": "ap_fixed<16,4>", "bias": "ap_fixed<16,4>", "accum": "ap_fixed<40,16>",
                           "result": "ap_fixed<16,4,AP_RND,AP_SAT>"}},
    "layers": [
        {"name": "conv1", "op": "conv", "out_channels": 16, "kernel": 3, "relu": True},        # rolled
        {"name": "conv2", "op": "conv", "out_channels": 8, "kernel": 3},                       # rolled
        {"name": "conv3", "op": "conv", "out_channels": 8, "kernel": 3, "padding": 1},         # rolled
        {"name": "flat", "op": "flatten"},
        {"name": "fc1", "op": "dense", "out_features": 10, "directives": {"pipeline": "n"}},  # pipelined
    ],
}
TRUE = {"rolled": {"per_body": {"conv": 3}, "per_outer": {"conv": 9}, "LUT": {"conv": 5200}, "FF": {"conv": 3100},
                   "DSP": {"conv": 7}},
        "pipelined": {"LUT": {"dense": 2500}, "FF": {"dense": 1800}}}


def synthesized(tmp_path, network, profile: Profile, preset: Preset = Preset.CONFIG) -> None:
    """Reports of ``network`` as if Vitis behaved as ``profile`` says, one per layer module
    (the top ``csynth.xml`` lists them in ModuleInformation, as Vitis 2021+ does)."""
    device = find_device("ultra96")
    modules = []
    for (layer, shape, _), (_, in_type, _) in zip(network.shapes(), network.io_types()):
        est = layer.estimate(shape, in_type, device, profile, preset)
        resources = {k: getattr(est, k) for k in ("BRAM_18K", "DSP", "FF", "LUT", "URAM")}
        modules.append((f"{layer.name}_layer", est, resources))
    def inner(name, e, r) -> str:  # a module's sections, without the <profile> around them
        return module_xml(name, e.BestLatency, e.WorstLatency, e.IntervalMax, r).split("<profile>")[1].split("</profile>")[0]

    info = "".join(f"<Module><Name>{name}</Name>{inner(name, e, r)}</Module>" for name, e, r in modules)
    top = module_xml("cal", 1, 1, 1, {"BRAM_18K": 0, "DSP": 0, "FF": 0, "LUT": 0, "URAM": 0})
    (tmp_path / "csynth.xml").write_text(top.replace("</profile>", f"<ModuleInformation>{info}</ModuleInformation>\n</profile>"))


def test_the_fit_recovers_the_constants_the_reports_were_made_with(tmp_path) -> None:
    network = network_from_dict(NET, "cal.yaml")
    shipped = Profile.load().with_tool("vivado-hls")  # rolled loops stay rolled: their constants are fitted
    synthesized(tmp_path, network, shipped.updated(**TRUE))
    modules = read_reports(tmp_path)
    assert set(modules) == {"cal", "conv1_layer", "conv2_layer", "conv3_layer", "flat_layer", "fc1_layer"}
    device = find_device("ultra96")
    before = compare(network, modules, device, shipped)
    assert {r.layer for r in before} == {"conv1", "conv2", "conv3", "flat", "fc1"}
    assert summary(before)["WorstLatency"]["median_abs_error"] > 0.2  # the shipped profile: 2 cycles a MAC
    fitted, changes = fit(network, modules, device, shipped, max_factor=None)  # unbounded: recover them all
    assert (changes["rolled.per_body.conv"].before, changes["rolled.per_body.conv"].after) == (2, 3)
    assert changes["rolled.per_outer.conv"].after == 9 and changes["rolled.per_body.conv"].points == 3
    assert changes["rolled.LUT.conv"].after == 5200 and changes["pipelined.FF.dense"].after == 1800
    after = compare(network, modules, device, fitted)
    assert all(r.error == 0 for r in after if r.figure in ("WorstLatency", "LUT", "FF", "DSP") and r.op != "flatten")


def test_a_constant_no_reported_figure_depends_on_keeps_its_value(tmp_path) -> None:
    """Under Vitis a MAC nest with PIPELINE off is costed from its operations: its LUT take the
    pipelined control term, its FF are its FSM's states and datapath — no constant. The fit
    sets what the LUT say and leaves ``pipelined.FF`` as it was (not 0, the least-squares
    answer to a column of zeros)."""
    data = {**NET, "layers": [dict(NET["layers"][0], directives={"auto_pipeline": False})]}
    network = network_from_dict(data, "rolled.yaml")
    shipped = Profile.load()
    synthesized(tmp_path, network, shipped.updated(pipelined={"LUT": {"conv": 400}, "FF": {"conv": 999}}))
    fitted, changes = fit(network, read_reports(tmp_path), find_device("ultra96"), shipped)
    lut, ff = changes["pipelined.LUT.conv"], changes["pipelined.FF.conv"]
    assert (lut.before, lut.after) == (shipped.pipelined_logic("LUT", "conv"), 400)
    assert ff.before == ff.after == shipped.pipelined_logic("FF", "conv")
    assert fitted.pipelined_logic("FF", "conv") == shipped.pipelined_logic("FF", "conv")


def test_one_report_moves_a_constant_only_so_far_and_says_so(tmp_path) -> None:
    """Issue 26's case: one layer's report whose LUT the control term would have to absorb
    (150 -> 20,581). The fit stays within x4 of the profile's value, says it was bounded and
    on how many points; ``max_factor=None`` gives what the unbounded fit asks."""
    data = {**NET, "layers": [dict(NET["layers"][0], directives={"pipeline": "j"})]}
    network = network_from_dict(data, "one.yaml")
    shipped = Profile.load()
    synthesized(tmp_path, network, shipped.updated(pipelined={"LUT": {"conv": 20581}}))
    modules, device = read_reports(tmp_path), find_device("ultra96")
    _, changes = fit(network, modules, device, shipped)
    lut = changes["pipelined.LUT.conv"]
    assert (lut.before, lut.after, lut.points) == (150, 600, 1)
    assert lut.note == "bounded to x4 of 150: the fit asked 20581"
    _, unbounded = fit(network, modules, device, shipped, max_factor=None)
    assert unbounded["pipelined.LUT.conv"].after == 20581
    assert unbounded["pipelined.LUT.conv"].note.startswith("exact: as many points as constants")


def test_fewer_points_than_constants_keep_the_profiles_values(tmp_path) -> None:
    """A rolled conv's latency has two constants (per MAC, per output): one layer's latency
    is one equation for two unknowns, which any pair on a line satisfies. They are kept."""
    data = {**NET, "layers": [NET["layers"][0]]}
    network = network_from_dict(data, "rolled.yaml")
    shipped = Profile.load().with_tool("vivado-hls")
    synthesized(tmp_path, network, shipped.updated(rolled={"per_body": {"conv": 3}}))
    fitted, changes = fit(network, read_reports(tmp_path), find_device("ultra96"), shipped)
    body, outer = changes["rolled.per_body.conv"], changes["rolled.per_outer.conv"]
    assert body.before == body.after == 2 and outer.before == outer.after == 6
    assert body.note == "kept: 1 WorstLatency point(s) for 2 constants fitted together"
    assert fitted.rolled_per_body("conv") == 2


def test_a_constant_at_zero_is_bounded_by_its_siblings(tmp_path) -> None:
    """``rolled.DSP.flatten`` is 0: no scale of its own, so x4 the largest ``rolled.DSP`` of
    the other kinds (conv's 12) bounds it: a report of the rolled (``unopt``) design claiming
    100 DSPs moves it to 48."""
    data = {**NET, "layers": [NET["layers"][0], NET["layers"][3]]}
    network = network_from_dict(data, "flat.yaml")
    shipped = Profile.load().with_tool("vivado-hls")
    assert shipped.data["rolled"]["DSP"]["flatten"] == 0 and max(shipped.data["rolled"]["DSP"].values()) == 12
    synthesized(tmp_path, network, shipped.updated(rolled={"DSP": {"flatten": 100}}), Preset.UNOPT)
    _, changes = fit(network, read_reports(tmp_path), find_device("ultra96"), shipped, Preset.UNOPT)
    dsp = changes["rolled.DSP.flatten"]
    assert (dsp.before, dsp.after) == (0, 48) and dsp.note == "bounded to x4 of 0: the fit asked 100"


def test_the_command_prints_both_sides_and_writes_a_profile_report_reads(tmp_path, capsys) -> None:
    network = network_from_dict(NET, "cal.yaml")
    config = tmp_path / "cal.yaml"
    config.write_text(yaml.safe_dump(NET))
    reports = tmp_path / "report"
    reports.mkdir()
    synthesized(reports, network, Profile.load().with_tool("vivado-hls").updated(**TRUE))
    out = tmp_path / "fitted"
    assert main(["calibrate", "--config", str(config), "--reports", str(reports), "--out", str(out), "--json",
                 "--tool", "vivado-hls"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["written"] == str(out) + ".yaml"
    assert {k: data["fitted"]["rolled.per_body.conv"][k] for k in ("before", "after", "points")} == {
        "before": 2, "after": 3, "points": 3}
    assert data["summary_after"]["WorstLatency"]["median_abs_error"] == 0
    fitted = Profile.load(str(out) + ".yaml")
    assert fitted.version == Profile.load().version + 1 and fitted.name.endswith("-calibrated")
    assert fitted.tool == "vivado-hls"  # the behaviour it was fitted under travels with it
    assert main(["report", "--config", str(config), "--profile", str(out) + ".yaml", "--board", "ultra96"]) == 0
    assert main(["calibrate", "--config", str(config), "--reports", str(reports), "--match", "conv1"]) == 2
    assert "--match 'conv1': write LAYER=MODULE" in capsys.readouterr().err
    assert main(["calibrate", "--config", str(config), "--reports", str(tmp_path / "none")]) == 2
