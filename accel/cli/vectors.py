"""``accel export-vectors``: raw test vectors and a C++ testbench for one layer.

    accel export-vectors --layer conv1 --out vectors/      # alexnet32, first sample image
    accel export-vectors --config net.yaml --weights w.npz --layer fc1 --images 4
"""

from __future__ import annotations

import argparse
import shlex

from reports.output import emit
from reports.written import files_document

from ..vectors import export_layer
from .common import add_format_options, add_network_options, add_testbench_inputs, ap_types_folder, output_folder, \
    output_format, resolve_network, resolve_weights, testbench_images


def add(commands) -> None:
    export = commands.add_parser(
        "export-vectors", help="write one layer's raw input/weights/bias/output and a C++ testbench",
        description="Simulate images through the network and write, for one layer, its raw fixed-point "
        "input, weights, bias and expected output (.bin, .dat, C header) with a minimal C++ testbench.",
    )
    export.add_argument("--layer", required=True, help="the layer to export")
    add_network_options(export)
    add_testbench_inputs(export)
    export.add_argument("--out", default="vectors", help="output folder (default ./vectors; its parent must exist)")
    add_format_options(export)
    export.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    network.layer(args.layer)  # an unknown name fails before anything runs
    images = testbench_images(network, args)  # bad inputs fail before anything is written
    out = output_folder(args.out)
    weights, source = resolve_weights(network, args)
    files = export_layer(network, weights, images, args.layer, out)
    folder = shlex.quote(str(out.resolve()))
    headers = ap_types_folder()
    include = f"-I{shlex.quote(str(headers))}" if headers else "-I<folder holding ap_fixed.h>"
    build = (f"build and run: cd {folder} && g++ -std=c++14 -O1 {include} {files['testbench'].name} -o "
             f"{args.layer}_tb && ./{args.layer}_tb")
    data = {"network": network.name, "layer": args.layer, "weights": source, "images": len(images), "out": str(out)}
    title = f"{network.name} layer {args.layer} ({source}, {len(images)} image(s)) -> {out}/"
    emit(files_document(title, files, data, (build,)), output_format(args), None, "vectors")
    return 0
