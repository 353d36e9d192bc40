"""``accel report``: per-layer resources, latency and roofline of a network on a board.

    accel report                                   # alexnet227 on an Ultra96, as its YAML says
    accel report --preset unopt --board xqvu7p     # the seed's unoptimized column
    accel report --format html --out build/        # one self-contained page (+ PNGs, JSON)
"""

from __future__ import annotations

import argparse
import json

from layers.hw import Preset, Profile
from reports.estimates import all_tables, heading
from reports.html import page
from reports.output import FORMATS, emit
from reports.plots import all_plots

from .estimator import DEFAULT_CLOCK_NS, estimate_network
from .network import SHIPPED
from .run_command import resolve_network

DEFAULT_REPORT_NETWORK = "alexnet227"


def add_report_command(commands) -> None:
    report = commands.add_parser(
        "report", help="estimate BRAM/DSP/FF/LUT/URAM and latency per layer on a board",
        description="Estimate, per layer, what Vitis HLS would report (BRAM_18K, DSP, FF, LUT, URAM, "
        "latency, interval) from the network's loop nests and directives, against a board's capacity; "
        "plus the workload and roofline of every layer.",
    )
    report.add_argument("--config", default=DEFAULT_REPORT_NETWORK,
                        help=f"network YAML, or a shipped name ({', '.join(SHIPPED)}); default {DEFAULT_REPORT_NETWORK}")
    report.add_argument("--board", default="ultra96", help="board name or part number (default ultra96)")
    report.add_argument("--preset", default="config", choices=[p.value for p in Preset],
                        help="config: the YAML's tiles and directives; unopt: rolled loops, whole arrays on chip; "
                        "opt: tiled, pipelined, partitioned, dataflow (default config)")
    report.add_argument("--format", default="text", choices=FORMATS)
    report.add_argument("--out", help="write report.<format> (and the PNG plots) into this folder")
    report.add_argument("--clock-ns", type=float, default=DEFAULT_CLOCK_NS, help="clock period (default 10)")
    report.add_argument("--batch", type=int, default=1, help="batch size for bytes moved and intensity")
    report.add_argument("--bits", type=int, help="element width for intensity (default: each layer's own; 32 = float32)")
    report.add_argument("--bandwidth", type=float, help="DRAM bandwidth in GB/s (default: the board's peak)")
    report.add_argument("--profile", help="calibration profile YAML (default: the shipped one)")
    report.add_argument("--no-plots", action="store_true", help="with --out: skip the PNG plots")
    report.set_defaults(run=report_command)


def report_command(args: argparse.Namespace) -> int:
    if args.batch < 1 or (args.bits is not None and args.bits < 1):
        raise ValueError(f"--batch ({args.batch}) and --bits ({args.bits}) must be at least 1")
    network = resolve_network(args.config)
    profile = Profile.load(args.profile) if args.profile else None
    estimate = estimate_network(network, args.board, args.preset, profile, args.clock_ns, args.bandwidth)
    report = estimate.to_dict(batch=args.batch, element_bits=args.bits)
    emit(render(report, args.format), args.format, args.out, "report", lambda: all_plots(report),
         with_plots=not args.no_plots)
    return 0


def render(report: dict, fmt: str) -> str:
    """The report in one of ``FORMATS``."""
    if fmt == "json":
        return json.dumps(report, indent=2) + "\n"
    tables = all_tables(report)
    if fmt == "html":
        return page(f"accel report: {report['network']}", heading(report), tables, all_plots(report))
    if fmt == "csv":  # the utilization and latency columns of every layer, one row each
        return "\n".join(t.render("csv") for t in tables[:2])
    title = heading(report)
    return ("# " if fmt == "md" else "") + title + "\n\n" + "\n\n".join(t.render(fmt) for t in tables) + "\n"
