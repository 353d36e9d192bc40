"""Tables of an estimator report: utilization, latency, workload and roofline.

Input is the plain dictionary ``accel report --format json`` writes (``reports`` does
not import ``accel``); output is a ``Document`` of ``Table`` objects. The resource and
latency names are those of ``layers.hw.estimate`` (Vitis's own).
"""

from __future__ import annotations

from layers.hw.estimate import LATENCIES, RESOURCES
from layers.hw.roofline import roofline_point

from .document import Document
from .plots import all_plots
from .table import Table


def heading(report: dict) -> str:
    profile = report["profile"]
    return (f"{report['network']} on {report['board']} ({report['part']}), preset {report['preset']}, "
            f"clock {report['clock_ns']:g} ns, profile {profile['name']} v{profile['version']}"
            + (f", tool {profile['tool']}" if profile.get("tool") else ""))


def utilization_table(report: dict) -> Table:
    """Per layer and in total; a graph's layers say which tensors they take."""
    available = report["available"]
    graph = any("inputs" in layer for layer in report["layers"].values())
    wiring = (lambda layer: (", ".join(layer.get("inputs", ())),)) if graph else (lambda layer: ())
    rows, flagged = [], set()
    for name, layer in report["layers"].items():
        rows.append((name, *(layer[k] for k in RESOURCES), *wiring(layer)))
        flagged |= {(len(rows) - 1, c + 1) for c, k in enumerate(RESOURCES) if layer[k] > available[k]}
    blank = ("",) if graph else ()
    rows.append(("Total", *(report["total"][k] for k in RESOURCES), *blank))
    flagged |= {(len(rows) - 1, c + 1) for c, k in enumerate(RESOURCES) if report["total"][k] > available[k]}
    rows.append(("Available", *(available[k] for k in RESOURCES), *blank))
    percent = report["utilization"]
    rows.append(("Utilization (%)", *(_percent(percent[k]) for k in RESOURCES), *blank))
    flagged |= {(len(rows) - 1, c + 1) for c, k in enumerate(RESOURCES) if (percent[k] or 0) > 100}
    return Table("Utilization Estimates", ("Name", *RESOURCES, *(("inputs",) if graph else ())), tuple(rows),
                 frozenset(flagged),
                 flag_meaning="over the device's capacity")


def latency_table(report: dict) -> Table:
    clock = report["clock_ns"]
    total = report["total"]
    worst_sum = sum(layer["WorstLatency"] for layer in report["layers"].values()) or 1
    rows = [(name, *(layer[k] for k in LATENCIES), layer["latency_ms"],
             100.0 * layer["WorstLatency"] / worst_sum, layer["dominant"])
            for name, layer in report["layers"].items()]
    rows.append(("Total", *(total[k] for k in LATENCIES), total["latency_ms"], 100.0, ""))
    interval_ms = total["IntervalMax"] * clock * 1e-6
    notes = (f"Throughput {report['throughput_ips']:.3g} images/s at {1e3 / clock:g} MHz "
             f"(interval {total['IntervalMax']:,} cycles = {interval_ms:.4g} ms; "
             f"{'layers overlap under DATAFLOW' if report['dataflow'] else 'layers run one after another'}).",)
    return Table("Latency (cycles)", ("Name", *LATENCIES, "ms", "share %", "dominant loop"), tuple(rows), notes=notes)


def workload_table(report: dict) -> Table:
    roof = report["roofline"]
    rows = []
    for name, layer in report["layers"].items():
        attainable, bound = roofline_point(layer["intensity"], roof["compute_gops"], roof["bandwidth_gbs"])
        rows.append((name, layer["macs"], layer["flops"], layer["params"], layer["bytes_moved"],
                     layer["intensity"], attainable, bound, layer["achieved_gops"]))
    bits = report["element_bits"] or "the layer's own"
    notes = (f"Bytes moved: input, output and parameters at {bits} bits per element, batch {report['batch']}; "
             f"roofs: {roof['compute_gops']:.4g} GOPS of DSPs, {roof['bandwidth_gbs']:g} GB/s of DRAM.",)
    return Table("Workload and roofline", ("Name", "MACs", "FLOPs", "params", "bytes moved", "ops/byte",
                                           "attainable GOPS", "bound", "estimated GOPS"), tuple(rows), notes=notes)


def memories_table(report: dict) -> Table:
    rows = [(name, layer["on_chip_bytes"] / 1024, layer["largest_array"], layer["parallel"])
            for name, layer in report["layers"].items()]
    return Table("On-chip memory and parallel lanes per layer", ("Name", "on-chip KiB", "largest array", "lanes"),
                 tuple(rows))


def hls_table(report: dict) -> Table:
    """The loops and pragmas each layer was costed with, as ``accel export-hls`` writes them."""
    rows = []
    for name, layer in report["layers"].items():
        hls = layer.get("hls", [])
        nest = next((h[len("nest: "):] for h in hls if h.startswith("nest: ")), "")
        rows.append((name, nest, "; ".join(h for h in hls if not h.startswith("nest: "))))
    return Table("HLS loops and pragmas costed (the source accel export-hls writes)", ("Name", "loops (trips)", "pragmas"),
                 tuple(rows))


def all_tables(report: dict) -> list[Table]:
    return [utilization_table(report), latency_table(report), workload_table(report), memories_table(report),
            hls_table(report)]


def tidy_table(report: dict) -> Table:
    """One row per layer (and the total) with every resource and latency column: the CSV
    of ``accel report``, one observation per row, ready for a spreadsheet or pandas."""
    columns = (*RESOURCES, *LATENCIES, "latency_ms")
    rows = tuple((name, layer["op"], *(layer[k] for k in columns)) for name, layer in report["layers"].items())
    rows += (("Total", "", *(report["total"][k] for k in columns)),)
    return Table("Per layer", ("name", "op", *columns), rows)


def document(report: dict) -> Document:
    """``accel report``: text, Markdown and HTML show every table; CSV the tidy one."""
    return Document(heading(report), tuple(all_tables(report)), report, lambda: all_plots(report),
                    csv_table=tidy_table(report))


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value)
