"""``accel dse``: the tile sizes that minimize latency on a board, ready to paste into
the network YAML.

    accel dse --board ultra96                 # best tiles per layer
    accel dse --board vc707 --unified         # one (Tm, Tn) for all convs, as Zhang et al.
    accel dse --board vc707 --pe 480 --bandwidth free --share none   # Zhang et al.'s search
"""

from __future__ import annotations

import argparse

from layers.hw import find_device
from reports.output import emit
from reports.simulation import dse_document

from ..dse import FREE, explore
from ..shipped import DEFAULT_HARDWARE_NETWORK
from .common import add_board_options, add_format_options, add_network_options, output_format, positive_float, \
    positive_int, resolve_network, resolve_target


def add(commands) -> None:
    dse = commands.add_parser(
        "dse", help="choose tile sizes that minimize latency within a board's DSP and BRAM",
        description="Explore tile sizes of every conv and dense layer under the opt preset and print the "
        "fastest that fit the board, with the YAML to paste.",
    )
    add_network_options(dse, default=DEFAULT_HARDWARE_NETWORK, weights=False)
    add_board_options(dse, preset=False)  # the search runs under the opt preset
    dse.add_argument("--unified", action="store_true", help="one (Tm, Tn) shared by all conv layers")
    dse.add_argument("--share", type=share_value, default=1.0,
                     help="fraction of the board's DSP and BRAM a layer may use, in (0, 1], or 'none' for no "
                     "limit (default 1)")
    dse.add_argument("--pe", type=positive_int, help="processing elements: at most this many multipliers "
                     "Tm*Tn in a channel tile (default: no limit)")
    dse.add_argument("--bandwidth", type=bandwidth_value, help="DRAM bandwidth in GB/s, or 'free' for transfers "
                     "that cost nothing (default: the board's peak)")
    add_format_options(dse)
    dse.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    resolve_target(args, network)
    device = find_device(args.board)
    choices = explore(network, device, "unified" if args.unified else "per-layer", share=args.share, pe=args.pe,
                      bandwidth_gbs=args.bandwidth, clock_ns=args.clock_ns)
    layers = {c.layer: {"tiles": dict(c.tiles), "yaml": c.yaml(), "WorstLatency": c.WorstLatency,
                        "latency_ms": c.WorstLatency * args.clock_ns * 1e-6, "DSP": c.DSP, "BRAM_18K": c.BRAM_18K}
              for c in choices}
    total = {"WorstLatency": sum(c.WorstLatency for c in choices), "DSP": max((c.DSP for c in choices), default=0),
             "BRAM_18K": max((c.BRAM_18K for c in choices), default=0)}
    total["latency_ms"] = total["WorstLatency"] * args.clock_ns * 1e-6
    data = {"network": network.name, "total": total, "board": args.board, "part": device.part, "available": device.available(),
            "mode": "unified Tm, Tn" if args.unified else "per layer", "clock_ns": args.clock_ns, "layers": layers,
            "budget": {"share": args.share, "pe": args.pe,
                       "bandwidth_gbs": "free" if args.bandwidth == FREE else args.bandwidth or device.dram_gbs}}
    emit(dse_document(data), output_format(args), None, "dse")
    return 0


def share_value(text: str) -> float | None:
    """argparse type: a share in (0, 1], or 'none' (no DSP/BRAM limit)."""
    if text.strip().lower() == "none":
        return None
    value = positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"{text} must be in (0, 1] or 'none'")
    return value


def bandwidth_value(text: str) -> float:
    """argparse type: GB/s above 0, or 'free'."""
    return FREE if text.strip().lower() == "free" else positive_float(text)
