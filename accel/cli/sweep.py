"""``accel sweep``: accuracy and hardware cost over a grid of bit widths.

    accel sweep --width 8:16:2 --int 2:6                  # 25 points on the embedded sample
    accel sweep --width 8:16:2 --auto-int --headroom 1    # integer bits from observed ranges
    accel sweep --width 16 --auto-int --hls4ml-config cfg.yml --hls4ml-out tuned.yml
                                                          # ... written back into an hls4ml config
    accel sweep --width 16 --int 4 --accum 20:40:4        # the accumulator alone
    accel sweep --width 6:12 --int 3 --scope conv2        # one layer's sensitivity
    accel sweep --width 4:10:2 --int 3 --scope each       # every layer's, in turn
    accel sweep ... --cifar cifar-10-binary.tar.gz --images 1000 --workers 2
    accel sweep ... --scheduler tcp://10.0.0.5:8786       # on a Dask cluster
    accel sweep --config mlp.yaml --input x.npy --labels y.npy --width 6:12:2 --auto-int   # your own data
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reports.output import emit
from reports.sweep import document

from layers.core.base import array_types
from layers.hw import Preset, find_device

from ..importers.hls4ml_writeback import save_config, with_integer_bits
from ..progress import Progress
from ..sweep.executors import dask_executor, local_executor
from ..sweep.grid import PointRetype, SweepPoint, check_scope, grid, parse_range, retypable
from ..sweep.plan import SweepPlan, finished_points, pending_tasks, run_sweep, summarize
from ..sweep.ranges import profile_ranges
from ..sweep.results_file import ResultsFile
from ..sweep.task import network_inputs
from .common import add_board_options, add_format_options, add_network_options, output_file, output_folder, \
    output_format, positive_int, resolve_network, resolve_target, resolve_weights
from .common_data import add_workers_options, check_data_options, hls4ml_writeback_options, load_data


def add(commands) -> None:
    sweep = commands.add_parser(
        "sweep", help="accuracy and resources over a grid of bit widths",
        description="Classify images at every (width, integer bits, accumulator) point of a grid and put "
        "top-1, float agreement, per-layer SQNR and overflows beside the estimator's BRAM/DSP/LUT/FF/latency; "
        "mark the Pareto front. Results stream to a file; a rerun skips finished points.",
    )
    add_network_options(sweep, default=None)  # --hls4ml-config must know whether --config was given
    sweep.add_argument("--width", default="8:16:2", help="total widths W: START:STOP[:STEP] or a list (default 8:16:2)")
    sweep.add_argument("--int", dest="integer", default="2:6", help="integer bits I (default 2:6)")
    sweep.add_argument("--auto-int", action="store_true", help="integer bits per layer from the float model's ranges")
    sweep.add_argument("--headroom", type=int, default=1, help="extra integer bits with --auto-int (default 1)")
    sweep.add_argument("--hls4ml-config", metavar="CONFIG", help="with --auto-int: the hls4ml configuration the "
                       "network was imported with (accel import --hls4ml)")
    sweep.add_argument("--hls4ml-out", metavar="FILE", help="write CONFIG with the --auto-int integer bits (each "
                       "type keeps its width and modes) to FILE (.json or .yml, as hls4ml reads them)")
    sweep.add_argument("--accum", default="exact", help="exact, keep, same, or accumulator widths (e.g. 24:40:8)")
    sweep.add_argument("--scope", default="all", help="all, a layer kind (conv, dense, lrn) or layer names, "
                       "comma-separated; each: every layer on its own")
    sweep.add_argument("--cifar", help="CIFAR-10 binary release (.tar.gz or folder); default: the embedded sample")
    sweep.add_argument("--images", type=positive_int, help="use the first N images")
    sweep.add_argument("--input", metavar="X.npy", help="the network's own labelled data instead of CIFAR-10: float "
                       "inputs (N, *input shape), fed as they are (with --labels)")
    sweep.add_argument("--labels", metavar="Y.npy", help="with --input: the class of each input (integers, N)")
    sweep.add_argument("--chunk", type=positive_int, default=100, help="images per task (default 100)")
    add_board_options(sweep)
    add_workers_options(sweep, "sweep")
    add_format_options(sweep, out=True)
    sweep.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    network = resolve_network(args.config)
    resolve_target(args, network)
    check_data_options(network, args)
    device, preset = find_device(args.board), Preset.parse(args.preset)  # before any compute
    out = output_folder(args.out)
    results_path = output_file(args.results or str((out or Path(".")) / f"sweep-{network.name}.jsonl"), ".jsonl",
                               "--results")
    scopes = _scopes(network, args.scope)
    if args.hls4ml_out is not None and args.hls4ml_config is not None and not args.auto_int:
        raise ValueError("--hls4ml-out writes the integer bits --auto-int finds: add --auto-int")
    hls4ml_config, hls4ml_out = hls4ml_writeback_options(args, network) or (None, None)
    weights, _ = resolve_weights(network, args)
    data = load_data(network, args)
    count = len(data) if args.images is None else min(args.images, len(data))
    pixels, labels = data.images[:count], data.labels[:count]
    accums = _accums(args.accum)
    ranges = None
    widths = parse_range(args.width, "--width")
    if args.auto_int:
        ranges = profile_ranges(network, weights, network_inputs(network, pixels[:200]))
        if hls4ml_out:
            bits = {(layer, array): value for layer, array, value in ranges.integer_bits(args.headroom)}
            save_config(with_integer_bits(hls4ml_config, network, bits), hls4ml_out)
            print(f"accel sweep: wrote {args.hls4ml_config} with --auto-int integer bits to {hls4ml_out}",
                  file=sys.stderr)
        points = [p for scope in scopes for p in grid(widths, None, accums, scope, ranges.integer_bits(args.headroom))]
    else:
        integers = parse_range(args.integer, "--int")
        points = [p for scope in scopes for p in grid(widths, integers, accums, scope)]
    if not points:
        raise ValueError("the grid is empty: every integer-bit value exceeds every width")
    plan = SweepPlan(network, weights, tuple(points), pixels, labels, args.chunk)
    executor = dask_executor(args.scheduler) if args.scheduler else local_executor(args.workers)
    with ResultsFile(results_path) as results:
        total = len(points) * plan.chunks
        reused = total - sum(len(todo) for _, todo in pending_tasks(plan, results, 1))
        if reused:
            print(f"accel sweep: reusing {reused} of {total} (point, chunk) results from {results.path}",
                  file=sys.stderr)
        try:
            with executor as (pool, workers):
                pending = sum(len(todo) for _, todo in pending_tasks(plan, results, workers))
                bar = SweepProgress(pending, len(points), finished_points(plan, results))
                tallies = run_sweep(plan, results, pool, workers, progress=bar)
        except KeyboardInterrupt:
            kept = sum(1 for key in results.done)
            print(f"\naccel sweep: interrupted; {kept} (point, chunk) results are kept in {results.path}: "
                  f"run the same command again to resume", file=sys.stderr)
            return 130
    rows = summarize(plan, tallies, device, preset, args.clock_ns)
    report = {"network": network.name, "board": args.board, "preset": args.preset, "images": count,
              "data": data.source, "results_file": str(results.path), "rows": rows,
              "ranges": _ranges(network, ranges, args.headroom, widths) if ranges else None}
    emit(document(report), output_format(args), args.out, "sweep")
    return 0


def _ranges(network, ranges, headroom: int, widths: list[int]) -> list[dict]:
    """The integer bits --auto-int chose, per layer and array, as typedefs to paste (at each
    width): the full type each point simulated — the array's own signedness, rounding and
    overflow modes from the network file, the point's width and integer bits."""
    types = {("input", "result"): network.input_type}
    types.update({(layer.name, array): t for layer in network.layers for array, t in array_types(layer).items()})
    bits = ranges.integer_bits(headroom)
    rows = []
    for layer, array, value, integer in ranges.table(headroom):
        if (layer, array) not in types:  # no type of its own (it keeps its input's): nothing the sweep retypes
            rows.append({"layer": layer, "array": array, "max_abs": value, "integer_bits": integer, "types": [],
                         "typedefs": []})
            continue
        simulated = [PointRetype(SweepPoint(w, None, auto_int=bits)).data(types[(layer, array)], layer, array)
                     for w in widths]
        rows.append({"layer": layer, "array": array, "max_abs": value, "integer_bits": integer,
                     "types": [str(t) for t in simulated],
                     "typedefs": [f"typedef {t} {layer}_{array}_t;" for t in simulated]})
    return rows


def _scopes(network, text: str) -> list[tuple[str, ...]]:
    """``each``: every conv, dense and LRN layer on its own (the others keep their types);
    otherwise one scope of kinds and layer names."""
    if text.strip() == "each":
        return [(layer.name,) for layer in retypable(network)]
    scope = tuple(s.strip() for s in text.split(","))
    check_scope(network, scope)
    return [scope]


def _accums(text: str) -> list[str]:
    words = [w.strip() for w in text.split(",")]
    if all(w.isdigit() or ":" in w for w in words):
        return [str(v) for v in parse_range(text, "--accum")]
    return words


class SweepProgress(Progress):
    """One step per (point, chunk) result; the label counts finished points and images."""

    def __init__(self, pending: int, points: int, finished: int):
        super().__init__(pending, "sweep", enabled=pending > 0)
        self.points, self.finished, self.images = points, finished, 0
        self.label = self._label()

    def _label(self) -> str:
        return f"sweep: {self.finished}/{self.points} points, {self.images:,} images"

    def __call__(self, point_finished: bool = False, images: int = 0) -> None:
        self.finished += int(point_finished)
        self.images += images
        self.label = self._label()
        super().__call__(1)
