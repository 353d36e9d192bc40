"""``accel run``: the simulator from the command line.

With no arguments: the classification check (the README's main job) — the shipped
``alexnet32`` with its trained weights over the embedded CIFAR-10 sample, fixed point
against float. ``--cifar PATH`` uses a CIFAR-10 binary release instead (with a progress
bar), ``--images N`` limits the count, ``--format json`` (or ``--json``) prints
machine-readable results.

With ``--input X.npy`` (unlabelled images), or for a network that does not take CIFAR-10
images: every layer's fixed-point output against the float64 reference fed the same
input; ``--save`` writes all layers to an ``.npz``.
"""

from __future__ import annotations

import argparse

import numpy as np

from reports.output import emit
from reports.simulation import classification_document, layer_report_document
from reports.tally import LayerTally

from ..arrays import load_npy
from ..footprint import check_fits
from ..cifar import load_sample, read_cifar
from ..classify import classify
from ..integer_bits import array_ranges
from ..network import Network
from ..progress import Progress
from ..simulator import Simulation, check_images, save_npz, simulate, simulate_float
from ..preprocess import UNSTATED
from .common import add_format_options, add_network_options, output_file, output_format, positive_int, \
    resolve_network, resolve_weights


def add(commands) -> None:
    run = commands.add_parser(
        "run", help="run images through the fixed-point network and compare with float",
        description="Simulate the accelerator bit for bit on a batch of images and report, per layer, "
        "the kernel path, time, overflows and the error against the float64 reference.",
    )
    add_network_options(run)
    run.add_argument("--cifar", help="classify this CIFAR-10 binary release's test set (.tar.gz or folder)")
    run.add_argument("--images", type=positive_int, help="classify only the first N images")
    run.add_argument("--input", help="unlabelled images .npy, (N, C, H, W) float: per-layer report")
    run.add_argument("--batch", type=positive_int, default=16,
                     help="how many seeded images for a network that takes no CIFAR input (default 16)")
    run.add_argument("--save", help="with --input: write every layer's values, raws and types to this .npz")
    add_format_options(run)
    run.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    classification = args.input is None and network.takes_cifar
    _check_options(network, classification, args)
    args.save = output_file(args.save, ".npz", "--save")
    weights, weights_source = resolve_weights(network, args)
    if classification:
        return _classification(network, weights, weights_source, args)
    images = _images(network, args)
    progress = Progress(len(images), "simulating", enabled=len(images) > 256)
    sim = simulate(network, weights, images, batch_size=16, progress=progress)
    reference = simulate_float(network, weights, images)
    if args.save:
        save_npz(sim, args.save)
    data = {"network": network.name, "source": network.source, "weights": weights_source,
            "inputs": args.input or f"{len(images)} seeded N(0,1) images", "images": len(images),
            "input_type": str(sim.input_type), "input_overflows": sim.input_stats.overflows,
            "input_elements": sim.input_stats.elements, "seconds": sim.seconds,
            "layers": _layers(sim, reference, tallies := {}), "saved": args.save}
    data["ranges"] = [row.as_dict() for row in array_ranges(network, weights, tallies,
                                                            (float(images.min()), float(images.max())),
                                                            sim.input_stats.overflows)]
    emit(layer_report_document(data), output_format(args), None, "run")
    return 0


def _check_options(network: Network, classification: bool, args: argparse.Namespace) -> None:
    """Options that would be ignored in this mode are errors, not silence."""
    if classification and args.save:
        raise ValueError("--save writes every layer of a per-layer run: give the images with --input X.npy")
    if args.cifar and not network.takes_cifar:
        raise ValueError(f"--cifar: {network.name} takes {tuple(network.input_shape)} inputs, not CIFAR-10 images")
    if args.cifar and args.input:
        raise ValueError("--cifar and --input both name the images: give one")
    if args.images is not None and not classification:
        raise ValueError("--images counts CIFAR-10 images to classify; with --input every image runs, "
                         "for seeded images use --batch")
    if args.batch != 16 and (classification or args.input):
        raise ValueError("--batch sets how many seeded images run; it has no use with --input or CIFAR-10 images")


def _classification(network: Network, weights, weights_source: str, args: argparse.Namespace) -> int:
    data = read_cifar(args.cifar, "test") if args.cifar else load_sample()
    count = len(data) if args.images is None else max(1, min(args.images, len(data)))
    progress = Progress(count, "classifying", enabled=count >= 100)  # seconds of work: say so
    result = classify(network, weights, data.images[:count], data.labels[:count], data.classes, progress=progress)
    document = classification_document({"network": network.name, "source": network.source,
                                        "weights": weights_source, "data": data.source,
                                        "preprocess": str(network.preprocess or UNSTATED) +
                                        ("" if network.preprocess else " (not stated by the network file)"),
                                        **result.as_dict()})
    emit(document, output_format(args), None, "run")
    return 0


def _images(network: Network, args: argparse.Namespace) -> np.ndarray:
    if args.input is None:
        check_fits(network, args.batch, args.batch)  # before the seeded inputs are drawn
        rng = np.random.default_rng(args.seed + 1)
        return rng.normal(0.0, 1.0, (args.batch, *network.input_shape))
    return check_images(network, load_npy(args.input, "images"), args.input)


def _layers(sim: Simulation, reference: dict[str, np.ndarray], tallies: dict) -> list[dict]:
    """Report rows; ``tallies`` receives each layer's ``LayerTally``."""
    n, network = max(len(sim.input_raw), 1), sim.network
    rows = []
    for index, run in enumerate(sim.layers):
        r = run.result
        tally = tallies[run.name] = LayerTally.of_result(r, reference[run.name])
        rows.append({"name": run.name, "op": run.op, "output": "x".join(map(str, r.raw.shape[1:])), "type": str(r.type),
                     "path": r.path, "ms_per_image": r.seconds / n * 1000, "overflows": tally.overflows_by_stage(),
                     "max_abs_error": tally.max_error, "sqnr_db": tally.sqnr_db,
                     **({} if network.is_chain else {"inputs": list(network.sources(index))})})
    return rows
