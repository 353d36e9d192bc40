"""``accel calibrate``: the estimator against your Vitis synthesis reports, and a profile fitted to them.

    accel calibrate --config net.yaml --reports prj/solution1/syn/report
    accel calibrate --config net.yaml --reports prj/solution1/syn/report --out my_profile.yaml
    accel report --config net.yaml --profile my_profile.yaml
"""

from __future__ import annotations

import argparse
import sys

from layers.hw import Preset, Profile, find_device
from reports.output import emit
from reports.simulation import calibration_document

from ..calibrate import MAX_FACTOR, compare, fit, summary, write_profile
from ..csynth import read_reports
from .common import add_format_options, add_network_options, output_file, output_format, positive_float, \
    add_tool_option, resolve_network, resolve_profile


def add(commands) -> None:
    cal = commands.add_parser(
        "calibrate", help="compare estimates with Vitis csynth reports and fit the profile to them",
        description="Read Vitis HLS synthesis reports (csynth.xml or .rpt, per module and loop), match each layer "
        "to its module (LAYER_layer, as accel export-hls names it, or --match), print estimate and report side "
        "by side with the error of each figure, and with --out write a profile fitted to them.",
    )
    add_network_options(cal, weights=False)
    cal.add_argument("--reports", nargs="+", required=True, help="report files or folders (solution/syn/report)")
    cal.add_argument("--board", help="board or part (default: the reports' part)")
    cal.add_argument("--clock-ns", type=positive_float, help="clock period (default: the reports' target clock)")
    cal.add_argument("--preset", default=Preset.CONFIG.value, choices=[p.value for p in Preset],
                     help="the mapping the reports were synthesized from (default config: the YAML as written)")
    cal.add_argument("--profile", help="profile to start from (default: the shipped one)")
    add_tool_option(cal)
    cal.add_argument("--match", nargs="*", default=[], metavar="LAYER=MODULE",
                     help="modules of layers whose function is not named LAYER_layer")
    cal.add_argument("--out", help="write the fitted profile to this YAML file")
    cal.add_argument("--max-change", type=float, default=MAX_FACTOR, metavar="FACTOR",
                     help=f"a fitted constant stays within FACTOR times the profile's (default {MAX_FACTOR:g}; "
                     "0: unbounded); constants with fewer points than the constants fitted with them are kept")
    add_format_options(cal)
    cal.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    profile = resolve_profile(args.profile, args.tool) or Profile.load()
    matches = {}
    for item in args.match:
        layer, sep, module = item.partition("=")
        if not sep or not layer or not module:
            raise ValueError(f"--match {item!r}: write LAYER=MODULE")
        matches[layer] = module
    target = output_file(args.out, ".yaml", "--out")
    modules = read_reports(args.reports)
    part = args.board or next((m.part for m in modules.values() if m.part), None)
    if part is None:
        raise ValueError("the reports name no part: give --board")
    device = find_device(part)
    rows = compare(network, modules, device, profile, args.preset, matches)
    if not rows:
        raise ValueError(f"no layer of {network.name} matches a module of the reports (modules: {sorted(modules)}); "
                         f"name them with --match LAYER=MODULE")
    unmatched = [layer.name for layer in network.layers if layer.name not in {r.layer for r in rows}]
    if unmatched:  # (not silently: a layer left out of the comparison and the fit)
        print(f"accel: no module of the reports for layer(s) {', '.join(unmatched)}: left out of the comparison "
              f"and the fit (name their modules with --match LAYER=MODULE)", file=sys.stderr)
    data = {"network": network.name, "part": part, "profile": f"{profile.name} v{profile.version}",
            "rows": [_row(r) for r in rows], "summary": summary(rows), "unmatched": unmatched}
    if target is not None:
        if not (args.max_change == 0 or args.max_change >= 1) or args.max_change != args.max_change:
            raise ValueError(f"--max-change {args.max_change:g}: a factor of at least 1 (0: unbounded)")
        fitted, changes = fit(network, modules, device, profile, args.preset, matches, args.max_change or None)
        after = compare(network, modules, device, fitted, args.preset, matches)
        write_profile(fitted, changes, [str(p) for p in args.reports], target)
        data.update(fitted={k: {"before": c.before, "after": c.after, "points": c.points, "note": c.note}
                            for k, c in changes.items()}, written=str(target),
                    rows_after=[_row(r) for r in after], summary_after=summary(after))
    emit(calibration_document(data), output_format(args), None, "calibrate")
    return 0


def _row(row) -> dict:
    return {"layer": row.layer, "module": row.module, "figure": row.figure, "estimate": row.estimate,
            "reported": row.reported, "error": row.error, "rolled": row.rolled}
