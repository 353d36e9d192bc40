"""Bit-width sweeps: the grid, retyping, tallies that merge, the results file, executors
(a thread pool here, a real local Dask cluster and process pool below), the Pareto front."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from accel.cifar import load_sample, normalize
from accel.classify import classify
from accel.shipped import trained_weights as trained_weights_path
from accel.cli import main
from accel.config import load_network
from accel.shipped import shipped_config
from accel.sweep.pareto import dominates, pareto_front
from accel.sweep.ranges import integer_bits, profile_ranges
from accel.sweep.results_file import ResultsFile
from accel.sweep.plan import SweepPlan, pending_tasks, run_sweep, summarize
from accel.sweep.grid import SweepPoint, apply_point, check_scope, grid, parse_range
from accel.sweep.task import evaluate_chunk
from accel.weights import load_weights
from layers import Conv


@pytest.fixture(scope="module")
def setup():
    network = load_network(shipped_config("alexnet32"))
    weights = load_weights(network, trained_weights_path("alexnet32"))
    sample = load_sample()
    return network, weights, sample.images[:40], sample.labels[:40]


def test_ranges_and_grid_parsing() -> None:
    assert parse_range("8:32:8", "--width") == [8, 16, 24, 32]
    with pytest.raises(ValueError, match="--width '16:8'"):
        parse_range("16:8", "--width")
    points = grid([4, 8], [2, 6], ["exact", "keep"])
    assert len(points) == 2 * 2 * 2 - 2  # <4,6> is skipped (I > W)
    with pytest.raises(ValueError, match="--accum 'wide'"):
        grid([8], [2], ["wide"])


def test_apply_point_retypes_only_the_scope(setup) -> None:
    network = setup[0]
    point = SweepPoint(10, 3, accum="keep", scope=("conv",))
    retyped = apply_point(network, point)
    for old, new in zip(network.layers, retyped.layers):
        if isinstance(new, Conv):
            assert str(new.types.weight) == "ap_fixed<10,3,AP_RND,AP_SAT>" and new.types.result.width == 10
            assert new.types.accum == old.types.accum  # keep
        else:
            assert new == old
    assert retyped.input_type == network.input_type  # only a whole-network point retypes the input
    everything = apply_point(network, SweepPoint(12, 4))
    assert everything.input_type.width == 12
    check_scope(network, ("conv2", "dense"))
    with pytest.raises(ValueError, match="--scope conv9"):
        check_scope(network, ("conv9",))


def test_accumulator_choices(setup) -> None:
    conv1 = setup[0].layers[0]
    accum = {a: apply_point(setup[0], SweepPoint(12, 4, accum=a)).layers[0].types.accum for a in ("exact", "keep", "same", "32")}
    assert (accum["exact"].width, accum["exact"].integer) == (conv1.types.accum.integer + 16, conv1.types.accum.integer)
    assert accum["keep"] == conv1.types.accum
    assert str(accum["same"]) == "ap_fixed<12,4,AP_RND,AP_SAT>"
    assert accum["32"].width == 32 and accum["32"].integer == conv1.types.accum.integer


def test_integer_bits_from_ranges(setup) -> None:
    network, weights, pixels, _ = setup
    assert [integer_bits(v) for v in (0.99, 1.0, 7.9, 8.0)] == [1, 2, 4, 5]
    ranges = profile_ranges(network, weights, normalize(pixels))
    table = {(layer, array): (peak, bits) for layer, array, peak, bits in ranges.table(headroom=0)}
    for (layer, array), (peak, bits) in table.items():
        assert peak < 2 ** (bits - 1) and (bits <= -7 or peak >= 2 ** (bits - 2))  # the smallest that holds it
    # with those bits (plus one of headroom) no layer result saturates on the profiled images
    point = grid([16], None, ["exact"], auto_int=ranges.integer_bits(headroom=1))[0]
    tally = evaluate_chunk(network, weights, [point], pixels, setup[3])[0]
    assert all(layer["result"] == 0 for layer in tally["layers"].values())


def test_chunks_merge_to_one_run_and_match_the_classification_check(setup) -> None:
    network, weights, pixels, labels = setup
    point = SweepPoint(16, 4, accum="keep")
    whole = evaluate_chunk(network, weights, [point], pixels, labels)[0]
    plan = SweepPlan(network, weights, (point,), pixels, labels, chunk=15)  # 15 + 15 + 10
    with ThreadPoolExecutor(2) as pool:
        tally = run_sweep(plan, ResultsFile_tmp(), pool, 2)[point]
    assert (tally.images, tally.fixed_correct, tally.float_correct, tally.agree) == (
        whole["images"], whole["fixed_correct"], whole["float_correct"], whole["agree"])
    for name, layer in tally.layers.items():
        # the float32 reference's last bits depend on how BLAS blocks a batch
        assert layer.noise == pytest.approx(whole["layers"][name]["noise"], rel=1e-4)
        assert (layer.product, layer.accumulation, layer.result) == tuple(
            whole["layers"][name][s] for s in ("product", "accumulation", "result"))
    check = classify(apply_point(network, point), weights, pixels, labels, load_sample().classes)
    assert tally.fixed_correct == round(check.fixed_top1 * 40)
    assert tally.agree == round(check.agreement * 40)


_TMP = []


def ResultsFile_tmp() -> ResultsFile:  # noqa: N802 - a factory for a throwaway results file
    import tempfile

    folder = tempfile.TemporaryDirectory()
    _TMP.append(folder)
    return ResultsFile(f"{folder.name}/r.jsonl")


def test_results_file_resumes_and_survives_a_cut_line(setup, tmp_path) -> None:
    network, weights, pixels, labels = setup
    points = tuple(grid([8, 10], [3], ["exact"]))
    plan = SweepPlan(network, weights, points, pixels, labels, chunk=20)
    path = tmp_path / "results.jsonl"
    with ThreadPoolExecutor(1) as pool:
        first = run_sweep(plan, ResultsFile(path), pool, 1)
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and all(json.loads(line)["key"] for line in lines)
    assert pending_tasks(plan, ResultsFile(path), 1) == []
    path.write_text("\n".join(lines[:3]) + "\n" + lines[3][:40])  # killed while writing the last line
    resumed = ResultsFile(path)
    todo = pending_tasks(plan, resumed, 1)
    assert [(chunk, len(p)) for chunk, p in todo] == [(1, 1)]
    with ThreadPoolExecutor(1) as pool:
        again = run_sweep(plan, resumed, pool, 1)
    assert {p: t.fixed_correct for p, t in again.items()} == {p: t.fixed_correct for p, t in first.items()}
    assert all(json.loads(line) for line in path.read_text().splitlines())  # the cut line was left behind cleanly
    path.write_text("not json\n" + path.read_text())
    with pytest.raises(ValueError, match=r"results.jsonl: line 1 is not a sweep result"):
        ResultsFile(path)


def test_changing_an_input_invalidates_the_results(setup, tmp_path) -> None:
    network, weights, pixels, labels = setup
    points = (SweepPoint(8, 3),)
    path = tmp_path / "r.jsonl"
    with ThreadPoolExecutor(1) as pool:
        run_sweep(SweepPlan(network, weights, points, pixels, labels, 40), ResultsFile(path), pool, 1)
    other = {**weights, "fc3": {k: v * 1.01 for k, v in weights["fc3"].items()}}
    assert pending_tasks(SweepPlan(network, other, points, pixels, labels, 40), ResultsFile(path), 1)
    assert not pending_tasks(SweepPlan(network, weights, points, pixels, labels, 40), ResultsFile(path), 1)


def test_pareto_front_properties() -> None:
    rng = np.random.default_rng(1)
    rows = [{"acc": float(a), "DSP": int(d), "BRAM_18K": int(b)}
            for a, d, b in zip(rng.random(40), rng.integers(1, 50, 40), rng.integers(1, 50, 40))]
    front = set(pareto_front(rows, "acc", ("DSP", "BRAM_18K")))
    assert front
    for i, row in enumerate(rows):
        beaten = any(dominates(rows[j], row, "acc", ("DSP", "BRAM_18K")) for j in front)
        assert beaten != (i in front)


def test_summary_puts_costs_beside_accuracy(setup) -> None:
    network, weights, pixels, labels = setup
    points = (SweepPoint(8, 3), SweepPoint(16, 4), SweepPoint(32, 8))
    plan = SweepPlan(network, weights, points, pixels[:20], labels[:20], 20)
    with ThreadPoolExecutor(1) as pool:
        rows = summarize(plan, run_sweep(plan, ResultsFile_tmp(), pool, 1), "ultra96", "config")
    by_width = {row["width"]: row for row in rows}
    assert by_width[8]["BRAM_18K"] < by_width[32]["BRAM_18K"]
    assert by_width[8]["DSP"] < by_width[32]["DSP"]  # 32x32 multiplies take 4 DSP48E2s
    assert set(by_width[16]["sqnr_db"]) == {layer.name for layer in network.layers}
    assert any(row["pareto"] for row in rows)


def test_dask_local_cluster_gives_the_same_results(setup, tmp_path) -> None:
    distributed = pytest.importorskip("distributed")
    from accel.sweep.executors import dask_executor

    network, weights, pixels, labels = setup
    points = tuple(grid([8, 12], [3], ["exact"]))
    plan = SweepPlan(network, weights, points, pixels, labels, chunk=20)
    with ThreadPoolExecutor(1) as pool:
        local = run_sweep(plan, ResultsFile(tmp_path / "local.jsonl"), pool, 1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with dask_executor(cluster.scheduler_address) as (executor, workers):
            assert workers == 2
            remote = run_sweep(plan, ResultsFile(tmp_path / "dask.jsonl"), executor, workers)
    assert_same(remote, local)


def assert_same(a: dict, b: dict) -> None:
    """Same counts and overflows (fixed point: bit-exact anywhere); error sums equal up to
    the float32 reference's last bits (BLAS threads may block sums differently)."""
    assert a.keys() == b.keys()
    for point in a:
        x, y = a[point], b[point]
        assert (x.images, x.fixed_correct, x.float_correct, x.agree) == (y.images, y.fixed_correct, y.float_correct, y.agree)
        for name, layer in x.layers.items():
            other = y.layers[name]
            assert (layer.product, layer.accumulation, layer.result) == (other.product, other.accumulation, other.result)
            assert layer.noise == pytest.approx(other.noise, rel=1e-4)


def test_sweep_command_end_to_end(tmp_path, capsys) -> None:
    argv = ["sweep", "--width", "8,12", "--int", "3", "--images", "30", "--chunk", "15", "--workers", "1",
            "--results", str(tmp_path / "r.jsonl")]
    assert main([*argv, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [row["point"] for row in report["rows"]] == ["<8,3> acc exact", "<12,3> acc exact"]
    assert report["images"] == 30 and all(0 <= row["fixed_top1"] <= 1 for row in report["rows"])
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0  # resumed: nothing recomputed
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["accuracy.png", "pareto.png", "resources.png", "sweep.txt"]
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 4


@pytest.mark.parametrize("argv, fragment", [
    (["--width", "x"], "--width 'x'"),
    (["--scope", "conv9"], "--scope conv9"),
    (["--config", "alexnet227"], "not CIFAR-10 images (3, 32, 32): give its labelled data with --input"),
    (["--workers", "0"], "--workers: 0 must be at least 1"),
    (["--width", "4", "--int", "6"], "the grid is empty"),
])
def test_sweep_errors(tmp_path, capsys, argv, fragment) -> None:
    assert main(["sweep", "--images", "10", "--results", str(tmp_path / "r.jsonl"), *argv]) == 2
    assert fragment in capsys.readouterr().err


def test_bad_labelled_data_is_refused_before_any_compute(tmp_path, capsys) -> None:
    np.save(tmp_path / "x.npy", np.zeros((4, 3, 32, 32)))
    np.save(tmp_path / "short.npy", np.zeros(3, dtype=np.int64))
    np.save(tmp_path / "big.npy", np.array([0, 1, 2, 10]))
    for labels, fragment in ((None, "--input and --labels go together"),
                             ("short.npy", "labels must be 4 non-negative integers"),
                             ("big.npy", "label 10 is not a class of alexnet32")):
        argv = ["sweep", "--results", str(tmp_path / "r.jsonl"), "--input", str(tmp_path / "x.npy")]
        assert main(argv + (["--labels", str(tmp_path / labels)] if labels else [])) == 2
        assert fragment in capsys.readouterr().err


def test_local_process_pool_gives_the_same_results(setup, tmp_path) -> None:
    from accel.sweep.executors import local_executor

    network, weights, pixels, labels = setup
    plan = SweepPlan(network, weights, tuple(grid([10], [3, 4], ["exact"])), pixels, labels, chunk=20)
    with ThreadPoolExecutor(1) as pool:
        local = run_sweep(plan, ResultsFile(tmp_path / "thread.jsonl"), pool, 1)
    with local_executor(2) as (pool, workers):
        pooled = run_sweep(plan, ResultsFile(tmp_path / "pool.jsonl"), pool, workers)
    assert_same(pooled, local)


def test_a_network_of_any_shape_sweeps_on_its_own_labelled_data(tmp_path, capsys) -> None:
    """An MLP (a vector input) with ``--input X.npy --labels Y.npy``: the float reference's
    top-1 is the one numpy computes from the same weights, and the grid runs on that data."""
    import json

    import yaml

    from accel.config import load_network
    from accel.weights import save_weights, seeded_weights

    net_file = tmp_path / "mlp.yaml"
    net_file.write_text(yaml.safe_dump({
        "name": "mlp", "input": {"shape": [16], "type": "ap_fixed<16,6>"},
        "defaults": {"types": {"weight": "ap_fixed<16,6>", "bias": "ap_fixed<16,6>", "accum": "ap_fixed<32,12>",
                               "result": "ap_fixed<16,6>"}},
        "layers": [{"name": "fc1", "op": "dense", "out_features": 12, "relu": True},
                   {"name": "fc2", "op": "dense", "out_features": 4}]}))
    weights = seeded_weights(load_network(net_file), 5)
    save_weights(weights, tmp_path / "weights.npz")
    x = np.random.default_rng(6).normal(0, 1, (120, 16))
    labels = np.random.default_rng(7).integers(0, 4, 120)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", labels)
    assert main(["sweep", "--config", str(net_file), "--input", str(tmp_path / "x.npy"), "--labels",
                 str(tmp_path / "y.npy"), "--width", "8,12", "--int", "4", "--workers", "1", "--json",
                 "--results", str(tmp_path / "r.jsonl")]) == 0
    report = json.loads(capsys.readouterr().out)
    hidden = np.maximum(x @ weights["fc1"]["weight"].T + weights["fc1"]["bias"], 0)
    logits = hidden @ weights["fc2"]["weight"].T + weights["fc2"]["bias"]
    rows = report["rows"]
    assert len(rows) == 2 and report["images"] == 120
    assert all(abs(r["float_top1"] - np.mean(logits.argmax(1) == labels)) < 1e-12 for r in rows)
    assert main(["sweep", "--config", str(net_file), "--width", "8"]) == 2  # no CIFAR-10 images for a vector
    assert "give its labelled data with --input X.npy --labels Y.npy" in capsys.readouterr().err
