"""``accel tune``: the cheapest per-layer widths that keep the accuracy.

    accel tune --target "agreement>=99" --cifar cifar-10-binary.tar.gz --images 1000 --holdout 1000
    accel tune --config mlp.yaml --input x.npy --labels y.npy --target "top1>=97" --objective lut
    accel tune --config net.yaml --hls4ml-config cfg.yml --hls4ml-out tuned.yml --target "agreement>=99.5"
    accel tune ... --scheduler tcp://10.0.0.5:8786      # simulate on a Dask cluster

The search (``accel.tune.search``) narrows one layer at a time where the estimator says it
saves the most, keeps only moves the bit-exact simulator shows meeting the target, then
refines; every point simulated is in the results file, and a rerun resumes from it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from layers.hw import find_device
from reports.output import emit
from reports.tune import document

from ..sweep.executors import dask_executor, local_executor
from ..sweep.pareto import pareto_front
from ..sweep.ranges import profile_ranges
from ..sweep.results_file import ResultsFile
from ..sweep.task import network_inputs
from ..tune.evaluate import Evaluator
from ..tune.output import chosen_types, tuned_yaml, write_hls4ml, write_yaml
from ..tune.point import TunePoint, knobs
from ..tune.search import StartMissesTarget, search
from ..tune.target import OBJECTIVES, Target, check_objective
from .common import add_board_options, add_format_options, add_network_options, output_file, output_folder, \
    output_format, positive_int, resolve_network, resolve_target, resolve_weights
from .common_data import add_workers_options, check_data_options, hls4ml_writeback_options, load_data


def add(commands) -> None:
    tune = commands.add_parser(
        "tune", help="the cheapest per-layer widths that keep the accuracy",
        description="Search per-layer widths (integer bits from the float model's ranges) for the lowest estimated "
        "cost whose bit-exact accuracy on the search images meets --target; check the result on held-out images; "
        "write it as a network YAML (and an hls4ml configuration).")
    add_network_options(tune, default=None)
    tune.add_argument("--target", required=True, help="accuracy to keep: agreement>=P (with the float model) or "
                      "top1>=P, in per cent")
    tune.add_argument("--objective", default="score", choices=OBJECTIVES, help="cost to lower (default score: DSP, "
                      "BRAM_18K, LUT and FF as fractions of the board's, summed)")
    tune.add_argument("--start", type=positive_int, default=16, help="the uniform width the search starts from "
                      "(default 16; it must meet the target)")
    tune.add_argument("--min-width", type=positive_int, default=2, help="no layer narrower (default 2)")
    tune.add_argument("--headroom", type=int, default=1, help="integer bits above the ranges (default 1)")
    tune.add_argument("--granularity", default="layer", choices=("layer", "array"), help="one width per layer "
                      "(default), or per layer its weights (with the biases) and its results apart")
    tune.add_argument("--budget", type=positive_int, help="at most this many points simulated")
    tune.add_argument("--cifar", help="CIFAR-10 binary release (.tar.gz or folder); default: the embedded sample")
    tune.add_argument("--input", metavar="X.npy", help="the network's own labelled inputs instead (with --labels)")
    tune.add_argument("--labels", metavar="Y.npy", help="with --input: the class of each input")
    tune.add_argument("--images", type=positive_int, help="search images: the first N (default: half the data, "
                      "at most 1000)")
    tune.add_argument("--holdout", type=int, help="held-out images after them (default: as many as are left, "
                      "at most --images)")
    tune.add_argument("--chunk", type=positive_int, default=100, help="images per task (default 100)")
    tune.add_argument("--hls4ml-config", metavar="CONFIG", help="the hls4ml configuration the network was imported "
                      "with: --hls4ml-out writes it with the chosen types")
    tune.add_argument("--hls4ml-out", metavar="FILE", help="the hls4ml configuration with the chosen types")
    add_board_options(tune)
    add_workers_options(tune, "tune")
    add_format_options(tune, out=True)
    tune.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    resolve_target(args, network)
    check_data_options(network, args)
    target, objective = Target.parse(args.target), check_objective(args.objective)
    device = find_device(args.board)
    if args.headroom < 0 or (args.holdout is not None and args.holdout < 0):
        raise ValueError("--headroom and --holdout: zero or more")
    out = output_folder(args.out)
    results_path = output_file(args.results or str((out or Path(".")) / f"tune-{network.name}.jsonl"), ".jsonl",
                               "--results")
    hls4ml = hls4ml_writeback_options(args, network)
    layers = knobs(network, args.granularity)
    if not layers:
        raise ValueError(f"{network.source}: {network.name} has no layer with data types to tune")
    weights, _ = resolve_weights(network, args)
    data = load_data(network, args)
    search_count = args.images or min(1000, max(1, len(data) // 2))
    if search_count > len(data):
        raise ValueError(f"--images {search_count}: {data.source} has {len(data)}")
    holdout = min(len(data) - search_count, search_count if args.holdout is None else args.holdout)
    pixels, labels = data.images[:search_count], data.labels[:search_count]
    ranges = profile_ranges(network, weights, network_inputs(network, pixels[:200]))
    start = TunePoint.uniform(layers, args.start, ranges.integer_bits(args.headroom))
    evaluator = Evaluator(network, weights, pixels, labels, target, objective, device, args.preset, args.clock_ns,
                          args.chunk)
    began = time.perf_counter()
    with ResultsFile(results_path) as results:
        try:
            with (dask_executor(args.scheduler) if args.scheduler else local_executor(args.workers)) as (pool, workers):
                log = search(start, lambda points: evaluator.judge(points, results, pool, workers),
                             evaluator.cost, args.min_width, budget=args.budget,
                             report=lambda text: print(text, file=sys.stderr))
                tuned = log.path[-1]
                checked = _held_out(evaluator, data, search_count, holdout, (start, tuned), results, pool, workers)
        except StartMissesTarget as err:
            raise ValueError(f"{err} (or lower --target)") from None
        except KeyboardInterrupt:
            print(f"\naccel tune: interrupted; the points simulated are kept in {results.path}: run the same "
                  f"command again to resume", file=sys.stderr)
            return 130
    report = _report(args, network, evaluator, log, start, tuned, checked, search_count, holdout,
                     time.perf_counter() - began, results.path)
    if out is not None:
        write_yaml(tuned_yaml(network, tuned), out / f"{network.name}-tuned.yaml",
                   f"{network.name} tuned by accel tune for {target.describe()} at the lowest {objective}")
        report["written"] = [str(out / f"{network.name}-tuned.yaml")]
    if hls4ml is not None:
        write_hls4ml(hls4ml[0], network, tuned, hls4ml[1])
        report.setdefault("written", []).append(str(hls4ml[1]))
    emit(document(report), output_format(args), args.out, "tune")
    return 0


def _held_out(evaluator, data, first: int, count: int, points, results, pool, workers) -> dict:
    """The target's metric of ``points`` on the ``count`` images after the search images."""
    if count == 0:
        return {}
    held = Evaluator(evaluator.network, evaluator.weights, data.images[first:first + count],
                     data.labels[first:first + count], evaluator.target, evaluator.objective,
                     evaluator.device, evaluator.preset, evaluator.clock_ns, evaluator.chunk, prune=False)
    judged = held.judge(list(points), results, pool, workers, label="tune: held-out check")
    return {point: j.value for point, j in judged.items()}


def _report(args, network, evaluator, log, start, tuned, checked, search_count, holdout, seconds, results) -> dict:
    def design(point: TunePoint) -> dict:
        j = log.judged[point]
        return {"label": point.label(), "widths": dict(point.widths), "search": j.value, "holdout": checked.get(point),
                "cost": j.cost, "resources": j.resources}

    points = [_point(j) for j in log.judged.values()]
    full = [k for k, p in enumerate(points) if p["images"] == search_count]
    front = {full[k] for k in pareto_front([{"value": points[i]["value"], "cost": points[i]["cost"]} for i in full],
                                           "value", ("cost",))}
    for k, p in enumerate(points):
        p["pareto"] = k in front
    types = {layer: {array: str(t) for array, t in arrays.items()}
             for layer, arrays in chosen_types(network, tuned).items()}
    notes = [f"search: {search_count} images, held out: {holdout}; results file {results}"]
    if log.stopped:
        notes.append(f"stopped early: {log.stopped}")
    if holdout == 0:
        notes.append("no held-out images left: give more data (--cifar, --input) or fewer --images")
    return {"network": network.name, "board": args.board, "preset": args.preset, "objective": args.objective,
            "target": {"text": evaluator.target.describe(), "metric": evaluator.target.metric,
                       "threshold": evaluator.target.threshold},
            "images": {"search": search_count, "holdout": holdout}, "seconds": seconds,
            "start": design(start), "tuned": design(tuned), "types": types, "points": points,
            "path": [p.label() for p in log.path], "notes": notes}


def _point(j) -> dict:
    """A point simulated: its widths, the target's metric, both accuracies, per-layer SQNR and
    overflows on the images it ran on, and the estimate."""
    tally = j.tally
    return {"label": j.point.label(), "widths": dict(j.point.widths), "value": j.value, "images": j.images,
            "cost": j.cost, "meets": j.meets, "top1": 100 * tally.fixed_correct / tally.images,
            "agreement": 100 * tally.agree / tally.images,
            "min_sqnr_db": min((t.sqnr_db for t in tally.layers.values()), default=float("inf")),
            "overflows": sum(t.overflows for t in tally.layers.values()),
            "sqnr_db": {name: t.sqnr_db for name, t in tally.layers.items()},
            "layer_overflows": {name: t.overflows for name, t in tally.layers.items()}, **j.resources}
