"""``accel export-vectors``: raw test vectors and a C++ testbench for one layer.

    accel export-vectors --layer conv1 --out vectors/      # alexnet32, first sample image
    accel export-vectors --config net.yaml --weights w.npz --layer fc1 --images 4
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from .cifar import load_sample, normalize
from .vectors import export_layer


def add_vectors_command(commands) -> None:
    export = commands.add_parser(
        "export-vectors", help="write one layer's raw input/weights/bias/output and a C++ testbench",
        description="Simulate images through the network and write, for one layer, its raw fixed-point "
        "input, weights, bias and expected output (.bin, .dat, C header) with a minimal C++ testbench.",
    )
    export.add_argument("--layer", required=True, help="the layer to export")
    export.add_argument("--config", help="network YAML or shipped name (default alexnet32)")
    export.add_argument("--weights", help="weights .npz (default: trained weights for alexnet32, else seeded)")
    export.add_argument("--images", type=int, default=1, help="how many images (default 1, as the seed's board test)")
    export.add_argument("--out", default="vectors", help="output folder (default ./vectors)")
    export.add_argument("--seed", type=int, default=0, help="seed for seeded weights and images")
    export.set_defaults(run=vectors_command)


def vectors_command(args: argparse.Namespace) -> int:
    from .run_command import resolve_network, resolve_weights

    network = resolve_network(args.config)
    weights, source = resolve_weights(network, args)
    if tuple(network.input_shape) == (3, 32, 32):
        images = normalize(load_sample().images[:args.images])
    else:
        images = np.random.default_rng(args.seed + 1).normal(0.0, 1.0, (args.images, *network.input_shape))
    files = export_layer(network, weights, images, args.layer, Path(args.out))
    print(f"{network.name} layer {args.layer} ({source}, {args.images} image(s)) -> {args.out}/")
    for kind, path in files.items():
        print(f"  {kind:9s} {path}")
    print(f"build and run: g++ -std=c++14 -I<ap_types> {files['testbench']} -o tb && (cd {args.out} && ../tb)")
    return 0
