"""Options shared by the commands that classify labelled data and write hls4ml
configurations (``accel sweep``, ``accel tune``): which data, checked before any compute,
and the hls4ml configuration a result is written back into."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

from ..cifar import IMAGE_SHAPE, Cifar, load_sample, read_cifar
from ..importers.hls4ml_config import read_config
from ..importers.hls4ml_writeback import check_config_matches
from ..network import Network
from .common import output_file, positive_int


def add_workers_options(parser: argparse.ArgumentParser, command: str) -> None:
    """Where the simulations run (local processes or a Dask cluster) and the results file
    they stream to, which a rerun resumes from."""
    parser.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1,
                        help="local worker processes (default: one per core)")
    parser.add_argument("--scheduler", help="simulate on the Dask cluster at this address instead")
    parser.add_argument("--results", help=f"results file (JSON lines; default {command}-NETWORK.jsonl, in --out when "
                        f"given)")


def load_data(network: Network, args: argparse.Namespace) -> Cifar:
    """``--input``/``--labels``, else ``--cifar``'s test set, else the embedded sample."""
    if args.input:
        return _labelled(network, args)
    return read_cifar(args.cifar, "test") if args.cifar else load_sample()


def hls4ml_writeback_options(args: argparse.Namespace, network: Network) -> tuple[dict, Path] | None:
    """(the hls4ml configuration read, the output path checked), or None without them. The
    configuration must be the network's own: types are written by layer name, so another
    network's would land on whatever layers happen to share a name."""
    if (args.hls4ml_config is None) != (args.hls4ml_out is None):
        raise ValueError("--hls4ml-config and --hls4ml-out go together: the configuration read and the one written")
    if args.hls4ml_out is None:
        return None
    suffix = Path(args.hls4ml_out).suffix
    if suffix not in (".json", ".yml", ".yaml"):
        raise ValueError(f"--hls4ml-out {args.hls4ml_out}: a .json, .yml or .yaml file")
    if args.config is None:
        raise ValueError(f"--hls4ml-config {args.hls4ml_config}: give --config, the network imported with it "
                         f"(accel import MODEL --hls4ml {args.hls4ml_config} --out DIR, then --config DIR/net.yaml); "
                         f"the default network is not that configuration's")
    config = read_config(args.hls4ml_config)
    check_config_matches(config, network, args.hls4ml_config)
    return config, output_file(args.hls4ml_out, suffix, "--hls4ml-out")


def _labelled(network: Network, args: argparse.Namespace) -> Cifar:
    """``--input`` and ``--labels`` as a data set (float inputs, integer classes), checked."""
    from ..arrays import load_npy
    from ..simulator import check_images

    inputs = check_images(network, load_npy(args.input, "inputs"), args.input)
    labels = load_npy(args.labels, "labels")
    if labels.shape != (len(inputs),) or labels.dtype.kind not in "iu" or (labels.size and labels.min() < 0):
        raise ValueError(f"{args.labels}: labels must be {len(inputs)} non-negative integers (one per input of "
                         f"{args.input}), got shape {labels.shape} of {labels.dtype}")
    outputs = int(np.prod(network.output_shape))
    if labels.size and labels.max() >= outputs:
        raise ValueError(f"{args.labels}: label {int(labels.max())} is not a class of {network.name}, which has "
                         f"{outputs} outputs")
    classes = tuple(str(c) for c in range(outputs))
    return Cifar(inputs, labels.astype(np.int64), classes, f"{args.input} ({len(inputs)} inputs)")


def check_data_options(network: Network, args: argparse.Namespace) -> None:
    """``--cifar`` or ``--input``/``--labels`` (together), refused before any compute."""
    if (args.input is None) != (args.labels is None):
        raise ValueError("--input and --labels go together: the inputs and the class of each")
    if args.input is not None and args.cifar:
        raise ValueError("--cifar and --input both name the data: give one")
    if args.input is None and not network.takes_cifar:
        raise ValueError(f"{network.source}: {network.name} takes {tuple(network.input_shape)}, not CIFAR-10 images "
                         f"{IMAGE_SHAPE}: give its labelled data with --input X.npy --labels Y.npy")
