"""Documents of the simulation commands: the classification check and the per-layer
report of ``accel run``, the layer testbench of ``accel testbench`` and the tile choices
of ``accel dse``.

Inputs are plain dictionaries (what ``--format json`` prints); ``reports`` never imports
``accel``. Overflow counts are shown by stage, product / accumulation / result, in the
order of ``reports.tally.STAGES``: w (weights and biases into their types), p (products),
a (accumulation), r (the result cast).
"""

from __future__ import annotations

from .document import Document
from .table import Table
from .tally import STAGES

LAYER_HEADERS = ("layer", "op", "type", "path", "ms/img", "overflows w/p/a/r", "max |err|", "SQNR dB")


def stage_counts(overflows: dict[str, int]) -> str:
    return "/".join(str(overflows[stage]) for stage in STAGES)


def layers_table(layers: list[dict], title: str = "Per layer: fixed point against float") -> Table:
    """Rows of ``{name, op, type, path, ms_per_image, overflows, max_abs_error, sqnr_db}``
    (and ``inputs``, the tensors a layer of a graph takes: a column of its own then)."""
    graph = any(l.get("inputs") for l in layers)
    rows = tuple((l["name"], l["op"], l["type"], l["path"] or "-", f"{l['ms_per_image']:.2f}",
                  stage_counts(l["overflows"]), f"{l['max_abs_error']:.4g}", f"{l['sqnr_db']:.1f}",
                  *((", ".join(l.get("inputs") or ()),) if graph else ())) for l in layers)
    return Table(title, LAYER_HEADERS + (("inputs",) if graph else ()), rows)


def ranges_table(rows: list[dict]) -> Table:
    """Per layer and array (``accel.integer_bits``): the float range, the type's integer bits,
    the bits that suffice, how many short, and the overflows counted at that stage."""
    def bits(row: dict) -> str:
        return "unsigned cannot" if row["needed_integer_bits"] is None else str(row["needed_integer_bits"])
    body = tuple((r["layer"], r["array"], r["type"], f"[{r['low']:.4g}, {r['high']:.4g}]", r["integer_bits"],
                  bits(r), f"+{r['short_by']}" if r["short_by"] else "", r["overflows"]) for r in rows)
    short = [f"{r['layer']}.{r['array']}" for r in rows if r["short_by"]]
    notes = ("float range: trained parameters, and each output as the float network computes it; an accumulator "
             "is shown against its layer's final sums (partial sums may reach further).",
             f"short of integer bits: {', '.join(short)}" if short else "every range fits its type.")
    return Table("Ranges and integer bits (where values overflow, and by how much)",
                 ("layer", "array", "type", "float range", "int bits", "needed", "short by", "overflows"), body,
                 notes=notes)


def classification_document(data: dict) -> Document:
    """``accel run``: the classification check (``Classification.as_dict()`` plus the
    network, weights and data it ran on)."""
    classes = data["classes"]
    example = data["example"]
    per_class = Table("Per class", ("class", "images", "float top-1", "fixed top-1", "agreement"), tuple(
        (row["class"], row["images"], f"{row['float_top1']:.1%}", f"{row['fixed_top1']:.1%}", f"{row['agreement']:.1%}")
        for row in data["per_class"]))
    confusion = Table("Fixed-point confusion matrix (rows: true class, columns: predicted)",
                      ("", *[c[:5] for c in classes]),
                      tuple((name, *row) for name, row in zip(classes, data["confusion_fixed"])))
    probabilities = Table(f"Float and fixed class probabilities of image {example['index']} (label: {example['label']})",
                          ("class", "float", "fixed"), tuple(
                              (c, f"{p:.6g}", f"{q:.6g}") for c, p, q in
                              zip(classes, example["float_probabilities"], example["fixed_probabilities"])))
    images, seconds = data["images"], data["seconds"]
    lines = (f"{data['network']} ({data['source']}) | {data['weights']} | {data['data']}: {images} images",
             f"input: {data['preprocess']}",
             f"float top-1 {data['float_top1']:.2%} | fixed top-1 {data['fixed_top1']:.2%} | float/fixed agreement "
             f"{data['agreement']:.2%} | {seconds:.1f} s ({seconds / max(images, 1) * 1000:.1f} ms/image, both networks)")
    tables = (per_class, confusion, probabilities, layers_table(data["layers"]))
    if data.get("ranges"):
        tables += (ranges_table(data["ranges"]),)
    return Document(f"accel run: {data['network']} classification check", tables, data, lines=lines)


def layer_report_document(data: dict) -> Document:
    """``accel run --input``: every layer's output against the float64 reference."""
    graph = any(l.get("inputs") for l in data["layers"])
    rows = tuple((l["name"], l["op"], l["output"], l["type"], l["path"] or "-", f"{l['ms_per_image']:.2f}",
                  stage_counts(l["overflows"]), f"{l['max_abs_error']:.4g}", f"{l['sqnr_db']:.1f}",
                  *((", ".join(l.get("inputs") or ()),) if graph else ()))
                 for l in data["layers"])
    table = Table("Per layer: fixed point against the float64 reference",
                  ("layer", "op", "output", "type", "path", "ms/img", "overflows w/p/a/r", "max |err|", "SQNR dB",
                   *(("inputs",) if graph else ())), rows)
    lines = (f"{data['network']} ({data['source']}) | {data['weights']} | {data['inputs']}",
             f"input {data['input_type']}: {data['input_overflows']} of {data['input_elements']} values overflowed | "
             f"simulated in {data['seconds']:.2f} s ({data['seconds'] / max(data['images'], 1) * 1000:.2f} ms/image)")
    footer = f"saved {len(data['layers'])} layers to {data['saved']}" if data.get("saved") else ""
    tables = (table, ranges_table(data["ranges"])) if data.get("ranges") else (table,)
    return Document(f"accel run: {data['network']}", tables, data, lines=lines, footer=footer)


def testbench_document(data: dict) -> Document:
    """``accel testbench``: per layer and mode, the error against golden and PASS/FAIL."""
    rows = tuple((c["layer"], c["mode"], c["type"], f"{c['max_abs_error']:.4g}", f"{c['mean_abs_error']:.3g}",
                  f"{c['max_error_lsb']:.1f}", f"{c['sqnr_db']:.1f}", f"{c['share_within']:.2%}",
                  stage_counts(c["overflows"]), _lrn(c["lrn_errors"]), _limits(c["tolerance"]),
                  "PASS" if c["passed"] else "FAIL")
                 for c in data["layers"])
    table = Table("Layers against golden outputs", ("layer", "mode", "type", "max |err|", "mean |err|", "max LSB",
                  "SQNR dB", "within tol", "overflows w/p/a/r", "LRN approx/quant", "limits", "verdict"), rows,
                  notes=("limits (the network's tolerances): share of elements within abs of golden, and SQNR; "
                         "a layer passes when it reaches both.",))
    passed = sum(c["passed"] for c in data["layers"])
    lines = (f"{data['network']} | {data['weights']} | golden {data['golden']} ({data['images']} images)",)
    return Document(f"accel testbench: {data['network']}", (table,), data, lines=lines,
                    footer=f"{passed} of {len(data['layers'])} checks passed")


def dse_document(data: dict) -> Document:
    """``accel dse``: the chosen tiles per layer, their total, and the YAML to paste."""
    layers = data["layers"]
    rows = tuple((name, c["yaml"], f"{c['WorstLatency']:,}", f"{c['latency_ms']:.3f}", c["DSP"], c["BRAM_18K"])
                 for name, c in layers.items())
    total = data["total"]
    rows += (("Total", "", f"{total['WorstLatency']:,}", f"{total['latency_ms']:.3f}", total["DSP"],
              total["BRAM_18K"]),)
    table = Table("Chosen tiles", ("layer", "YAML", "cycles", "ms", "DSP", "BRAM_18K"), rows,
                  notes=("Total: the layers run one after another, each with the board to itself: cycles add up, "
                         "DSP and BRAM_18K are the most any layer needs.",))
    title = (f"{data['network']} on {data['board']} ({data['part']}: {data['available']['DSP']} DSP, "
             f"{data['available']['BRAM_18K']} BRAM_18K), {data['mode']}, opt preset at {data['clock_ns']:g} ns")
    budget = data.get("budget")
    if budget:
        share = "no DSP/BRAM limit" if budget["share"] is None else f"{budget['share']:.0%} of DSP and BRAM"
        pe = f", Tm*Tn <= {budget['pe']}" if budget["pe"] else ""
        bandwidth = budget["bandwidth_gbs"]
        title += f"; budget: {share}{pe}, DRAM {'free' if bandwidth == 'free' else f'{bandwidth:g} GB/s'}"
    paste = "\n".join(["", "# tiles to paste into the network YAML (each under its layer):",
                        *(f"#   {name}: {c['yaml']}" for name, c in layers.items())])
    return Document(title, (table,), data, footer=paste)


def _limits(tolerance: dict) -> str:
    return f">={tolerance['share']:.0%} within {tolerance['abs']:g}, >={tolerance['sqnr_db']:g} dB"


def _lrn(errors: dict) -> str:
    if not errors:
        return "-"
    return f"{errors['approximation_max_abs']:.2g}/{errors['quantization_max_abs']:.2g}"


def calibration_document(data: dict) -> Document:
    """``accel calibrate``: estimate vs report per layer and figure, the summary errors,
    and (with ``--out``) the fitted constants and the errors after the fit."""
    after = {(r["layer"], r["figure"]): r for r in data.get("rows_after", [])}
    rows = []
    for r in data["rows"]:
        fitted = after.get((r["layer"], r["figure"]))
        rows.append((r["layer"], r["module"], r["figure"], r["reported"], r["estimate"], _percent_error(r["error"]),
                     *((fitted["estimate"], _percent_error(fitted["error"])) if fitted else ())))
    headers = ("layer", "module", "figure", "reported", "estimate", "error", *(("fitted", "error") if after else ()))
    tables = [Table("Estimate vs synthesis report", headers, tuple(rows))]
    summary_rows = [(figure, s["points"], f"{100 * s['median_abs_error']:.1f} %", f"{100 * s['smape']:.1f} %",
                     *((f"{100 * data['summary_after'][figure]['median_abs_error']:.1f} %",
                        f"{100 * data['summary_after'][figure]['smape']:.1f} %") if after else ()))
                    for figure, s in data["summary"].items()]
    tables.append(Table("Summary", ("figure", "points", "median |error|", "sMAPE",
                                    *(("median |error| fitted", "sMAPE fitted") if after else ())), tuple(summary_rows)))
    if "fitted" in data:
        tables.append(Table("Fitted constants", ("constant", "before", "after", "points", "note"),
                            tuple((k, v["before"], v["after"], v["points"], v["note"]) for k, v in data["fitted"].items()),
                            notes=(f"written to {data['written']}; use it with accel report --profile",)))
    return Document(f"{data['network']}: estimates ({data['profile']}) against synthesis reports, part {data['part']}",
                    tuple(tables), data)


def _percent_error(error: float) -> str:
    return "n/a" if error == float("inf") else f"{100 * error:+.1f} %"
