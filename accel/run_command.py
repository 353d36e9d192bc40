"""``accel run``: the simulator from the command line.

With no arguments: the classification check (the README's main job) — the shipped
``alexnet32`` with its trained weights over the embedded CIFAR-10 sample, fixed point
against float. ``--cifar PATH`` uses a CIFAR-10 binary release instead (with a progress
bar), ``--images N`` limits the count, ``--json`` prints machine-readable results.

With ``--input X.npy`` (unlabelled images): every layer's fixed-point output against the
float64 reference fed the same input; ``--save`` writes all layers to an ``.npz``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from tabulate import tabulate

from .classify_command import classification_command, trained_weights_path
from .config import load_network
from .network import DEFAULT_NETWORK, SHIPPED, Network, shipped_config
from .progress import Progress
from .simulator import Simulation, check_images, save_npz, simulate, simulate_float
from .weights import load_weights, seeded_weights


def add_run_command(commands) -> None:
    run = commands.add_parser(
        "run", help="run images through the fixed-point network and compare with float",
        description="Simulate the accelerator bit for bit on a batch of images and report, per layer, "
        "the kernel path, time, overflows and the error against the float64 reference.",
    )
    run.add_argument("--config", help=f"network YAML, or a shipped name ({', '.join(SHIPPED)}); default {DEFAULT_NETWORK}")
    run.add_argument("--weights", help="weights .npz (PyTorch state_dict names); default: the trained "
                     "weights shipped for alexnet32, seeded weights otherwise")
    run.add_argument("--cifar", help="classify this CIFAR-10 binary release's test set (.tar.gz or folder)")
    run.add_argument("--images", type=int, help="classify only the first N images")
    run.add_argument("--json", action="store_true", help="print the classification results as JSON")
    run.add_argument("--input", help="unlabelled images .npy, (N, C, H, W) float: per-layer report")
    run.add_argument("--batch", type=int, default=16, help="seeded images for networks that take no CIFAR input")
    run.add_argument("--seed", type=int, default=0, help="seed for seeded weights and images")
    run.add_argument("--save", help="with --input: write every layer's values, raws and types to this .npz")
    run.set_defaults(run=run_command)


def run_command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    weights, weights_source = resolve_weights(network, args)
    if args.input is None and tuple(network.input_shape) == (3, 32, 32):
        return classification_command(network, weights, weights_source, args)
    images = _images(network, args)
    progress = Progress(len(images), "simulating", enabled=len(images) > 256)
    sim = simulate(network, weights, images, batch_size=16, progress=progress)
    reference = simulate_float(network, weights, images)
    print(_summary(network, sim, args, weights_source))
    print(tabulate(_rows(sim, reference), headers=["layer", "op", "output", "type", "path", "ms/img",
                                                   "overflows p/a/r", "max |err|", "SQNR dB"]))
    if args.save:
        save_npz(sim, args.save)
        print(f"saved {len(sim.layers)} layers to {args.save}")
    return 0


def resolve_weights(network: Network, args: argparse.Namespace) -> tuple:
    """(weights, where they came from) for ``--weights``, trained or seeded weights."""
    if args.weights:
        return load_weights(network, args.weights), args.weights
    trained = trained_weights_path(network.name)
    if trained is not None:
        return load_weights(network, trained), f"trained weights {trained.name}"
    return seeded_weights(network, args.seed), f"seeded weights (seed {args.seed})"


def resolve_network(config: str | None) -> Network:
    """The network of ``--config``: a YAML path or a shipped name (default alexnet32)."""
    if config is None or config in SHIPPED:
        return load_network(shipped_config(config or DEFAULT_NETWORK))
    return load_network(config)


def _images(network: Network, args: argparse.Namespace) -> np.ndarray:
    if args.input is None:
        rng = np.random.default_rng(args.seed + 1)
        return rng.normal(0.0, 1.0, (args.batch, *network.input_shape))
    path = Path(args.input)
    try:
        images = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: cannot read images ({err})") from None
    return check_images(network, images, str(path))


def _summary(network: Network, sim: Simulation, args, source: str) -> str:
    n = len(sim.input_raw)
    inputs = args.input or f"{n} seeded N(0,1) images"
    per_image = sim.seconds / max(n, 1) * 1000
    return (f"{network.name} ({network.source}) | {source} | {inputs}\n"
            f"input {network.input_type}: {sim.input_stats.overflows} of {sim.input_stats.elements} values overflowed | "
            f"simulated in {sim.seconds:.2f} s ({per_image:.2f} ms/image)")


def _rows(sim: Simulation, reference: dict[str, np.ndarray]) -> list[list]:
    n = max(len(sim.input_raw), 1)
    rows = []
    for run in sim.layers:
        r = run.result
        ref = reference[run.name]
        err = r.values() - ref
        noise = float(np.mean(err**2))
        sqnr = 10 * np.log10(float(np.mean(ref**2)) / noise) if noise > 0 else float("inf")
        counts = f"{r.stats.product.overflows}/{r.stats.accumulation.overflows}/{r.stats.result.overflows}"
        rows.append([run.name, run.op, "x".join(map(str, r.raw.shape[1:])), str(r.type), r.path or "-",
                     f"{r.seconds / n * 1000:.2f}", counts, f"{np.abs(err).max():.4g}", f"{sqnr:.1f}"])
    return rows
