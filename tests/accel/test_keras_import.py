"""The Keras importer, on .keras and .h5 files written by Keras 3 (torch backend)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from accel.cli import main  # noqa: E402
from accel.config import load_network, network_from_dict  # noqa: E402
from accel.importers.keras_model import import_keras  # noqa: E402
from accel.simulator import simulate_float  # noqa: E402
from accel.weights import check_weights, load_weights  # noqa: E402


def keras_model():
    keras.utils.set_random_seed(3)
    L = keras.layers
    model = keras.Sequential([
        keras.Input((10, 10, 3)),
        L.Conv2D(6, 3, padding="same"), L.BatchNormalization(), L.ReLU(),
        L.MaxPooling2D(2),
        L.Conv2D(4, 3, activation="relu"),
        L.Flatten(), L.Dropout(0.2),
        L.Dense(8), L.BatchNormalization(), L.Activation("relu"),
        L.Dense(5),
    ])
    rng = np.random.default_rng(0)
    for layer in model.layers:  # trained-like BatchNorm statistics, so that folding matters
        if isinstance(layer, L.BatchNormalization):
            n = layer.gamma.shape[0]
            layer.set_weights([rng.uniform(0.5, 2, n), rng.normal(0, 0.5, n), rng.normal(0, 0.5, n), rng.uniform(0.5, 2, n)])
    return model


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_keras_files_import_and_run_like_keras(tmp_path, suffix, capsys) -> None:
    model = keras_model()
    path = tmp_path / f"m{suffix}"
    model.save(path)
    x = np.random.default_rng(1).normal(0, 1, (3, 3, 10, 10))
    expected = np.asarray(model.predict(x.transpose(0, 2, 3, 1).astype(np.float32), verbose=0))
    description, weights = import_keras(path)
    net = network_from_dict(description, str(path))
    assert [l.op for l in net.layers] == ["conv", "maxpool", "conv", "flatten", "dense", "dense"]
    assert net.layers[3].order == "hwc" and net.layers[0].relu and net.layers[4].relu
    ours = simulate_float(net, check_weights(net, weights), x)[net.layers[-1].name]
    assert np.allclose(ours, expected, rtol=1e-4, atol=1e-4)
    assert main(["import", str(path), "--out", str(tmp_path / "out")]) == 0
    again = load_network(tmp_path / "out" / "net.yaml")
    assert np.allclose(simulate_float(again, load_weights(again, tmp_path / "out" / "weights.npz"), x)[again.layers[-1].name], expected, atol=1e-4)


def test_bad_keras_files(tmp_path) -> None:
    model = keras_model()
    model.save(tmp_path / "ok.keras")
    data = (tmp_path / "ok.keras").read_bytes()
    (tmp_path / "cut.keras").write_bytes(data[: len(data) // 3])
    with pytest.raises(ValueError, match="cut.keras: not a readable Keras model"):
        import_keras(tmp_path / "cut.keras")
    odd = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.AveragePooling2D(2), keras.layers.Flatten()])
    odd.save(tmp_path / "odd.keras")
    with pytest.raises(ValueError, match=r"odd.keras: layer '.*' \(AveragePooling2D\): unsupported layer"):
        import_keras(tmp_path / "odd.keras")
    # a config edited by hand: every field the reader indexes, taken away in turn, is named
    import json
    import zipfile

    with zipfile.ZipFile(tmp_path / "ok.keras") as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    config = json.loads(files["config.json"])
    for layer, field in [(1, "filters"), (1, "kernel_size"), (8, "units"), (1, "name"), (0, "batch_shape"),
                         (2, "config")]:
        edited = json.loads(json.dumps(config))
        entry = edited["config"]["layers"][layer]
        (entry if field == "config" else entry["config"]).pop(field, None)
        path = tmp_path / f"no_{field}.keras"
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in {**files, "config.json": json.dumps(edited).encode()}.items():
                zf.writestr(name, data)
        with pytest.raises(ValueError, match=f"no_{field}.keras: "):
            import_keras(path)


def test_a_leading_rescaling_layer_is_the_networks_preprocessing(tmp_path, capsys) -> None:
    """``Rescaling(1/127.5, offset=-1)`` in front of the model says how it takes pixels:
    the imported network feeds image pixels exactly as Keras's own model does."""
    import json

    keras.utils.set_random_seed(4)
    L = keras.layers
    model = keras.Sequential([keras.Input((6, 6, 3)), L.Rescaling(1 / 127.5, offset=-1.0),
                              L.Conv2D(4, 3, activation="relu"), L.Flatten(), L.Dense(3)])
    model.save(tmp_path / "m.keras")
    assert main(["import", str(tmp_path / "m.keras"), "--out", str(tmp_path / "net"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["preprocess"] == {"mean": [0.5], "std": [0.5]}
    net = load_network(tmp_path / "net" / "net.yaml")
    pixels = np.random.default_rng(2).integers(0, 256, (4, 3, 6, 6), dtype=np.uint8)
    expected = np.asarray(model.predict(pixels.transpose(0, 2, 3, 1).astype(np.float32), verbose=0))
    ours = simulate_float(net, load_weights(net, tmp_path / "net" / "weights.npz"), net.input_from_pixels(pixels))
    assert np.allclose(ours[net.layers[-1].name], expected, rtol=1e-4, atol=1e-4)
    assert main(["import", str(tmp_path / "m.keras"), "--out", str(tmp_path / "other"), "--mean", "0",
                 "--std", "1"]) == 0  # the user's statement wins, said on stderr
    assert "replace the model's own preprocessing" in capsys.readouterr().err
    assert load_network(tmp_path / "other" / "net.yaml").preprocess.std == (1.0,)


def test_an_mlp_imports_with_a_vector_input(tmp_path) -> None:
    """``Input(16) → Dense …``: the network takes a vector of 16 features, no flatten."""
    keras.utils.set_random_seed(5)
    L = keras.layers
    model = keras.Sequential([keras.Input((16,)), L.Dense(12, activation="relu"), L.Dense(4)])
    model.save(tmp_path / "mlp.keras")
    description, weights = import_keras(tmp_path / "mlp.keras")
    net = network_from_dict(description, "mlp.keras")
    assert net.input_shape == (16,) and [l.op for l in net.layers] == ["dense", "dense"]
    x = np.random.default_rng(6).normal(0, 1, (5, 16))
    expected = np.asarray(model.predict(x.astype(np.float32), verbose=0))
    ours = simulate_float(net, check_weights(net, weights), x)[net.layers[-1].name]
    assert np.allclose(ours, expected, rtol=1e-4, atol=1e-4)


def test_a_functional_model_keeps_its_wiring(tmp_path) -> None:
    """A skip connection and a branch in a functional model: the network reads the same
    tensors Keras's layers read, and computes what Keras computes."""
    keras.utils.set_random_seed(8)
    L = keras.layers
    x = keras.Input((6, 6, 3))
    a = L.Conv2D(4, 3, padding="same", name="a")(x)
    r = L.ReLU(name="r")(a)  # a's output is read by r only: the ReLU folds into it
    b = L.Conv2D(4, 3, padding="same", name="b")(r)
    s = L.Add(name="s")([b, r])
    c = L.Concatenate(name="c")([s, L.Conv2D(2, 1, name="side")(r)])
    model = keras.Model(x, L.Dense(3, name="fc")(L.Flatten(name="f")(c)))
    model.save(tmp_path / "functional.keras")
    description, weights = import_keras(tmp_path / "functional.keras")
    net = network_from_dict(description, "functional.keras")
    assert net.layer("a").relu and net.sources([l.name for l in net.layers].index("s")) == ("b", "a")
    assert net.sources([l.name for l in net.layers].index("side")) == ("a",)
    images = np.random.default_rng(9).normal(0, 1, (4, 3, 6, 6))
    expected = np.asarray(model.predict(images.transpose(0, 2, 3, 1).astype(np.float32), verbose=0))
    ours = simulate_float(net, check_weights(net, weights), images)[net.layers[-1].name]
    assert np.allclose(ours, expected, rtol=1e-4, atol=1e-4)
