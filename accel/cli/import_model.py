"""``accel import MODEL --out DIR``: an ONNX (``.onnx``) or Keras (``.keras``/``.h5``) model →
``DIR/net.yaml`` + ``DIR/weights.npz``.

The YAML gets the default types (``<16,4>`` data and weights, a wide accumulator); edit
it, then ``accel run --config DIR/net.yaml --weights DIR/weights.npz``. With hls4ml:
``accel import MODEL.onnx --hls4ml CONFIG --out DIR`` (its configuration over the model) or
``accel import --hls4ml-project PRJ --out DIR`` (what a written project simulates).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml

from layers.core.types import DEFAULT_DATA_TYPE
from reports.output import emit
from reports.written import files_document

from ..config import network_from_dict
from ..weights import check_weights
from .common import add_format_options, output_folder, output_format


def add(commands) -> None:
    imp = commands.add_parser("import", help="turn an ONNX or Keras model into a network YAML and weights .npz",
                              description="Turn an ONNX (.onnx) or Keras (.keras, .h5) model into a network "
                              "YAML and a weights .npz (Keras: channels-last layouts, hwc flatten, BatchNorm folded).")
    imp.add_argument("model", nargs="?", help="an .onnx, .keras or .h5 file")
    imp.add_argument("--out", required=True, help="folder for net.yaml and weights.npz (created if its parent exists)")
    imp.add_argument("--input-type", default=DEFAULT_DATA_TYPE, help=f"the network input's type (default {DEFAULT_DATA_TYPE})")
    imp.add_argument("--hls4ml", metavar="CONFIG", help="an hls4ml configuration (.yml/.json, the dict "
                     "config_from_*_model returns) for an ONNX or Keras model: hls4ml's layer names, types and "
                     "semantics")
    imp.add_argument("--io-type", choices=("io_parallel", "io_stream"), help="with --hls4ml: the io_type the model "
                     "is converted with (convert_from_*_model's argument, not part of the configuration; default: the "
                     "configuration's IOType if it has one, else hls4ml's default io_parallel). It changes values: "
                     "io_parallel flattens channels-last before a dense layer")
    imp.add_argument("--hls4ml-project", metavar="DIR", help="a project hls4ml wrote (hls_model.write()): the "
                     "network its C-simulation runs, read from DIR/firmware (types, layers, weights)")
    imp.add_argument("--mean", type=_numbers, help="the preprocessing the model was trained with: image pixels "
                     "become (pixel/255 - MEAN) / STD per channel; MEAN as 0.4914,0.4822,0.4465 (with --std)")
    imp.add_argument("--std", type=_numbers, help="per-channel STD of that preprocessing, as 0.247,0.2435,0.2616")
    add_format_options(imp)
    imp.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    if (args.model is None) == (args.hls4ml_project is None):
        raise ValueError("give a model file or --hls4ml-project DIR (one of them)")
    if args.io_type and not args.hls4ml:
        raise ValueError("--io-type goes with --hls4ml CONFIG (a written project states its own)")
    if (args.mean is None) != (args.std is None):
        raise ValueError("--mean and --std go together: image pixels become (pixel/255 - MEAN) / STD")
    out = output_folder(args.out, create=False)  # checked before reading the model, created once it imports
    if args.hls4ml_project:
        from ..importers.hls4ml_project import import_project

        if args.hls4ml:
            raise ValueError("--hls4ml-project reads the types from the project: drop --hls4ml")
        args.model = args.hls4ml_project
        description, weights = import_project(args.hls4ml_project)
    elif args.hls4ml:
        from ..importers.hls4ml_config import apply, read_config

        config = read_config(args.hls4ml)
        if args.io_type:
            config["IOType"] = args.io_type
        if Path(args.model).suffix in (".keras", ".h5"):
            from ..importers.keras_model import import_keras

            description, weights = import_keras(args.model, hls4ml=True)
        elif Path(args.model).suffix == ".onnx":
            from ..importers.onnx_model import import_onnx

            from ..importers.qonnx_names import uses_qonnx_names

            description, weights = import_onnx(args.model, hls4ml=True, qonnx=uses_qonnx_names(config))
        else:
            raise ValueError(f"{args.model}: --hls4ml takes the model as ONNX (torch.onnx.export, without constant "
                             f"folding so a BatchNorm stays one) or Keras (.keras, .h5)")
        description = apply(description, config, args.hls4ml, weights)
    else:
        if Path(args.model).suffix in (".keras", ".h5"):
            from ..importers.keras_model import import_keras as importer
        elif Path(args.model).suffix == ".onnx":
            from ..importers.onnx_model import import_onnx as importer
        else:  # read as ONNX, a .pt or .yaml would fail with a protobuf message
            raise ValueError(f"{args.model}: import reads .onnx, .keras and .h5 models; a PyTorch state_dict "
                             f"(.pt, .pth) is given to the commands directly (--weights) with its network YAML")
        description, weights = importer(args.model, args.input_type)
    description["input"] = {**description["input"], **_preprocess(args, description["input"])}
    network = network_from_dict(description, source=str(args.model))  # validates before writing
    check_weights(network, weights, str(args.model))
    output_folder(args.out)
    files = {"network": out / "net.yaml", "weights": out / "weights.npz"}
    files["network"].write_text(yaml.safe_dump(description, sort_keys=False))
    np.savez(files["weights"], **weights)
    title = f"{args.model}: {len(network.layers)} layers -> {files['network']}, {files['weights']}"
    data = {"model": str(args.model), "network": network.name, "layers": [layer.name for layer in network.layers],
            "input_shape": list(network.input_shape), "preprocess": description.get("input", {}).get("preprocess")}
    run = f"next: accel run --config {files['network']}"
    emit(files_document(title, files, data, (run,)), output_format(args), None, "import")
    return 0


def _numbers(text: str) -> list[float]:
    """argparse type: comma-separated numbers (one per channel, or one for all)."""
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected numbers separated by commas, e.g. 0.5,0.5,0.5") from None


def _preprocess(args: argparse.Namespace, given: dict) -> dict:
    """The network file's ``input: preprocess``: from ``--mean``/``--std``, else what the
    model said (a Keras ``Rescaling`` layer), else nothing (the commands then warn)."""
    if args.mean is None:
        return {}
    if "preprocess" in given:
        print(f"accel import: --mean/--std replace the model's own preprocessing {given['preprocess']}",
              file=sys.stderr)
    return {"preprocess": {"mean": args.mean, "std": args.std}}
