"""The classification half of ``accel run``: printing the check for people or machines."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tabulate import tabulate

from .cifar import load_sample, read_cifar
from .classify import Classification, classify
from .network import Network, shipped_golden_file
from .progress import Progress
from .weights import Weights


def trained_weights_path(network_name: str) -> Path | None:
    """The trained weights shipped in ``golden/weights/`` for a network, if any."""
    return shipped_golden_file("weights", network_name)


def classification_command(network: Network, weights: Weights, weights_source: str, args: argparse.Namespace) -> int:
    data = read_cifar(args.cifar, "test") if args.cifar else load_sample()
    count = len(data) if args.images is None else max(1, min(args.images, len(data)))
    progress = Progress(count, "classifying", enabled=bool(args.cifar))  # the full-dataset run
    result = classify(network, weights, data.images[:count], data.labels[:count], data.classes, progress=progress)
    if args.json:
        print(json.dumps({"network": network.name, "weights": weights_source, "data": data.source,
                          **result.as_dict()}, indent=2))
    else:
        print(report(network, result, weights_source, data.source))
    return 0


def report(network: Network, r: Classification, weights_source: str, data_source: str) -> str:
    lines = [
        f"{network.name} ({network.source}) | {weights_source} | {data_source}: {r.images} images",
        f"float top-1 {r.float_top1:.2%} | fixed top-1 {r.fixed_top1:.2%} | float/fixed agreement "
        f"{r.agreement:.2%} | {r.seconds:.1f} s ({r.seconds / r.images * 1000:.1f} ms/image, both networks)",
        "",
        tabulate([[row["class"], row["images"], f"{row['float_top1']:.1%}", f"{row['fixed_top1']:.1%}",
                   f"{row['agreement']:.1%}"] for row in r.per_class()],
                 headers=["class", "images", "float top-1", "fixed top-1", "agreement"]),
        "",
        "confusion matrix of the fixed-point network (rows: true class, columns: predicted)",
        tabulate([[name, *row] for name, row in zip(r.classes, r.confusion().tolist())],
                 headers=["", *[c[:5] for c in r.classes]]),
        "",
        f"class probabilities of image {r.example_index} (label: {r.classes[int(r.labels[r.example_index])]})",
        tabulate([[c, f"{p:.6g}", f"{q:.6g}"] for c, p, q in
                  zip(r.classes, r.example_float_probabilities, r.example_fixed_probabilities)],
                 headers=["class", "float", "fixed"]),
        "",
        tabulate([[l.name, l.op, l.type, l.path or "-", f"{l.ms_per_image:.2f}",
                   "/".join(str(l.overflows[s]) for s in ("product", "accumulation", "result")),
                   f"{l.max_abs_error:.4g}", f"{l.sqnr_db:.1f}"] for l in r.layers],
                 headers=["layer", "op", "type", "path", "ms/img", "overflows p/a/r", "max |err|", "SQNR dB"]),
    ]
    return "\n".join(lines)
