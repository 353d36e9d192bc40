"""PNG plots of an estimator report (matplotlib, no display needed): utilization per layer
against the device, the roofline with every layer on it, and the latency breakdown."""

from __future__ import annotations

import io
import math

from layers.hw.estimate import RESOURCES
from layers.hw.roofline import roofline_point


def pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    pyplot().close(fig)
    return buffer.getvalue()


def utilization_plot(report: dict) -> bytes:
    """Per layer, the share of the device each resource takes (log scale: the seed's
    unoptimized layers reach thousands of percent); the 100 % line is the capacity."""
    plt = pyplot()
    names = list(report["layers"])
    available = report["available"]
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(names) + 3), 4))
    kinds = [k for k in RESOURCES if available[k]]
    width = 0.8 / len(kinds)
    for i, kind in enumerate(kinds):
        # a layer that uses none of a resource gets no bar (a log axis has no zero to draw)
        shares = [100.0 * report["layers"][n][kind] / available[kind] or float("nan") for n in names]
        ax.bar([x + i * width for x in range(len(names))], shares, width, label=kind)
    ax.axhline(100, color="red", linestyle="--", linewidth=1, label="capacity")
    ax.set_yscale("log")
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(names))], names, rotation=45, ha="right")
    ax.set_ylabel(f"% of {report['part']}")
    ax.set_title(f"Utilization per layer ({report['preset']})")
    ax.legend(fontsize=8, ncol=3)
    return png_bytes(fig)


def roofline_plot(report: dict) -> bytes:
    plt = pyplot()
    roofs = report["roofline"]
    points = [(name, row["intensity"], row["achieved_gops"]) for name, row in report["layers"].items() if row["macs"]]
    fig, ax = plt.subplots(figsize=(6, 4))
    lo = min([p[1] for p in points] + [0.1]) / 2
    hi = max([p[1] for p in points] + [100]) * 2
    xs = [lo * (hi / lo) ** (i / 200) for i in range(201)]
    ax.plot(xs, [roofline_point(x, roofs["compute_gops"], roofs["bandwidth_gbs"])[0] for x in xs], "k-",
            label=f"roof: {roofs['compute_gops']:.3g} GOPS, {roofs['bandwidth_gbs']:g} GB/s")
    placed: list[tuple[float, float]] = []
    for name, intensity, achieved in points:
        y = max(achieved, 1e-6)
        ax.plot(intensity, y, "o")
        # layers with nearly the same point (conv3-5, fc1-2) would print over each other:
        # each further label near an earlier one moves down a line
        near = sum(1 for px, py in placed if abs(math.log10(px / intensity)) < 0.15 and abs(math.log10(py / y)) < 0.15)
        ax.annotate(name, (intensity, y), fontsize=8, xytext=(4, 3 - 10 * near), textcoords="offset points")
        placed.append((intensity, y))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (operations / byte)")
    ax.set_ylabel("GOPS")
    ax.set_title("Roofline: estimated performance per layer")
    ax.legend(fontsize=8)
    return png_bytes(fig)


def latency_plot(report: dict) -> bytes:
    plt = pyplot()
    names = list(report["layers"])
    ms = [report["layers"][n]["latency_ms"] for n in names]
    fig, ax = plt.subplots(figsize=(6, max(3, 0.3 * len(names) + 1)))
    ax.barh(names[::-1], ms[::-1])
    ax.set_xlabel(f"latency (ms at {report['clock_ns']:g} ns)")
    ax.set_title(f"Latency per layer, total {report['total']['latency_ms']:.4g} ms")
    return png_bytes(fig)


PLOTS = {"utilization": utilization_plot, "roofline": roofline_plot, "latency": latency_plot}


def all_plots(report: dict) -> dict[str, bytes]:
    """Plot name -> PNG bytes."""
    return {name: draw(report) for name, draw in PLOTS.items()}
