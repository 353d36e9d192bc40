"""``accel export-vectors``: raw test vectors and a C++ testbench for one layer.

    accel export-vectors --layer conv1 --out vectors/      # alexnet32, first sample image
    accel export-vectors --config net.yaml --weights w.npz --layer fc1 --images 4
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..vectors import export_layer
from .common import add_network_options, example_images, resolve_network, resolve_weights


def add(commands) -> None:
    export = commands.add_parser(
        "export-vectors", help="write one layer's raw input/weights/bias/output and a C++ testbench",
        description="Simulate images through the network and write, for one layer, its raw fixed-point "
        "input, weights, bias and expected output (.bin, .dat, C header) with a minimal C++ testbench.",
    )
    export.add_argument("--layer", required=True, help="the layer to export")
    add_network_options(export)
    export.add_argument("--images", type=int, default=1, help="how many images (default 1, as the seed's board test)")
    export.add_argument("--out", default="vectors", help="output folder (default ./vectors)")
    export.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    weights, source = resolve_weights(network, args)
    images = example_images(network, args.images, args.seed)
    files = export_layer(network, weights, images, args.layer, Path(args.out))
    print(f"{network.name} layer {args.layer} ({source}, {args.images} image(s)) -> {args.out}/")
    for kind, path in files.items():
        print(f"  {kind:9s} {path}")
    print(f"build and run: g++ -std=c++14 -I<ap_types> {files['testbench']} -o tb && (cd {args.out} && ../tb)")
    return 0
