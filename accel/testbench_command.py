"""``accel testbench``: every layer (or one) against golden float outputs, PASS/FAIL.

    accel testbench                          # shipped alexnet32, trained weights, shipped golden data
    accel testbench --layer conv2 --mode chained
    accel testbench --config net.yaml --weights w.npz --golden g.npz --json

Exit status 0 only when every checked layer passes its tolerances (``tolerances`` in the
network YAML; defaults: 99% of elements within 0.05 and SQNR >= 30 dB).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tabulate import tabulate

from .network import shipped_golden_file
from .testbench import load_golden, run_testbench


def add_testbench_command(commands) -> None:
    bench = commands.add_parser(
        "testbench", help="check each fixed-point layer against golden float outputs",
        description="Like a Vitis C-sim testbench, per layer: isolated (golden input) and chained "
        "(fixed-point input from the previous layer); PASS/FAIL by the network's tolerances.",
    )
    bench.add_argument("--config", help="network YAML or shipped name (default alexnet32)")
    bench.add_argument("--weights", help="weights .npz (default: the trained weights shipped for the network)")
    bench.add_argument("--golden", help="golden .npz: 'input' and one float array per layer name")
    bench.add_argument("--layer", help="check only this layer")
    bench.add_argument("--mode", choices=["isolated", "chained", "both"], default="both")
    bench.add_argument("--json", action="store_true", help="print the results as JSON")
    bench.add_argument("--seed", type=int, default=0, help="seed for seeded weights")
    bench.set_defaults(run=testbench_command)


def shipped_golden(network_name: str) -> Path | None:
    """The golden per-layer outputs shipped for a network, if any."""
    return shipped_golden_file("outputs", network_name)


def testbench_command(args: argparse.Namespace) -> int:
    from .run_command import resolve_network, resolve_weights

    network = resolve_network(args.config)
    weights, weights_source = resolve_weights(network, args)
    golden_path = args.golden or shipped_golden(network.name)
    if golden_path is None:
        raise ValueError(f"no golden data for network {network.name!r}: pass --golden FILE.npz "
                         f"(an 'input' array and one float array per layer name)")
    golden = load_golden(network, golden_path)
    modes = ["isolated", "chained"] if args.mode == "both" else [args.mode]
    checks = [c for mode in modes for c in run_testbench(network, weights, golden, mode, args.layer)]
    passed = all(c.passed for c in checks)
    if args.json:
        print(json.dumps({"network": network.name, "weights": weights_source, "golden": str(golden_path),
                          "passed": passed, "layers": [c.as_dict() for c in checks]}, indent=2))
        return 0 if passed else 1
    print(f"{network.name} | {weights_source} | golden {golden_path} ({len(golden['input'])} images)")
    rows = [[c.layer, c.mode, c.type, f"{c.max_abs_error:.4g}", f"{c.mean_abs_error:.3g}", f"{c.max_error_lsb:.1f}",
             f"{c.sqnr_db:.1f}", f"{c.share_within:.2%}", "/".join(str(c.overflows[s]) for s in ("product", "accumulation", "result")),
             _lrn(c.lrn_errors), "PASS" if c.passed else "FAIL"] for c in checks]
    print(tabulate(rows, headers=["layer", "mode", "type", "max |err|", "mean |err|", "max LSB", "SQNR dB",
                                  "within tol", "overflows p/a/r", "LRN approx/quant", "verdict"]))
    print(f"{sum(c.passed for c in checks)} of {len(checks)} checks passed")
    return 0 if passed else 1


def _lrn(errors: dict) -> str:
    if not errors:
        return "-"
    return f"{errors['approximation_max_abs']:.2g}/{errors['quantization_max_abs']:.2g}"
