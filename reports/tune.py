"""Tables and the Pareto plot of an ``accel tune`` run (``report`` as ``--format json`` writes it)."""

from __future__ import annotations

from .document import Document
from .plots import png_bytes, pyplot
from .table import Table

RESOURCES = ("DSP", "BRAM_18K", "LUT", "FF", "latency_ms")


def result_table(report: dict) -> Table:
    """The start and the tuned design side by side: accuracy on the search and held-out
    images, the objective and every resource."""
    rows = []
    for name in ("start", "tuned"):
        design = report[name]
        holdout = "-" if design.get("holdout") is None else f"{design['holdout']:.2f}%"
        rows.append((name, design["label"], f"{design['search']:.2f}%", holdout, round(design["cost"], 5),
                     *(design["resources"][k] for k in RESOURCES)))
    metric = report["target"]["metric"]
    return Table("Start and tuned design", ("design", "widths", f"{metric} (search)", f"{metric} (held out)",
                                            report["objective"], *RESOURCES), tuple(rows),
                 notes=(f"target: {report['target']['text']} on {report['images']['search']} search images; "
                        f"held out: {report['images']['holdout']} images the search never saw",))


def types_table(report: dict) -> Table:
    rows = tuple((layer, *(arrays.get(a, "") for a in ("weight", "bias", "accum", "result")))
                 for layer, arrays in report["types"].items())
    return Table("Chosen types", ("layer", "weight", "bias", "accum", "result"), rows)


def points_table(report: dict) -> Table:
    rows = tuple((p["label"], f"{p['top1']:.2f}%", f"{p['agreement']:.2f}%", p["images"], round(p["min_sqnr_db"], 1),
                  p["overflows"], round(p["cost"], 5), *(p[k] for k in RESOURCES), "yes" if p["meets"] else "no",
                  "*" if p["pareto"] else "") for p in report["points"])
    return Table("Points simulated", ("widths", "top-1", "agreement", "images", "min SQNR dB", "overflows",
                                      report["objective"], *RESOURCES, "meets target", "Pareto"), rows,
                 notes=("images < the search set: dropped once its misses exceeded what the target allows.",
                        "Pareto: no other point fully simulated is at least as accurate and cheaper."))


def pareto_plot(report: dict) -> bytes:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    full = [p for p in report["points"] if p["images"] == report["images"]["search"]]
    ax.scatter([p["cost"] for p in full], [p["value"] for p in full], c="lightgray", s=18, label="points simulated")
    front = sorted((p for p in full if p["pareto"]), key=lambda p: p["cost"])
    ax.plot([p["cost"] for p in front], [p["value"] for p in front], "o-", c="tab:red", label="Pareto front")
    ax.axhline(report["target"]["threshold"], color="k", linestyle="--", linewidth=1, label="target")
    for name, marker in (("start", "s"), ("tuned", "*")):
        design = report[name]
        ax.scatter([design["cost"]], [design["search"]], marker=marker, s=120, label=name, zorder=3)
    ax.set_xlabel(report["objective"])
    ax.set_ylabel(f"{report['target']['metric']} (%)")
    ax.set_title("Accuracy against cost (search images)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return png_bytes(fig)


def document(report: dict) -> Document:
    title = (f"{report['network']} tuned for {report['target']['text']} at the lowest {report['objective']} "
             f"on {report['board']}: {len(report['points'])} points simulated in {report['seconds']:.0f} s")
    lines = tuple(report.get("notes", ()))
    tables = (result_table(report), types_table(report), points_table(report))
    return Document(title, tables, report, lambda: {"pareto": pareto_plot(report)}, csv_table=tables[2], lines=lines)
