"""Estimator speed: how long a user waits for the answer synthesis takes hours to give.

    python bench/bench_estimator.py

1. ``estimate_network`` on AlexNet-227 under each preset (goal: well under a second),
   against the simulator running one image of the same network in this process (the
   thing users already wait for).
2. The whole ``accel report`` in a fresh process (imports included), text and HTML.
3. Tile exploration (``accel dse``), per layer and unified, on an Ultra96.
4. The validation table: every point the estimator is checked against, with estimate,
   reported value and error, and per figure the median |error|, sMAPE and R² (the form
   resource-prediction papers report). Points the profile was fitted to are marked.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_network import best_of  # noqa: E402

from accel.config import load_network  # noqa: E402
from accel.dse import explore  # noqa: E402
from accel.estimator import estimate_network  # noqa: E402
from accel.shipped import shipped_config  # noqa: E402
from accel.simulator import Simulator  # noqa: E402
from accel.weights import seeded_weights  # noqa: E402


def validation_points() -> list[tuple[str, str, str, float, float, bool]]:
    """(source, point, figure, estimate, reported, fitted) for every validation point."""
    from accel.dse import FREE, Budget, explore_layers
    from layers import Conv, LayerTypes
    from layers.hw import Profile
    from quant import FixedType

    points = []
    network = load_network(shipped_config("alexnet227"))
    unopt = estimate_network(network, "xqvu7p", "unopt", Profile.load().with_tool("vivado-hls"))  # as measured
    for fit in Profile.load().fit_points():  # the seed's UNOPT rows (the profile's fitted points)
        est = unopt.layer(fit["layer"])
        fitted = "note" not in fit  # rows with a note were left out of the fit
        points.append(("seed UNOPT", fit["layer"], "latency_ms", est.latency_ms(10.0), fit["latency_ms"], fitted))
        for figure in ("DSP", "LUT", "FF"):
            points.append(("seed UNOPT", fit["layer"], figure, getattr(est, figure), fit[figure], fitted))
    # the seed's OPT rows (tiled, pipelined): their logic sets datapath.dram_array (fitted)
    opt = estimate_network(network, "ultra96", "opt", Profile.load())
    seed_opt = {"conv1": (10308, 5136), "conv2": (10855, 10637), "conv3": (17091, 11217), "conv4": (15378, 9146),
                "conv5": (12260, 5634), "fc1": (5441, 3925), "fc2": (5255, 3892)}
    for layer, (lut, ff) in seed_opt.items():
        points.append(("seed OPT", layer, "LUT", opt.layer(layer).LUT, lut, True))
        points.append(("seed OPT", layer, "FF", opt.layer(layer).FF, ff, True))
    for layer, blocks in {"conv1": 414, "conv2": 828, "conv3": 973, "lrn1": 536, "fc1": 34581}.items():
        points.append(("seed UNOPT", layer, "BRAM_18K", unopt.layer(layer).BRAM_18K, blocks, False))
    # hls4ml's own published csynth report (test/pytest/test_report/Vivado, Vivado HLS 2020.1):
    # Dense 16->5 <16,6>, io_stream, Latency, RF 1; FF/LUT constants and the stream cycles were set on it
    from layers.hw.hls4ml_cost import Hls4mlImpl, IoType, estimate_dense
    from layers.hw import find_device
    dense = estimate_dense(Hls4mlImpl(io_type=IoType.STREAM), 16, 5, 16, 16, 16, find_device("pynq-z2"))
    for figure, reported, fitted in (("DSP", 73, False), ("FF", 7860, True), ("LUT", 2134, True),
                                     ("cycles", 7, True), ("interval", 7, False)):
        value = {"cycles": dense.WorstLatency, "interval": dense.IntervalMax}.get(figure, getattr(dense, figure, 0))
        points.append(("hls4ml test report", "Dense 16->5 RF1 io_stream", figure, value, reported, fitted))
    from public_reports import REPORTS, estimated

    for report in REPORTS:
        est = report.estimate()
        for figure, reported in report.reported.items():
            label = "cycles" if figure == "WorstLatency" else figure
            points.append((report.project, report.name[:40], label, estimated(report, figure, est), reported,
                           figure in report.fitted))
    q = FixedType.parse("ap_fixed<16,4>")
    types = LayerTypes(q, q, q, FixedType.parse("ap_fixed<40,16>"), q)
    zhang = {"conv1": (48, 3, 11, 4, 0, 227), "conv2": (128, 48, 5, 1, 2, 27), "conv3": (192, 256, 3, 1, 1, 13),
             "conv4": (192, 192, 3, 1, 1, 13), "conv5": (128, 192, 3, 1, 1, 13)}
    rows = [(Conv(n, m, (k, k), types, stride=s, padding=p), (c, h, h), q) for n, (m, c, k, s, p, h) in zhang.items()]
    for mode, reported in (("per-layer", 963_804), ("unified", 1_008_246)):
        choices = explore_layers(rows, "vc707", mode, budget=Budget(None, 480), bandwidth_gbs=FREE)
        points.append(("Zhang et al. FPGA'15", f"AlexNet {mode} optimum", "cycles",
                       sum(c.WorstLatency for c in choices), reported, False))
    return points


def validation_table() -> None:
    from reports.table import Table

    points = validation_points()
    rows = [(source, point, figure, _number(est), _number(rep), _error(est, rep), "fitted" if fitted else "")
            for source, point, figure, est, rep, fitted in points]
    print(Table("Validation points", ("source", "point", "figure", "estimate", "reported", "error", ""),
                tuple(rows)).render("text"))
    summary = []
    for figure in sorted({p[2] for p in points}):
        cells = []
        for chosen in ([p for p in points if p[2] == figure], [p for p in points if p[2] == figure and not p[5]]):
            cells += _summary(np.array([p[3] for p in chosen], dtype=float), np.array([p[4] for p in chosen], dtype=float))
        summary.append((figure, *cells))
    print(Table("Summary per figure: all points, then the held-out ones (not fitted)",
                ("figure", "points", "median |error|", "sMAPE", "R²", "held out", "median |error|", "sMAPE", "R²"),
                tuple(summary)).render("text"))
    from public_reports import corpus_summary, goal_rows

    print(f"\nPublic reports (bench/public_reports.py): {corpus_summary()}")
    print(Table("Issue 26's goals on their held-out figures (fitted ones never count)",
                ("figure", "goal", "met", "designs", "achieved", "required"), tuple(goal_rows())).render("text"))


def _summary(est: np.ndarray, rep: np.ndarray) -> list:
    if not est.size:
        return [0, "-", "-", "-"]
    smape = np.mean(2 * np.abs(est - rep) / np.maximum(np.abs(est) + np.abs(rep), 1e-12))
    spread = np.sum((rep - rep.mean()) ** 2)
    r2 = f"{1 - np.sum((est - rep) ** 2) / spread:.3f}" if spread > 0 else "-"
    relative = np.abs(est - rep)[rep != 0] / rep[rep != 0]
    median = f"{100 * np.median(relative):.1f} %" if relative.size else "-"
    return [len(est), median, f"{100 * smape:.1f} %", r2]


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"


def _error(estimate: float, reported: float) -> str:
    if reported == 0:
        return "exact" if estimate == 0 else "n/a (reported 0)"
    return f"{100 * (estimate - reported) / reported:+.1f} %"


def main() -> None:
    network = load_network(shipped_config("alexnet227"))
    simulator = Simulator(network, seeded_weights(network))
    image = np.random.default_rng(0).normal(size=(1, *network.input_shape))
    simulate = best_of(lambda: simulator.run(image), repeat=2)
    print(f"simulator, one AlexNet-227 image: {simulate * 1e3:.1f} ms (baseline)")
    for preset in ("config", "unopt", "opt"):
        seconds = best_of(lambda: estimate_network(network, "ultra96", preset), repeat=5)
        print(f"estimate_network {preset:6s}: {seconds * 1e3:6.1f} ms  ({simulate / seconds:.0f}x faster than one image)")
    for fmt in ("text", "html"):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "accel.cli", "report", "--format", fmt], check=True,
                       stdout=subprocess.DEVNULL)
        print(f"accel report --format {fmt} (fresh process): {time.perf_counter() - start:.2f} s")
    for mode in ("per-layer", "unified"):
        start = time.perf_counter()
        explore(network, "ultra96", mode)
        print(f"dse {mode}: {time.perf_counter() - start:.2f} s")
    validation_table()


if __name__ == "__main__":
    main()
