"""Network weights: ``.npz`` files keyed as a PyTorch ``state_dict``, or seeded ones.

Keys and layouts follow PyTorch: ``conv1.weight`` is ``[out, in/groups, kh, kw]``,
``fc1.weight`` is ``[out, in]``, ``*.bias`` is ``[out]``. Files are read with
``allow_pickle=False``: an ``.npz`` never executes code. Everything is checked against the
network before any compute; each error names the file, the layer and the field.

``seeded_weights`` makes deterministic He-scaled weights (the same bits on every machine)
for networks that have no trained weights, e.g. AlexNet-227, which cannot be trained here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from .arrays import check_npz_headers
from .footprint import check_parameters_fit
from .network import Network

Weights = dict[str, dict[str, np.ndarray]]  # layer name -> parameter name -> float64 array


def load_weights(network: Network, path: str | Path) -> Weights:
    """Weights from an ``.npz`` or a PyTorch ``state_dict`` file (``.pt``/``.pth``)."""
    path = Path(path)
    if path.suffix in (".pt", ".pth"):
        from .importers.torch_state import read_state_dict

        return check_weights(network, read_state_dict(path), str(path))
    try:
        check_npz_headers(path, network.param_shapes())
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except FileNotFoundError:
        raise ValueError(f"{path}: weights file not found") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        if str(err).startswith(str(path)):
            raise
        raise ValueError(f"{path}: not a readable .npz weights file ({err})") from None
    return check_weights(network, arrays, str(path))


def check_weights(network: Network, arrays: dict[str, np.ndarray], source: str = "<weights>") -> Weights:
    """Validate flat ``{"conv1.weight": array}`` against the network; group by layer."""
    expected = network.param_shapes()
    unknown = sorted(set(arrays) - set(expected))
    if unknown:
        raise ValueError(f"{source}: unexpected key(s) {unknown}; the network {network.name!r} expects {sorted(expected)}")
    missing = sorted(set(expected) - set(arrays))
    if missing:
        raise ValueError(f"{source}: missing key(s) {missing} for network {network.name!r}")
    weights: Weights = {}
    for key, shape in expected.items():
        layer, field = key.rsplit(".", 1)
        array = np.asarray(arrays[key])
        where = f"{source}: layer {layer!r} field {field!r}"
        if array.shape != tuple(shape):
            raise ValueError(f"{where}: shape {array.shape} does not match the topology, which needs {tuple(shape)}")
        if array.dtype.kind not in "fiu":
            raise ValueError(f"{where}: dtype {array.dtype} is not numeric")
        array = array.astype(np.float64)
        if not np.isfinite(array).all():
            raise ValueError(f"{where}: contains NaN or inf")
        weights.setdefault(layer, {})[field] = array
    return weights


def seeded_weights(network: Network, seed: int = 0, gain: float = 1.0) -> Weights:
    """Deterministic weights: N(0, gain * 2 / fan_in) per layer (He), small biases; a
    normalization's scales near 1 and its running variances positive (PyTorch's names)."""
    check_parameters_fit(network)
    rng = np.random.default_rng(seed)
    flat = {}
    for key, shape in network.param_shapes().items():
        if key.endswith(".running_var"):
            flat[key] = rng.uniform(0.25, 4.0, shape)
        elif key.endswith(".weight") and len(shape) == 1:  # a normalization's gamma
            flat[key] = rng.normal(1.0, 0.25 * np.sqrt(gain), shape)
        elif key.endswith(".weight"):
            fan_in = int(np.prod(shape[1:]))
            flat[key] = rng.normal(0.0, np.sqrt(gain * 2.0 / fan_in), shape)
        else:
            flat[key] = rng.normal(0.0, 0.01, shape)
    return check_weights(network, flat, f"seeded(seed={seed})")


def save_weights(weights: Weights, path: str | Path) -> None:
    flat = {f"{layer}.{field}": array for layer, params in weights.items() for field, array in params.items()}
    np.savez(path, **flat)
