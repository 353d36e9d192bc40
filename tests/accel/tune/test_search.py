"""The tune search on a small real network: the bit-exact simulator judges, the estimator
prices. Against a brute force over every width pair of a tiny space, the same optimum;
the target is never violated on the search images; a rerun on the results file simulates
nothing again and ends at the same point."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from accel.config import network_from_dict
from accel.sweep.ranges import profile_ranges
from accel.sweep.results_file import ResultsFile
from accel.tune.evaluate import Evaluator
from accel.tune.point import TunePoint
from accel.tune.search import StartMissesTarget, search
from accel.tune.target import Target, cost
from accel.weights import seeded_weights
from layers.hw import find_device

MLP = {"name": "mlp", "input": {"shape": [12], "type": "ap_fixed<16,6>"},
       "defaults": {"types": {"weight": "ap_fixed<16,6>", "bias": "ap_fixed<16,6>", "accum": "ap_fixed<32,12>",
                              "result": "ap_fixed<16,6>"}},
       "layers": [{"name": "fc1", "op": "dense", "out_features": 10, "relu": True},
                  {"name": "fc2", "op": "dense", "out_features": 4}]}
DEVICE = find_device("pynq-z2")


@pytest.fixture(scope="module")
def problem():
    network = network_from_dict(MLP, "mlp.yaml")
    weights = seeded_weights(network, 3)
    x = np.random.default_rng(4).normal(0, 1, (120, 12))
    labels = np.random.default_rng(5).integers(0, 4, 120)
    ranges = profile_ranges(network, weights, x).integer_bits(1)
    return network, weights, x, labels, ranges


def evaluator(problem, target="agreement>=90", objective="lut", chunk=40) -> Evaluator:
    network, weights, x, labels, _ = problem
    return Evaluator(network, weights, x, labels, Target.parse(target), objective, DEVICE, chunk=chunk, quiet=True)


def run(problem, path, widths=(3, 10), **options):
    ev = evaluator(problem, **{k: v for k, v in options.items() if k in ("target", "objective", "chunk")})
    start = TunePoint.uniform(("fc1", "fc2"), widths[1], problem[4])
    with ResultsFile(path) as results, ThreadPoolExecutor(2) as pool:
        log = search(start, lambda points: ev.judge(points, results, pool, 2), ev.cost, min_width=widths[0],
                     budget=options.get("budget"))
    return ev, log


def test_the_search_finds_the_brute_force_optimum(problem, tmp_path) -> None:
    ev, log = run(problem, tmp_path / "r.jsonl")
    every = [TunePoint((("fc1", a), ("fc2", b)), problem[4]) for a, b in itertools.product(range(3, 11), repeat=2)]
    with ResultsFile(tmp_path / "brute.jsonl") as results, ThreadPoolExecutor(2) as pool:
        judged = ev.judge(every, results, pool, 2)
    best = min((j for j in judged.values() if j.meets), key=lambda j: (j.cost, j.point.total_bits()))
    found = log.judged[log.path[-1]]
    assert found.meets and (found.cost, found.point.total_bits()) == (best.cost, best.point.total_bits())
    assert found.cost < log.judged[log.path[0]].cost  # it did lower the cost
    assert len(log.judged) < len(every)  # and simulated fewer points than the brute force


def test_every_step_meets_the_target_on_the_search_images(problem, tmp_path) -> None:
    for target in ("agreement>=95", "top1>=20"):
        ev, log = run(problem, tmp_path / f"{target[:3]}.jsonl", target=target)
        for point in log.path:
            judged = log.judged[point]
            assert judged.meets and judged.images == 120 and judged.value >= ev.target.threshold
            assert ev.target.met(judged.tally)


def test_a_hopeless_candidate_is_dropped_after_its_first_chunk(problem, tmp_path) -> None:
    ev, log = run(problem, tmp_path / "r.jsonl", target="agreement>=99")
    dropped = [j for j in log.judged.values() if j.images < 120]
    assert dropped and all(not j.meets and j.images == 40 for j in dropped)
    assert all((40 - round(j.value * 40 / 100)) > ev.allowed for j in dropped)  # more misses than 1% of 120


def test_a_rerun_reuses_every_result_and_ends_at_the_same_point(problem, tmp_path) -> None:
    _, first = run(problem, tmp_path / "r.jsonl")
    lines = (tmp_path / "r.jsonl").read_text().count("\n")
    _, second = run(problem, tmp_path / "r.jsonl")
    assert (tmp_path / "r.jsonl").read_text().count("\n") == lines  # nothing simulated again
    assert second.path == first.path
    _, partial = run(problem, tmp_path / "cut.jsonl", budget=5)  # an interrupted run ...
    assert partial.stopped and len(partial.judged) == 5
    _, resumed = run(problem, tmp_path / "cut.jsonl")  # ... resumed, ends where the uninterrupted one did
    assert resumed.path == first.path


def test_a_start_missing_the_target_is_refused(problem, tmp_path) -> None:
    with pytest.raises(StartMissesTarget, match="start wider"):
        run(problem, tmp_path / "r.jsonl", widths=(2, 2), target="agreement>=100")


def test_targets_and_objectives() -> None:
    assert Target.parse("agreement >= 99.5%") == Target("agreement", 99.5)
    for bad in ("accuracy>=90", "agreement>90", "agreement>=0", "agreement>=101", ""):
        with pytest.raises(ValueError, match="--target"):
            Target.parse(bad)

    class Total:
        DSP, BRAM_18K, LUT, FF = 22, 28, 5320, 10640

    class Estimate:
        total = Total()

        @staticmethod
        def latency_ms():
            return 1.5

    assert cost(Estimate, "score", DEVICE) == pytest.approx(0.1 * 4)  # a tenth of a Pynq-Z2's each
    assert (cost(Estimate, "dsp", DEVICE), cost(Estimate, "latency", DEVICE)) == (22, 1.5)


def test_a_dask_cluster_takes_the_same_path(problem, tmp_path) -> None:
    """The same search with its simulations on a real local Dask cluster (``--scheduler``)."""
    distributed = pytest.importorskip("distributed")
    from accel.sweep.executors import dask_executor

    _, local = run(problem, tmp_path / "local.jsonl")
    ev = evaluator(problem)
    start = TunePoint.uniform(("fc1", "fc2"), 10, problem[4])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with dask_executor(cluster.scheduler_address) as (executor, workers), \
                ResultsFile(tmp_path / "dask.jsonl") as results:
            remote = search(start, lambda points: ev.judge(points, results, executor, workers), ev.cost, min_width=3)
    assert remote.path == local.path
    assert [j.value for j in remote.judged.values()] == [j.value for j in local.judged.values()]


def test_knobs_and_exact_accumulators_at_array_granularity(problem) -> None:
    """``--granularity array``: a layer's weights (with its biases) and its results are two
    widths; each accumulator holds every product of its weights and its retyped input."""
    from accel.tune.point import knobs
    from layers.core.base import array_types

    network, _, _, _, ranges = problem
    assert knobs(network) == ("fc1", "fc2")
    assert knobs(network, "array") == ("fc1.weight", "fc1.result", "fc2.weight", "fc2.result")
    with pytest.raises(ValueError, match="--granularity 'neuron'"):
        knobs(network, "neuron")
    point = TunePoint((("fc1.weight", 6), ("fc1.result", 11), ("fc2.weight", 9), ("fc2.result", 7)), ranges)
    fc1, fc2 = (array_types(layer) for layer in point.apply(network).layers)
    assert (fc1["weight"].width, fc1["bias"].width, fc1["result"].width) == (6, 6, 11)
    assert (fc2["weight"].width, fc2["result"].width) == (9, 7)
    frac = lambda t: t.width - t.integer  # noqa: E731
    assert frac(fc2["accum"]) == frac(fc2["weight"]) + frac(fc1["result"])  # fc2's input is fc1's result
    assert frac(fc1["accum"]) == frac(fc1["weight"]) + frac(network.input_type)
    assert fc2["accum"].integer == 12  # the file's
