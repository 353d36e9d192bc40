"""``accel dse``: the tile sizes that minimize latency on a board, ready to paste into
the network YAML.

    accel dse --board ultra96                 # best tiles per layer
    accel dse --board vc707 --unified         # one (Tm, Tn) for all convs, as Zhang et al.
"""

from __future__ import annotations

import argparse

from layers.hw import find_device
from reports.output import emit
from reports.simulation import dse_document

from ..dse import explore
from ..shipped import DEFAULT_HARDWARE_NETWORK
from .common import add_board_options, add_format_options, add_network_options, output_format, positive_float, \
    resolve_network


def add(commands) -> None:
    dse = commands.add_parser(
        "dse", help="choose tile sizes that minimize latency within a board's DSP and BRAM",
        description="Explore tile sizes of every conv and dense layer under the opt preset and print the "
        "fastest that fit the board, with the YAML to paste.",
    )
    add_network_options(dse, default=DEFAULT_HARDWARE_NETWORK, weights=False)
    add_board_options(dse, preset=False)  # the search runs under the opt preset
    dse.add_argument("--unified", action="store_true", help="one (Tm, Tn) shared by all conv layers")
    dse.add_argument("--share", type=positive_float, default=1.0,
                     help="fraction of the board's DSP and BRAM a layer may use, in (0, 1] (default 1)")
    add_format_options(dse)
    dse.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    device = find_device(args.board)
    choices = explore(network, device, "unified" if args.unified else "per-layer", share=args.share)
    layers = {c.layer: {"tiles": dict(c.tiles), "yaml": c.yaml(), "WorstLatency": c.WorstLatency,
                        "latency_ms": c.WorstLatency * args.clock_ns * 1e-6, "DSP": c.DSP, "BRAM_18K": c.BRAM_18K}
              for c in choices}
    total = {"WorstLatency": sum(c.WorstLatency for c in choices), "DSP": max((c.DSP for c in choices), default=0),
             "BRAM_18K": max((c.BRAM_18K for c in choices), default=0)}
    total["latency_ms"] = total["WorstLatency"] * args.clock_ns * 1e-6
    data = {"network": network.name, "total": total, "board": args.board, "part": device.part, "available": device.available(),
            "mode": "unified Tm, Tn" if args.unified else "per layer", "clock_ns": args.clock_ns, "layers": layers}
    emit(dse_document(data), output_format(args), None, "dse")
    return 0
