"""``accel export-hls``: the whole network as a Vitis HLS project, with a bit-exact testbench.

    accel export-hls --out alexnet32_hls/                       # alexnet32, 1 image, zcu104
    accel export-hls --config net.yaml --weights w.npz --board ultra96 --clock-ns 5 --images 4
    cd alexnet32_hls && ./csim.sh /path/to/ap_types             # C-sim with g++, no Vitis
    cd alexnet32_hls && vitis_hls -f build_prj.tcl              # C-sim and synthesis
"""

from __future__ import annotations

import argparse
import shlex

from layers.hw import DEFAULT_CLOCK_NS
from reports.output import emit
from reports.written import files_document

from ..hls_plan import HEADER_LIMIT, plan
from ..hls_project import INTERFACES, export_project, full_part, project_bytes
from .common import add_format_options, add_network_options, add_testbench_inputs, ap_types_folder, output_folder, \
    output_format, positive_float, resolve_network, resolve_target, resolve_weights, testbench_images

DEFAULT_BOARD = "zcu104"


def add(commands) -> None:
    export = commands.add_parser(
        "export-hls", help="write the network as a Vitis HLS project (firmware, testbench, build_prj.tcl)",
        description="Write the whole network as a Vitis HLS project: a types header, one header per layer with "
        "its loop nest and the YAML's directives as pragmas, the weights, a top function, a testbench that "
        "compares every layer bit for bit with the simulator's outputs, build_prj.tcl and csim.sh.",
    )
    add_network_options(export)
    export.add_argument("--out", required=True, help="the project folder (created if its parent exists; files in it are overwritten)")
    export.add_argument("--board", help=f"board name or full part number (default: the network's target part, "
                        f"else {DEFAULT_BOARD})")
    export.add_argument("--clock-ns", type=positive_float, help=f"clock period in ns for create_clock (default: "
                        f"the network's target clock, else {DEFAULT_CLOCK_NS:g})")
    add_testbench_inputs(export)
    export.add_argument("--interface", choices=INTERFACES,
                        help="the top function's input and output: m_axi or axis streams (default: the network "
                        "YAML's 'interface', else m_axi)")
    export.add_argument("--header-weights", type=int, default=HEADER_LIMIT, metavar="N",
                        help=f"a layer with at most N parameters gets them as constants in a header, larger ones "
                        f"through an m_axi port loaded by the testbench (default {HEADER_LIMIT}; 0: all ports)")
    add_format_options(export)
    export.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    resolve_target(args, network)
    if args.header_weights < 0:
        raise ValueError(f"--header-weights {args.header_weights}: must be 0 or more")
    weights, source = resolve_weights(network, args)
    part = full_part(args.board)
    plan(network, weights, args.header_weights)  # a layer without C++ fails before anything is written
    images = testbench_images(network, args)  # bad inputs fail before anything is written
    out = output_folder(args.out)
    files = export_project(network, weights, images, out, part=part, clock_ns=args.clock_ns,
                           interface=args.interface, header_limit=args.header_weights)
    size, count = project_bytes(out), len(list(out.rglob('*')))
    headers = ap_types_folder()
    folder = shlex.quote(str(out.resolve()))
    steps = (f"C-sim with g++: cd {folder} && ./csim.sh "
             f"{shlex.quote(str(headers)) if headers else '<folder holding ap_fixed.h>'}",
             f"Vitis HLS:      cd {folder} && vitis_hls -f build_prj.tcl")
    title = f"{network.name} ({source}, {len(images)} image(s)) -> {out}/ ({count} files, {size / 1e6:.1f} MB)"
    data = {"network": network.name, "weights": source, "images": len(images), "out": str(out), "part": part,
            "clock_ns": args.clock_ns, "files_count": count, "bytes": size}
    emit(files_document(title, files, data, steps), output_format(args), None, "export-hls")
    return 0
