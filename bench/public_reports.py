"""The estimator against published Vitis/Vivado HLS synthesis reports it was not fitted to.

Each entry (``public_report.PublicReport``) names the public source (repository, commit,
report file, tool release and part), the C++ it synthesized as a loop nest with its
pragmas, and the figures the report gives; ``fitted`` marks the figures a rule or number
of the model was read off. The corpus: matrix products (``public_matrix``) and neural
layers (``public_layers``). ``bench/bench_estimator.py`` prints every point and
``goal_table``; ``tests/layers/hw/test_public_reports.py`` holds the goals.

The goals of issue 26, on held-out points only (a figure in ``fitted`` never counts):
latency within 10 % on 90 % of the designs, BRAM_18K within 15 % on 90 %, DSP exact on
90 %, LUT and FF within 25 % in the median.
"""

from __future__ import annotations

import re
from statistics import median

from public_layers import LAYERS
from public_matrix import MATRIX
from public_report import PublicReport

REPORTS: tuple[PublicReport, ...] = MATRIX + LAYERS

# figure -> (what the goal says, relative tolerance, share of designs that must meet it)
SHARE_GOALS = {"WorstLatency": ("within 10 %", 0.10, 0.90), "BRAM_18K": ("within 15 %", 0.15, 0.90),
               "DSP": ("exact", 0.0, 0.90), "II": ("exact (not a goal of the issue)", 0.0, None)}
MEDIAN_GOALS = {"LUT": 0.25, "FF": 0.25}  # median |relative error| at most


def estimated(report: PublicReport, figure: str, estimate=None) -> float:
    """The estimate's value of a report figure (``II``: the pipeline's, from its description)."""
    estimate = estimate if estimate is not None else report.estimate()
    if figure == "II":
        found = re.search(r"II=(\d+)", estimate.dominant)
        return int(found.group(1)) if found else 0
    return getattr(estimate, figure)


def held_out_points(reports=REPORTS) -> list[tuple[PublicReport, str, float, float]]:
    """(report, figure, estimate, reported) of every figure not fitted on its own report."""
    points = []
    for report in reports:
        estimate = report.estimate()
        points += [(report, figure, estimated(report, figure, estimate), value)
                   for figure, value in report.reported.items() if figure not in report.fitted]
    return points


def within(estimate: float, reported: float, tolerance: float) -> bool:
    return abs(estimate - reported) <= tolerance * abs(reported)


def goal_rows(reports=REPORTS) -> list[tuple[str, str, int, int, str, str]]:
    """(figure, goal, met, designs, achieved, required) for each of the issue's goals."""
    points = held_out_points(reports)
    rows = []
    for figure, (goal, tolerance, share) in SHARE_GOALS.items():
        chosen = [(e, r) for _, f, e, r in points if f == figure]
        met = sum(within(e, r, tolerance) for e, r in chosen)
        rows.append((figure, goal, met, len(chosen), f"{100 * met / max(1, len(chosen)):.0f} %",
                     "-" if share is None else f">= {100 * share:.0f} %"))
    for figure, limit in MEDIAN_GOALS.items():
        errors = [abs(e - r) / r for _, f, e, r in points if f == figure and r]
        achieved = median(errors) if errors else float("nan")
        rows.append((figure, "median |error|", sum(e <= limit for e in errors), len(errors),
                     f"{100 * achieved:.0f} %", f"<= {100 * limit:.0f} %"))
    return rows


def corpus_summary(reports=REPORTS) -> str:
    projects = sorted({r.project for r in reports})
    kinds = {kind: sum(r.kind == kind for r in reports) for kind in ("matrix", "dense", "conv")}
    return (f"{len(reports)} designs from {len(projects)} projects "
            f"({', '.join(f'{n} {k}' for k, n in kinds.items())}): {', '.join(projects)}")
