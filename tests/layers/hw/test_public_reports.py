"""The estimator against published HLS synthesis reports (``bench/public_reports.py``):
issue 26's goals on the figures no rule was read off (held out), and every held-out miss
named with its reason — a new miss fails, and so does a miss that went away unnoticed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from public_reports import REPORTS, SHARE_GOALS, goal_rows, held_out_points, within  # noqa: E402

ROM_TRIMMED = ("Vitis trims a ROM's words to its values (15 bits: a 960-bit LUT ROM); the estimate, which does "
               "not see the values, costs the declared 16 bits (1,024: one BRAM)")
KNOWN_MISSES = {  # (report, figure) -> why the model misses it
    ("UG871 matrixmul, no pragmas (Vivado HLS 2019.2)", "DSP"):
        "vivado-hls's rolled logic is the seed's per-kind numbers (12 DSPs of an AlexNet conv's index arithmetic)",
    ("DCT dct_1d, no pragmas (Vitis 2020.1)", "BRAM_18K"): ROM_TRIMMED,
    ("DCT dct_1d, PIPELINE inner (Vitis 2020.1)", "BRAM_18K"): ROM_TRIMMED,
    ("DCT dct_1d, PIPELINE outer, src partitioned (Vitis 2020.1)", "WorstLatency"):
        "iteration latency 3: the adder tree chained within the 8 ns clock, where the estimate counts a cycle a level",
    ("CNN conv2 3x3, 8->16 on 14x14, <8,5> (Vivado HLS 2020.1)", "II"):
        "II 73 for 72 reads of a single-port RAM: one cycle more than the ports need",
}


def test_every_held_out_miss_is_a_known_one() -> None:
    misses = {(report.name, figure) for report, figure, estimate, reported in held_out_points()
              if figure in SHARE_GOALS and not within(estimate, reported, SHARE_GOALS[figure][1])}
    assert misses == set(KNOWN_MISSES)


def test_the_goals_on_held_out_points() -> None:
    """Latency within 10 % and DSP exact on 90 % of the designs, LUT within 25 % in the
    median. (BRAM_18K within 15 %: 15 of 17, the two ROM misses above; FF: the median is
    38 % — both printed by bench/bench_estimator.py and left open in issue 26.)"""
    rows = {row[0]: row for row in goal_rows()}
    for figure in ("WorstLatency", "DSP"):
        _, _, met, designs, _, _ = rows[figure]
        assert met >= 0.9 * designs >= 0.9 * 12, rows[figure]
    assert float(rows["LUT"][4].rstrip(" %")) <= 25


def test_the_corpus_spans_projects_releases_and_kinds() -> None:
    """At least 15 designs from 8 projects: conv, dense and matrix kernels, fixed point and
    integers, with and without pragmas, from Vivado HLS to Vitis 2024.1, each with its
    repository @ commit and report path."""
    assert len(REPORTS) >= 15 and len({r.project for r in REPORTS}) >= 8
    assert {r.kind for r in REPORTS} == {"matrix", "dense", "conv"}
    assert {r.tool for r in REPORTS} == {"vitis", "vitis-2020.1", "vivado-hls"}
    assert all("@" in r.source and ".rpt" in r.source for r in REPORTS)
    assert len({r.name for r in REPORTS}) == len(REPORTS)
    widths = {r.build()[2].width for r in REPORTS}
    fixed = {r.build()[2].frac > 0 for r in REPORTS}
    assert len(widths) >= 3 and fixed == {True, False}  # C integers and ap_fixed with fraction bits


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.name)
def test_a_report_figure_is_held_out_unless_named_fitted(report) -> None:
    """A figure marked fitted must be one the report gives (no goal is dodged by a typo)."""
    assert report.fitted <= set(report.reported)
    assert report.reported and all(value >= 0 for value in report.reported.values())
