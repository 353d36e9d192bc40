"""``accel report``: per-layer resources, latency and roofline of a network on a board.

    accel report                                   # alexnet227 on an Ultra96, as its YAML says
    accel report --preset unopt --board xqvu7p     # the seed's unoptimized column
    accel report --format html --out build/        # one self-contained page (+ PNGs, JSON)
"""

from __future__ import annotations

import argparse

from reports.estimates import document
from reports.output import emit

from ..estimator import estimate_network
from ..shipped import DEFAULT_HARDWARE_NETWORK
from .common import add_board_options, add_format_options, add_network_options, output_folder, output_format, \
    add_tool_option, positive_float, positive_int, resolve_network, resolve_target, resolve_profile


def add(commands) -> None:
    report = commands.add_parser(
        "report", help="estimate BRAM/DSP/FF/LUT/URAM and latency per layer on a board",
        description="Estimate, per layer, what Vitis HLS would report (BRAM_18K, DSP, FF, LUT, URAM, "
        "latency, interval) from the network's loop nests and directives, against a board's capacity; "
        "plus the workload and roofline of every layer.",
    )
    add_network_options(report, default=DEFAULT_HARDWARE_NETWORK, weights=False)
    add_board_options(report)
    add_format_options(report, out=True)
    report.add_argument("--batch", type=positive_int, default=1, help="batch size for bytes moved and intensity")
    report.add_argument("--bits", type=positive_int,
                        help="element width for intensity (default: each layer's own; 32 = float32)")
    report.add_argument("--bandwidth", type=positive_float, help="DRAM bandwidth in GB/s (default: the board's peak)")
    report.add_argument("--profile", help="calibration profile YAML (default: the shipped one)")
    add_tool_option(report)
    report.add_argument("--no-plots", action="store_true", help="with --out: skip the PNG plots")
    report.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    resolve_target(args, network)
    output_folder(args.out)
    estimate = estimate_network(network, args.board, args.preset, resolve_profile(args.profile, args.tool), args.clock_ns,
                                args.bandwidth)
    report = estimate.to_dict(batch=args.batch, element_bits=args.bits)
    emit(document(report), output_format(args), args.out, "report", with_plots=not args.no_plots)
    return 0
