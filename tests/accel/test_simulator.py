"""Weights files, the simulator and ``accel run``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from accel.cli import main
from accel.config import network_from_dict
from accel.simulator import simulate, simulate_float
from accel.weights import load_weights, save_weights, seeded_weights
from tests.accel.test_config import BASE

NET = network_from_dict(BASE)


def test_weights_round_trip_and_validation(tmp_path) -> None:
    weights = seeded_weights(NET, seed=3)
    path = tmp_path / "w.npz"
    save_weights(weights, path)
    loaded = load_weights(NET, path)
    assert all(np.array_equal(loaded[l][f], weights[l][f]) for l in weights for f in weights[l])
    flat = {f"{l}.{f}": a for l, p in weights.items() for f, a in p.items()}
    cases = [
        ({**flat, "fc2.weight": np.zeros(3)}, "unexpected key(s) ['fc2.weight']"),
        ({k: v for k, v in flat.items() if k != "fc.bias"}, "missing key(s) ['fc.bias']"),
        ({**flat, "conv1.weight": np.zeros((4, 3, 5, 5))}, "layer 'conv1' field 'weight': shape (4, 3, 5, 5)"),
        ({**flat, "fc.bias": np.full(5, np.nan)}, "layer 'fc' field 'bias': contains NaN"),
    ]
    for arrays, fragment in cases:
        np.savez(tmp_path / "bad.npz", **arrays)
        with pytest.raises(ValueError) as err:
            load_weights(NET, tmp_path / "bad.npz")
        assert fragment in str(err.value) and "bad.npz" in str(err.value)


def test_pickled_arrays_are_never_loaded(tmp_path) -> None:
    flat = {f"{l}.{f}": a for l, p in seeded_weights(NET).items() for f, a in p.items()}
    flat["conv1.bias"] = np.array([object()] * 4, dtype=object)  # needs pickle
    np.savez(tmp_path / "pickle.npz", **flat)
    with pytest.raises(ValueError, match="pickle.npz: layer .conv1. field .bias.: dtype object is not numeric"):
        load_weights(NET, tmp_path / "pickle.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="junk.npz: not a readable .npz"):
        load_weights(NET, tmp_path / "junk.npz")


def test_simulation_is_layer_by_layer_and_batch_independent(rng) -> None:
    weights = seeded_weights(NET, seed=1)
    images = rng.normal(0, 1, (7, 3, 8, 8))
    whole = simulate(NET, weights, images, batch_size=64)
    pieces = simulate(NET, weights, images, batch_size=3)
    raw, t = NET.input_type.to_raw(images), NET.input_type
    for layer, run_a, run_b in zip(NET.layers, whole.layers, pieces.layers):
        alone = layer.run_fixed(raw, t, weights.get(layer.name, {}))
        assert run_a.result.raw.tolist() == alone.raw.tolist() == run_b.result.raw.tolist()
        assert run_a.result.stats.as_dict() == run_b.result.stats.as_dict()
        raw, t = alone.raw, alone.type
    floats = simulate_float(NET, weights, images)
    assert np.abs(floats["fc"] - whole.output.values()).max() < 0.05


def test_wrong_images_are_refused() -> None:
    with pytest.raises(ValueError, match=r"do not fit network 'tiny', which takes \(N, 3, 8, 8\)"):
        simulate(NET, seeded_weights(NET), np.zeros((2, 3, 9, 9)))


def test_accel_run_default_is_the_classification_check(capsys) -> None:
    assert main(["run", "--images", "20"]) == 0
    text = capsys.readouterr().out
    assert "embedded sample (500 CIFAR-10 test images): 20 images" in text
    for fragment in ("float top-1", "fixed top-1", "agreement", "confusion matrix", "class probabilities of image 0"):
        assert fragment in text
    for name in ("conv1", "lrn1", "pool1", "conv5", "fc3"):
        assert f"\n{name} " in text
    assert main(["run", "--images", "20", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["images"] == 20 and len(data["confusion_fixed"]) == 10
    assert sum(map(sum, data["confusion_fixed"])) == 20
    assert abs(sum(data["example"]["fixed_probabilities"]) - 1) < 1e-9
    assert 0 <= data["agreement"] <= 1 and [l["name"] for l in data["layers"]][-1] == "fc3"


def test_accel_run_on_unlabelled_input_saves_every_layer(tmp_path, capsys) -> None:
    out = tmp_path / "out.npz"
    np.save(tmp_path / "x.npy", np.random.default_rng(0).normal(0, 1, (2, 3, 32, 32)))
    assert main(["run", "--input", str(tmp_path / "x.npy"), "--save", str(out)]) == 0
    text = capsys.readouterr().out
    for name in ("conv1", "lrn1", "pool1", "conv5", "fc3"):
        assert f"\n{name} " in text
    saved = np.load(out, allow_pickle=False)
    assert saved["fc3.raw"].dtype == np.int64 and saved["fc3"].shape == (2, 10)
    assert str(saved["fc3.type"]) == "ap_fixed<16,4,AP_RND,AP_SAT>"
    assert np.array_equal(saved["fc3"], saved["fc3.raw"] * 2.0**-12)


def test_accel_run_with_files(tmp_path, capsys) -> None:
    config = tmp_path / "net.yaml"
    import yaml

    config.write_text(yaml.safe_dump(BASE))
    save_weights(seeded_weights(NET, 5), tmp_path / "w.npz")
    np.save(tmp_path / "x.npy", np.zeros((3, 3, 8, 8)))
    assert main(["run", "--config", str(config), "--weights", str(tmp_path / "w.npz"),
                 "--input", str(tmp_path / "x.npy"), "--save", str(tmp_path / "o.npz")]) == 0
    assert np.load(tmp_path / "o.npz")["fc"].shape == (3, 5)
    np.save(tmp_path / "bad.npy", np.zeros((3, 1, 8, 8)))
    assert main(["run", "--config", str(config), "--input", str(tmp_path / "bad.npy")]) == 2
    assert "bad.npy: images of shape (1, 8, 8)" in capsys.readouterr().err


def test_testbench_isolated_and_chained(tmp_path, rng, capsys) -> None:
    from accel.simulator import simulate_float
    from accel.testbench import load_golden, run_testbench

    weights = seeded_weights(NET, 2)
    images = rng.normal(0, 1, (4, 3, 8, 8))
    golden = {"input": images, **simulate_float(NET, weights, images)}
    np.savez(tmp_path / "g.npz", **golden)
    loaded = load_golden(NET, tmp_path / "g.npz")
    isolated = run_testbench(NET, weights, loaded, "isolated")
    chained = run_testbench(NET, weights, loaded, "chained")
    assert [c.layer for c in isolated] == [l.name for l in NET.layers] == [c.layer for c in chained]
    assert all(c.passed for c in isolated)
    # errors can only grow along the chain for the last layer
    assert chained[-1].max_abs_error >= isolated[-1].max_abs_error - 1e-12
    only = run_testbench(NET, weights, loaded, "isolated", only="fc")
    assert [c.layer for c in only] == ["fc"] and only[0].max_abs_error == isolated[-1].max_abs_error
    assert isolated[0].max_error_lsb == pytest.approx(isolated[0].max_abs_error * 2**12)
    # a wrong golden output fails, and the command's exit status says so
    broken = dict(golden)
    broken["fc"] = golden["fc"] + 1.0
    np.savez(tmp_path / "bad.npz", **broken)
    import yaml

    (tmp_path / "net.yaml").write_text(yaml.safe_dump(BASE))
    save_weights(weights, tmp_path / "w.npz")
    argv = ["testbench", "--config", str(tmp_path / "net.yaml"), "--weights", str(tmp_path / "w.npz")]
    assert main(argv + ["--golden", str(tmp_path / "g.npz")]) == 0
    assert "PASS" in capsys.readouterr().out
    assert main(argv + ["--golden", str(tmp_path / "bad.npz"), "--layer", "fc"]) == 1
    assert "FAIL" in capsys.readouterr().out
    np.savez(tmp_path / "short.npz", input=images)
    assert main(argv + ["--golden", str(tmp_path / "short.npz")]) == 2
    assert "golden data lacks" in capsys.readouterr().err


def test_progress_lines_when_not_on_a_terminal(capsys) -> None:
    from accel.progress import Progress

    progress = Progress(50, "classifying")
    for _ in range(5):
        progress(10)
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("classifying: 10/50") and err[-1].startswith("classifying: 50/50")
    assert len(err) == 5


def test_keep_bounds_what_a_run_holds(rng) -> None:
    from accel.simulator import Simulator

    weights = seeded_weights(NET, 3)
    images = rng.normal(0, 1, (9, 3, 8, 8))
    whole = Simulator(NET, weights).run(images, batch_size=4)
    last = Simulator(NET, weights, keep="last").run(images, batch_size=4)
    names = [l.name for l in NET.layers]
    assert last.output.raw.tolist() == whole.output.raw.tolist()
    for name in names[:-1]:
        assert last[name].raw is None and last[name].stats.as_dict() == whole[name].stats.as_dict()
        with pytest.raises(ValueError, match="were not kept"):
            last[name].values()
    some = Simulator(NET, weights, keep=[names[0]]).run(images, batch_size=4)
    assert some[names[0]].raw.tolist() == whole[names[0]].raw.tolist() and some.output.raw is None
    with pytest.raises(ValueError, match="keep=\\['nope'\\]"):
        Simulator(NET, weights, keep=["nope"])


def test_the_python_api_names_what_is_wrong() -> None:
    """Weights missing for a layer, no weights at all, a batch size below 1: ``ValueError``
    or ``TypeError`` naming the argument, not a ``KeyError`` deep inside."""
    from accel.simulator import Simulator

    net = network_from_dict(BASE, "net.yaml")
    weights = seeded_weights(net)
    first = net.layers[0].name
    with pytest.raises(TypeError, match="weights: expected the mapping"):
        Simulator(net, None)
    with pytest.raises(ValueError, match=f"weights: no 'weight' for layer '{first}'"):
        Simulator(net, {k: v for k, v in weights.items() if k != first})
    images = np.zeros((2, *net.input_shape))
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="batch_size="):
            Simulator(net, weights).run(images, batch_size=bad)
