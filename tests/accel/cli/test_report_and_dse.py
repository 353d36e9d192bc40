"""``accel report`` and ``accel dse`` as users run them: every format, the plots, errors."""

from __future__ import annotations

import csv
import io
import json

import pytest

from accel.cli import main
from accel.config import load_network
from layers.hw.devices import find_device
from accel.dse import explore
from accel.shipped import shipped_config
from layers import Conv

RESOURCES = ("BRAM_18K", "DSP", "FF", "LUT", "URAM")
LATENCIES = ("BestLatency", "WorstLatency", "IntervalMin", "IntervalMax")


def run(capsys, *argv: str) -> str:
    assert main(["report", *argv]) == 0
    return capsys.readouterr().out


def test_json_has_the_documented_shape(capsys) -> None:
    report = json.loads(run(capsys, "--format", "json", "--preset", "unopt"))
    assert report["board"] == "ultra96" and report["clock_ns"] == 10.0
    assert len(report["layers"]) == 14
    for layer in report["layers"].values():
        assert set(RESOURCES + LATENCIES) <= set(layer)
    for key in RESOURCES:
        assert report["total"][key] == sum(layer[key] for layer in report["layers"].values()) or key in ("LUT", "FF")
        assert report["available"][key] == find_device("ultra96").available()[key]
    assert report["utilization"]["BRAM_18K"] == pytest.approx(100 * report["total"]["BRAM_18K"] / 432)
    assert ["fc1", "BRAM_18K"] in report["over_budget"]
    conv2 = report["layers"]["conv2"]
    assert conv2["flops"] == 2 * 27 * 27 * 256 * 96 * 25  # 2·Hout·Wout·Cout·Cin·K²
    assert conv2["latency_ms"] == pytest.approx(conv2["WorstLatency"] * 1e-5)


def test_text_flags_over_budget_cells(capsys) -> None:
    text = run(capsys, "--preset", "unopt", "--board", "xqvu7p")
    total = next(line for line in text.splitlines() if line.strip().startswith("Total") and "!" in line)
    assert total.split()[1] == "59597" and total.split()[2] == "!"
    utilization = next(line for line in text.splitlines() if "Utilization (%)" in line)
    assert "2069 !" in utilization
    assert "'!' marks a cell over the device's capacity" in text


def test_markdown_and_csv(capsys) -> None:
    md = run(capsys, "--format", "md")
    assert md.startswith("# alexnet227 on ultra96") and "| Name | BRAM_18K | DSP | FF | LUT | URAM |" in md
    text = run(capsys, "--format", "csv")
    rows = list(csv.reader(io.StringIO(text)))
    # one tidy table: a row per layer and the total, every resource and latency column
    assert "\n\n" not in text.strip() and {len(r) for r in rows} == {len(rows[0])}
    assert rows[0] == ["name", "op", *RESOURCES, *LATENCIES, "latency_ms"]
    assert [r[0] for r in rows[1:4]] == ["conv1", "lrn1", "pool1"] and rows[-1][0] == "Total"
    report = json.loads(run(capsys, "--format", "json"))
    assert rows[1][2:2 + len(RESOURCES)] == [str(report["layers"]["conv1"][k]) for k in RESOURCES]


def test_html_is_one_self_contained_page(tmp_path, capsys) -> None:
    assert main(["report", "--format", "html", "--out", str(tmp_path)]) == 0
    page = (tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 3
    assert "src='http" not in page and "<link" not in page
    assert "Utilization Estimates" in page and "Roofline" in page


def test_out_folder_gets_the_report_and_png_plots(tmp_path, capsys) -> None:
    assert main(["report", "--out", str(tmp_path / "r"), "--bits", "32", "--batch", "4"]) == 0
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert names == ["latency.png", "report.txt", "roofline.png", "utilization.png"]
    for png in (tmp_path / "r").glob("*.png"):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "at 32 bits per element, batch 4" in (tmp_path / "r" / "report.txt").read_text()


def test_intensity_follows_bits_and_batch(capsys) -> None:
    one = json.loads(run(capsys, "--format", "json", "--bits", "32"))["layers"]["fc1"]
    eight = json.loads(run(capsys, "--format", "json", "--bits", "32", "--batch", "8"))["layers"]["fc1"]
    # fc1: weights dominate; a batch of 8 shares them -> about 8x the operations per byte
    assert one["intensity"] == pytest.approx(2 * 9216 * 4096 / ((9216 + 4096 + 9216 * 4096 + 4096) * 4))
    assert eight["intensity"] / one["intensity"] == pytest.approx(8, rel=0.01)


@pytest.mark.parametrize("argv, fragment", [
    (["--board", "ultra69"], "unknown device 'ultra69'"),
    (["--config", "nowhere.yaml"], "nowhere.yaml"),
    (["--profile", "nowhere.yaml"], "nowhere.yaml: cannot read the profile"),
    (["--clock-ns", "0"], "--clock-ns: 0 must be a finite number above 0"),
    (["--clock-ns", "nan"], "--clock-ns: nan must be a finite number above 0"),
    (["--bandwidth", "-5"], "--bandwidth: -5 must be a finite number above 0"),
    (["--batch", "0"], "--batch: 0 must be at least 1"),
    (["--out", "/proc/version"], "is a file, not a folder"),
])
def test_errors_name_what_is_wrong(capsys, argv, fragment) -> None:
    assert main(["report", *argv]) == 2
    assert fragment in capsys.readouterr().err


def test_dse_per_layer_is_the_fastest_fitting_candidate() -> None:
    network = load_network(shipped_config("alexnet227"))
    device = find_device("ultra96")
    choices = {c.layer: c for c in explore(network, device, "per-layer")}
    assert set(choices) == {"conv1", "conv2", "conv3", "conv4", "conv5", "fc1", "fc2", "fc3"}
    for choice in choices.values():
        assert choice.DSP <= device.DSP and choice.BRAM_18K <= device.BRAM_18K
    # brute force over conv3's candidates: none that fits is faster
    from dataclasses import replace

    from layers.hw import Preset, Profile

    (layer, shape, _), (_, in_type, _) = next(
        (row, io) for row, io in zip(network.shapes(), network.io_types()) if row[0].name == "conv3")
    fastest = min(
        est.WorstLatency for est in (
            replace(layer, tiles=tuple(t.items())).estimate(shape, in_type, device, Profile.load(), Preset.OPT)
            for t in layer.tile_candidates(shape))
        if est.DSP <= device.DSP and est.BRAM_18K <= device.BRAM_18K)
    assert choices["conv3"].WorstLatency == fastest


def test_dse_unified_shares_one_channel_tile(capsys) -> None:
    network = load_network(shipped_config("alexnet227"))
    choices = explore(network, "ultra96", "unified")
    convs = [(dict(c.tiles), network.layer(c.layer)) for c in choices if isinstance(network.layer(c.layer), Conv)]
    assert len(convs) == 5
    tm = max(t["m"] for t, _ in convs)
    tn = max(t["n"] for t, _ in convs)
    shapes = {row[0].name: row[1] for row in network.shapes()}
    for tiles, layer in convs:
        nest = layer.loop_nest(shapes[layer.name])
        assert (tiles["m"], tiles["n"]) == (min(tm, nest.extent("m")), min(tn, nest.extent("n")))
    assert main(["dse", "--unified"]) == 0
    assert "tiles: {m: " in capsys.readouterr().out


def test_dse_reports_boards_too_small() -> None:
    network = load_network(shipped_config("alexnet227"))
    with pytest.raises(ValueError, match="no tiling fits xc7z020"):
        explore(network, "pynq-z2", share=0.01)


def test_dse_budget_from_the_command_line(capsys) -> None:
    assert main(["dse", "--board", "vc707", "--pe", "480", "--bandwidth", "free", "--share", "none", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["budget"] == {"share": None, "pe": 480, "bandwidth_gbs": "free"}
    assert all(c["tiles"]["m"] * c["tiles"]["n"] <= 480 for c in data["layers"].values())
    for argv, fragment in ((["--share", "2"], "--share: 2 must be in (0, 1] or 'none'"),
                           (["--pe", "0"], "--pe: 0 must be at least 1"),
                           (["--bandwidth", "fast"], "--bandwidth: 'fast' is not a number")):
        assert main(["dse", *argv]) == 2
        assert fragment in capsys.readouterr().err


def test_the_networks_target_part_and_clock_are_the_defaults(tmp_path, capsys) -> None:
    """``target: {part, clock_ns}`` in the network (what an hls4ml import writes) sets the
    report's board and clock unless --board/--clock-ns say otherwise; an unknown part is
    refused naming the field."""
    import yaml

    from accel.shipped import shipped_config

    data = yaml.safe_load(open(shipped_config("alexnet32")).read())
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump({**data, "target": {"part": "xczu7ev-ffvc1156-2-e", "clock_ns": 4.0}}))
    assert main(["report", "--config", str(path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["part"], report["clock_ns"]) == ("xczu7ev", 4.0)
    assert main(["report", "--config", str(path), "--format", "json", "--board", "ultra96", "--clock-ns", "10"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["part"], report["clock_ns"]) == ("xczu3eg", 10.0)
    path.write_text(yaml.safe_dump({**data, "target": {"part": "xcfoo"}}))
    assert main(["report", "--config", str(path)]) == 2
    assert "target: part: unknown device 'xcfoo'" in capsys.readouterr().err
