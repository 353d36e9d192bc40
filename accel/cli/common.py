"""What the commands share: their common options, and how they resolve a network, its
weights and its images. No command module imports another; they all import this one.

- ``--config``: a network YAML or a shipped name; ``--weights``: a weights ``.npz`` (default:
  the trained weights shipped for the network, else seeded ones, said loudly);
  ``--seed``: the seed of seeded weights and images;
- ``--board``, ``--preset``, ``--clock-ns``, ``--profile``: the estimator's target;
- ``--format`` (and ``--json``, the same as ``--format json``): how the result is printed.
"""

from __future__ import annotations

import argparse

import numpy as np

from layers.hw import DEFAULT_CLOCK_NS, Preset, Profile
from reports.document import FORMATS

from ..cifar import load_sample, normalize
from ..config import load_network
from ..network import Network
from ..shipped import DEFAULT_NETWORK, NETWORKS, shipped_config, trained_weights
from ..weights import Weights, load_weights, seeded_weights

DEFAULT_BOARD = "ultra96"


def add_network_options(parser: argparse.ArgumentParser, default: str = DEFAULT_NETWORK, weights: bool = True) -> None:
    parser.add_argument("--config", default=default,
                        help=f"network YAML, or a shipped name ({', '.join(NETWORKS)}); default {default}")
    if weights:
        parser.add_argument("--weights", help="weights .npz (PyTorch state_dict names); default: the trained "
                            "weights shipped for the network, seeded weights otherwise")
    parser.add_argument("--seed", type=int, default=0, help="seed for seeded weights and images (default 0)")


def add_board_options(parser: argparse.ArgumentParser, preset: bool = True) -> None:
    parser.add_argument("--board", default=DEFAULT_BOARD, help=f"board name or part number (default {DEFAULT_BOARD})")
    parser.add_argument("--clock-ns", type=float, default=DEFAULT_CLOCK_NS,
                        help=f"clock period in ns (default {DEFAULT_CLOCK_NS:g})")
    if not preset:
        return
    parser.add_argument("--preset", default=Preset.CONFIG.value, choices=[p.value for p in Preset],
                        help="config: the YAML's tiles and directives; unopt: rolled loops, whole arrays on chip; "
                        "opt: tiled, pipelined, partitioned, dataflow (default config)")


def add_format_options(parser: argparse.ArgumentParser, out: bool = False) -> None:
    parser.add_argument("--format", default="text", choices=FORMATS, help="output format (default text)")
    parser.add_argument("--json", action="store_true", help="the same as --format json")
    if out:
        parser.add_argument("--out", help="write the report (and its PNG plots) into this folder")


def output_format(args: argparse.Namespace) -> str:
    return "json" if args.json else args.format


def resolve_network(config: str | None) -> Network:
    """The network of ``--config``: a YAML path or a shipped name (default alexnet32)."""
    if config is None or config in NETWORKS:
        return load_network(shipped_config(config or DEFAULT_NETWORK))
    return load_network(config)


def resolve_weights(network: Network, args: argparse.Namespace) -> tuple[Weights, str]:
    """(weights, where they came from) for ``--weights``, trained or seeded weights."""
    if getattr(args, "weights", None):
        return load_weights(network, args.weights), args.weights
    trained = trained_weights(network.name)
    if trained is not None:
        return load_weights(network, trained), f"trained weights {trained.name}"
    return seeded_weights(network, args.seed), f"seeded weights (seed {args.seed})"


def resolve_profile(path: str | None) -> Profile | None:
    return Profile.load(path) if path else None


def example_images(network: Network, count: int, seed: int) -> np.ndarray:
    """Images for a network: the embedded CIFAR-10 sample (normalized) when it takes CIFAR
    images, seeded N(0, 1) images otherwise."""
    if network.takes_cifar:
        return normalize(load_sample().images[:count])
    return np.random.default_rng(seed + 1).normal(0.0, 1.0, (count, *network.input_shape))
