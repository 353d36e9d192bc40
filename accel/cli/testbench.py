"""``accel testbench``: every layer (or one) against golden float outputs, PASS/FAIL.

    accel testbench                          # shipped alexnet32, trained weights, shipped golden data
    accel testbench --layer conv2 --mode chained
    accel testbench --config net.yaml --weights w.npz --golden g.npz --format json

Exit status 0 only when every checked layer passes its tolerances (``tolerances`` in the
network YAML; defaults: 99% of elements within 0.05 and SQNR >= 30 dB).
"""

from __future__ import annotations

import argparse

from reports.output import emit
from reports.simulation import testbench_document

from ..shipped import golden_outputs
from ..testbench import load_golden, run_testbench
from .common import add_format_options, add_network_options, output_format, resolve_network, resolve_weights


def add(commands) -> None:
    bench = commands.add_parser(
        "testbench", help="check each fixed-point layer against golden float outputs",
        description="Like a Vitis C-sim testbench, per layer: isolated (golden input) and chained "
        "(fixed-point input from the previous layer); PASS/FAIL by the network's tolerances.",
    )
    add_network_options(bench)
    bench.add_argument("--golden", help="golden .npz: 'input' and one float array per layer name "
                       "(default: the golden outputs shipped for the network)")
    bench.add_argument("--layer", help="check only this layer")
    bench.add_argument("--mode", choices=["isolated", "chained", "both"], default="both",
                       help="isolated: each layer on the golden input; chained: on the previous fixed-point "
                       "output; both (default)")
    add_format_options(bench)
    bench.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    weights, weights_source = resolve_weights(network, args)
    golden_path = args.golden or golden_outputs(network.name)
    if golden_path is None:
        raise ValueError(f"no golden data for network {network.name!r}: pass --golden FILE.npz "
                         f"(an 'input' array and one float array per layer name)")
    golden = load_golden(network, golden_path)
    modes = ["isolated", "chained"] if args.mode == "both" else [args.mode]
    checks = [c for mode in modes for c in run_testbench(network, weights, golden, mode, args.layer)]
    passed = all(c.passed for c in checks)
    data = {"network": network.name, "weights": weights_source, "golden": str(golden_path),
            "images": len(golden["input"]), "passed": passed, "layers": [c.as_dict() for c in checks]}
    emit(testbench_document(data), output_format(args), None, "testbench")
    return 0 if passed else 1
