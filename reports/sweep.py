"""Tables and plots of a bit-width sweep (rows as ``accel sweep --format json`` writes them)."""

from __future__ import annotations

from .document import Document
from .plots import png_bytes, pyplot
from .table import Table

COLUMNS = ("point", "fixed_top1", "agreement", "min_sqnr_db", "overflows", "BRAM_18K", "DSP", "LUT", "FF",
           "latency_ms")


def points_table(rows: list[dict], title: str = "Sweep points") -> Table:
    body = tuple((*(_cell(row, c) for c in COLUMNS), "*" if row["pareto"] else "") for row in rows)
    if rows:  # the float model on the same images: the accuracy every point is measured against
        body = (("float (reference)", f"{100 * rows[0]['float_top1']:.2f}%", "100.00%",
                 *(None for _ in COLUMNS[3:]), ""),) + body
    return Table(title, (*COLUMNS, "Pareto"), body,
                 notes=("Pareto: no other point is at least as accurate with no more DSP, BRAM_18K and latency.",))


def pareto_table(rows: list[dict]) -> Table:
    front = sorted((r for r in rows if r["pareto"]), key=lambda r: -r["fixed_top1"])
    return points_table(front, "Pareto front (accuracy against DSP, BRAM_18K, latency)")


def sqnr_table(rows: list[dict]) -> Table:
    layers = list(rows[0]["sqnr_db"]) if rows else []
    body = tuple((row["point"], *(round(row["sqnr_db"][name], 1) for name in layers)) for row in rows)
    return Table("SQNR per layer (dB)", ("point", *layers), body)


def all_tables(rows: list[dict]) -> list[Table]:
    return [points_table(rows), pareto_table(rows), sqnr_table(rows)]


def ranges_table(ranges: list[dict]) -> Table:
    """What ``--auto-int`` chose: per layer and array, the largest magnitude seen and the
    integer bits given (sign included, plus headroom), with the typedef at the first width."""
    rows = tuple((r["layer"], r["array"], r["max_abs"], r["integer_bits"], r["typedefs"][0] if r["typedefs"] else "")
                 for r in ranges)
    return Table("Integer bits chosen by --auto-int", ("layer", "array", "max |x|", "I", "typedef"), rows,
                 notes=("Each array holds values up to max |x|: I = floor(log2(max |x|)) + 2 (sign) + headroom.",))


def _cell(row: dict, column: str):
    value = row[column]
    if column in ("fixed_top1", "agreement"):
        return f"{100 * value:.2f}%"
    if column == "min_sqnr_db":
        return round(value, 1)
    return value


def accuracy_plot(rows: list[dict]) -> bytes:
    """Fixed-point top-1 against total width, one line per (integer bits, accumulator, scope)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    series = {}
    for r in rows:
        scope = "" if r["scope"] == ["all"] else " " + ",".join(r["scope"])
        series.setdefault(f"I = {r['integer']}, acc {r['accum']}{scope}", []).append(r)
    for label, mine in series.items():
        mine = sorted(mine, key=lambda r: r["width"])
        ax.plot([r["width"] for r in mine], [100 * r["fixed_top1"] for r in mine], "o-", label=label)
    if rows:
        ax.axhline(100 * rows[0]["float_top1"], color="k", linestyle="--", linewidth=1, label="float")
    ax.set_xlabel("total width W (bits)")
    ax.set_ylabel("top-1 (%)")
    ax.set_title("Accuracy against width")
    ax.legend(fontsize=7, ncol=2 if len(series) > 6 else 1)
    return png_bytes(fig)


def resources_plot(rows: list[dict]) -> bytes:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    by_width = {}
    for r in rows:
        by_width.setdefault(r["width"], r)
    widths = sorted(by_width)
    for kind in ("BRAM_18K", "DSP", "LUT", "FF"):
        ax.plot(widths, [by_width[w][kind] for w in widths], "o-", label=kind)
    ax.set_yscale("log")
    ax.set_xlabel("total width W (bits)")
    ax.set_ylabel("estimated resources")
    ax.set_title("Resources against width")
    ax.legend(fontsize=8)
    return png_bytes(fig)


def pareto_plot(rows: list[dict]) -> bytes:
    """Accuracy against each cost, the front in red and labelled with its points (and the
    layer in scope when a sweep varies one layer at a time)."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), sharey=True)
    units = {"DSP": "DSP slices", "BRAM_18K": "BRAM_18K blocks", "latency_ms": "latency (ms)"}
    for ax, cost in zip(axes, ("DSP", "BRAM_18K", "latency_ms")):
        ax.scatter([r[cost] for r in rows], [100 * r["fixed_top1"] for r in rows], c="lightgray", s=18, label="points")
        front = sorted((r for r in rows if r["pareto"]), key=lambda r: r[cost])
        # the front is joint over all three costs, so its points are marked, not joined
        ax.scatter([r[cost] for r in front], [100 * r["fixed_top1"] for r in front], c="tab:red", s=22,
                   label="Pareto front (all three costs)")
        for k, r in enumerate(front):
            ax.annotate(_short_label(r), (r[cost], 100 * r["fixed_top1"]), fontsize=7, rotation=20,
                        xytext=(3, 4 if k % 2 else -9), textcoords="offset points")
        values = [r[cost] for r in rows if r[cost] > 0]
        if values and max(values) / min(values) > 50:
            ax.set_xscale("log")
        ax.set_xlabel(units[cost])
        ax.grid(alpha=0.3)
        if ax.get_xscale() == "linear":  # whole numbers, no "1e4 + offset" corner label
            ax.ticklabel_format(axis="x", style="plain", useOffset=False)
    axes[0].set_ylabel("fixed-point top-1 (%)")
    axes[0].legend(fontsize=8)
    fig.suptitle("Accuracy against cost")
    fig.tight_layout()
    return png_bytes(fig)


def _short_label(row: dict) -> str:
    """``<W,I>`` and, for a one-layer scope, the layer: ``<8,3> conv2``."""
    label = row["point"].split(" ")[0]
    return label if row["scope"] == ["all"] else f"{label} {','.join(row['scope'])}"


def all_plots(rows: list[dict]) -> dict[str, bytes]:
    return {"accuracy": accuracy_plot(rows), "resources": resources_plot(rows), "pareto": pareto_plot(rows)}


def document(report: dict) -> Document:
    """``accel sweep``: the points, the Pareto front, SQNR per layer; CSV holds the points."""
    title = (f"{report['network']} sweep: {len(report['rows'])} points on {report['images']} images "
             f"({report['data']}), costs on {report['board']} ({report['preset']})")
    tables = all_tables(report["rows"])
    if report.get("ranges"):
        tables.insert(0, ranges_table(report["ranges"]))
    return Document(title, tuple(tables), report, lambda: all_plots(report["rows"]), csv_table=points_table(report["rows"]))
