"""``accel dse``: the tile sizes that minimize latency on a board, ready to paste into
the network YAML.

    accel dse --board ultra96                 # best tiles per layer
    accel dse --board vc707 --unified         # one (Tm, Tn) for all convs, as Zhang et al.
"""

from __future__ import annotations

import argparse
import json

from tabulate import tabulate

from .devices import find_device
from .dse import explore
from .network import SHIPPED
from .report_command import DEFAULT_REPORT_NETWORK
from .run_command import resolve_network


def add_dse_command(commands) -> None:
    dse = commands.add_parser(
        "dse", help="choose tile sizes that minimize latency within a board's DSP and BRAM",
        description="Explore tile sizes of every conv and dense layer under the opt preset and print the "
        "fastest that fit the board, with the YAML to paste.",
    )
    dse.add_argument("--config", default=DEFAULT_REPORT_NETWORK,
                     help=f"network YAML, or a shipped name ({', '.join(SHIPPED)}); default {DEFAULT_REPORT_NETWORK}")
    dse.add_argument("--board", default="ultra96", help="board name or part number (default ultra96)")
    dse.add_argument("--unified", action="store_true", help="one (Tm, Tn) shared by all conv layers")
    dse.add_argument("--share", type=float, default=1.0, help="fraction of the board's DSP and BRAM a layer may use")
    dse.add_argument("--json", action="store_true", help="print the choices as JSON")
    dse.set_defaults(run=dse_command)


def dse_command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    device = find_device(args.board)
    choices = explore(network, device, "unified" if args.unified else "per-layer", share=args.share)
    if args.json:
        print(json.dumps({c.layer: {"tiles": dict(c.tiles), "WorstLatency": c.WorstLatency, "DSP": c.DSP,
                                    "BRAM_18K": c.BRAM_18K} for c in choices}, indent=2))
        return 0
    rows = [[c.layer, c.yaml(), f"{c.WorstLatency:,}", f"{c.WorstLatency * 1e-5:.3f}", c.DSP, c.BRAM_18K]
            for c in choices]
    print(f"{network.name} on {args.board} ({device.part}: {device.DSP} DSP, {device.BRAM_18K} BRAM_18K), "
          f"{'unified Tm, Tn' if args.unified else 'per layer'}, opt preset at 10 ns")
    print(tabulate(rows, headers=["layer", "YAML", "cycles", "ms", "DSP", "BRAM_18K"], disable_numparse=True))
    return 0
