"""Keras models (``.keras`` or legacy ``.h5``) → a network description and weights, read
with h5py and json only: no TensorFlow, no Keras needed.

Keras is channels-last: conv kernels are ``[kh, kw, in, out]`` (→ PyTorch's ``[out, in,
kh, kw]``), dense kernels ``[in, out]`` (→ ``[out, in]``), and ``Flatten`` runs over
(h, w, c) — the imported flatten layer says ``order: hwc`` so the dense weights after it
stay right. ``BatchNormalization`` directly after a conv/dense is folded into it:
``w' = w * g / sqrt(var + eps)``, ``b' = (b - mean) * g / sqrt(var + eps) + beta``.
Supported layers: InputLayer, Conv2D, Dense (activation relu or linear), BatchNormalization,
ReLU / Activation('relu'), MaxPooling2D, Flatten, Dropout. Anything else is refused with
the layer's name and class.

With ``hls4ml=True`` the model is read as hls4ml reads it: an activation inside a layer
becomes a layer of its own named ``<layer>_<activation>`` (relu, sigmoid, tanh, softmax),
``BatchNormalization`` stays a layer (hls4ml decides about fusing it: ``hls4ml_config``),
``AveragePooling2D`` and ``Activation`` layers are kept, and the input keeps its name.
"""

from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from pathlib import Path

import numpy as np

from layers.core.types import DEFAULT_DATA_TYPE

from .keras_graph import inbound, wired_add

from .onnx_model import DEFAULT_TYPES

BN_ORDER = ("gamma", "beta", "moving_mean", "moving_variance")


def import_keras(path: str | Path, input_type: str = DEFAULT_DATA_TYPE,
                 types: dict | None = None, hls4ml: bool = False) -> tuple[dict, dict[str, np.ndarray]]:
    path = Path(path)
    config, variables = _read(path)
    layers_config = config.get("config", {}).get("layers")
    if not isinstance(layers_config, list):
        raise ValueError(f"{path}: not a Sequential-style Keras model config (no layer list)")
    builder = _Hls4mlBuilder(path) if hls4ml else _Builder(path)
    seen: dict[str, int] = {}
    tensors: dict[str, str] = {}  # a Keras layer's name -> the network's tensor holding its output
    readers: dict[str, int] = {}  # how many layers read each Keras layer's output
    for entry in layers_config:
        for source in inbound(entry):
            readers[source] = readers.get(source, 0) + 1
    builder.readers = readers
    for number, entry in enumerate(layers_config):
        try:
            # a .keras file stores a layer's variables under its class in snake case, numbered
            # in order (conv2d, conv2d_1, ...), whatever the layer's name; an .h5 under the name
            key = _snake_case(entry["class_name"])
            count = seen.get(key, 0)
            seen[key] = count + 1
            stored = variables.get(entry["config"]["name"])
            if stored is None:
                stored = variables.get(key if count == 0 else f"{key}_{count}", {})
            wired_add(builder, entry, stored, tensors, path)
        except (KeyError, IndexError, TypeError, AttributeError) as err:  # a field the file lacks or mistypes
            raise ValueError(f"{path}: layer {_entry_name(entry, number)}: its config lacks or mistypes a field the "
                             f"import reads ({type(err).__name__}: {err}); is it a file Keras wrote?") from None
    if builder.input_shape is None:
        raise ValueError(f"{path}: the model has no InputLayer with a known shape")
    description = {"name": path.stem, "input": {"shape": list(builder.input_shape), "type": input_type,
                                                **({"name": builder.input_name} if hls4ml else {}),
                                                **({"preprocess": builder.preprocess} if builder.preprocess else {})},
                   "defaults": {"types": {**DEFAULT_TYPES, **(types or {})}}, "layers": builder.layers}
    return description, builder.weights


def _read(path: Path) -> tuple[dict, dict[str, dict[str, np.ndarray]]]:
    """(model config, {layer name: {variable name or index: array}})."""
    import h5py

    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                config = json.loads(zf.read("config.json"))
                weights_file = io.BytesIO(zf.read("model.weights.h5"))
            with h5py.File(weights_file, "r") as h5:
                variables = {name: {str(i): np.array(group["vars"][str(i)]) for i in range(len(group["vars"]))}
                             for name, group in h5["layers"].items() if "vars" in group}
            return config, variables
        with h5py.File(path, "r") as h5:
            config = json.loads(h5.attrs["model_config"])
            variables = {}
            for name, group in h5["model_weights"].items():
                found = {}
                group.visititems(lambda key, obj: found.__setitem__(key.rsplit("/", 1)[-1], np.array(obj))
                                 if isinstance(obj, h5py.Dataset) else None)
                variables[name] = found
            return config, variables
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found") from None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: not a readable Keras model ({type(err).__name__}: {err})") from None


def _entry_name(entry, number: int) -> str:
    """A layer entry's name for a message, whatever the entry holds."""
    config = entry.get("config") if isinstance(entry, dict) else None
    name = config.get("name") if isinstance(config, dict) else None
    return repr(name) if isinstance(name, str) else f"number {number}"


def _snake_case(name: str) -> str:
    """Keras's ``to_snake_case``: ``AveragePooling2D`` -> ``average_pooling2d``."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", re.sub(r"\W+", "", name))
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _var(variables: dict, name: str, index: int):
    """A variable by its legacy .h5 name, or by its position in a .keras file."""
    if name in variables:
        return variables[name]
    return variables.get(str(index))


class _Builder:
    def __init__(self, path: Path):
        self.path = path
        self.layers: list[dict] = []
        self.weights: dict[str, np.ndarray] = {}
        self.input_shape: tuple[int, int, int] | None = None
        self.input_name: str | None = None
        self.preprocess: dict | None = None  # from a leading Rescaling layer

    keeps_batchnorm = False  # folded into the conv/dense before it
    may_fold = True  # whether the layer being added may fold into the one before it (set per layer)
    readers: dict[str, int] = {}

    def _add(self, cfg, variables, where) -> None:
        self.layers.append({"name": cfg["name"], "op": "add"})

    def _concatenate(self, cfg, variables, where) -> None:
        if cfg.get("axis", -1) not in (-1, len(self.input_shape or ()) ):  # channels-last: the last axis
            raise ValueError(f"{where}: only a concatenation along the channels (axis -1) is supported, "
                             f"got axis {cfg.get('axis')}")
        self.layers.append({"name": cfg["name"], "op": "concatenate"})

    def add(self, entry: dict, variables: dict) -> None:
        kind, cfg = entry["class_name"], entry["config"]
        where = f"{self.path}: layer {cfg['name']!r} ({kind})"
        handler = getattr(self, f"_{kind.lower()}", None)
        if handler is None:
            raise ValueError(f"{where}: unsupported layer; supported: InputLayer, Conv1D, Conv2D, Dense, MaxPooling1D, "
                             f"BatchNormalization, ReLU, Activation(relu), MaxPooling2D, Flatten, Dropout, "
                             f"Rescaling (first, as the preprocessing)")
        if cfg.get("data_format", "channels_last") != "channels_last":
            raise ValueError(f"{where}: only channels_last models are supported")
        handler(cfg, variables, where)

    def _inputlayer(self, cfg, variables, where) -> None:
        shape = cfg.get("batch_shape") or cfg.get("batch_input_shape")
        if not shape or not 2 <= len(shape) <= 4 or not all(shape[1:]):
            raise ValueError(f"{where}: input must be (batch, features), (batch, L, C) or (batch, H, W, C) with "
                             f"known sizes, got {shape}")
        # channels-last in Keras, channels-first in the network file: (C,), (C, L), (C, H, W)
        self.input_shape = (shape[-1], *shape[1:-1])
        self.input_name = cfg.get("name")

    def _activation_of(self, cfg, where) -> bool:
        activation = cfg.get("activation", "linear")
        if activation not in ("relu", "linear"):
            raise ValueError(f"{where}: activation {activation!r} is not supported (relu or linear)")
        return activation == "relu"

    def _conv2d(self, cfg, variables, where) -> None:
        kernel = _var(variables, "kernel", 0)
        kh, kw = cfg["kernel_size"]
        strides = cfg.get("strides", [1, 1])
        if cfg.get("padding") == "same":
            if strides[0] != 1 or kh % 2 == 0 or kh != kw:
                raise ValueError(f"{where}: padding 'same' is supported for odd square kernels at stride 1")
            padding = kh // 2
        else:
            padding = 0
        if len(set(strides)) > 1 or any(d != 1 for d in cfg.get("dilation_rate", [1, 1])):
            raise ValueError(f"{where}: only equal strides and no dilation are supported")
        name = cfg["name"]
        self.layers.append({"name": name, "op": "conv", "out_channels": int(cfg["filters"]), "kernel": [kh, kw],
                            "stride": int(strides[0]), "padding": padding, "groups": int(cfg.get("groups", 1)),
                            "relu": self._activation_of(cfg, where)})
        self.weights[f"{name}.weight"] = kernel.transpose(3, 2, 0, 1)
        self.weights[f"{name}.bias"] = (_var(variables, "bias", 1) if cfg.get("use_bias", True)
                                        else np.zeros(int(cfg["filters"])))

    def _dense(self, cfg, variables, where) -> None:
        name = cfg["name"]
        kernel = _var(variables, "kernel", 0)
        self.layers.append({"name": name, "op": "dense", "out_features": int(cfg["units"]),
                            "relu": self._activation_of(cfg, where)})
        self.weights[f"{name}.weight"] = kernel.T
        self.weights[f"{name}.bias"] = (_var(variables, "bias", 1) if cfg.get("use_bias", True)
                                        else np.zeros(int(cfg["units"])))

    def _batchnormalization(self, cfg, variables, where) -> None:
        last = self.layers[-1] if self.layers else None
        if last is None or last["op"] not in ("conv", "conv1d", "dense") or last.get("relu"):
            raise ValueError(f"{where}: BatchNormalization is folded only directly after a conv/dense "
                             f"without activation")
        names = [n for n, on in zip(BN_ORDER, (cfg.get("scale", True), cfg.get("center", True), True, True)) if on]
        values = {n: _var(variables, n, i) for i, n in enumerate(names)}
        gamma = values.get("gamma", 1.0)
        beta = values.get("beta", 0.0)
        scale = gamma / np.sqrt(values["moving_variance"] + float(cfg.get("epsilon", 1e-3)))
        weight = self.weights[f"{last['name']}.weight"]
        self.weights[f"{last['name']}.weight"] = weight * scale.reshape(-1, *([1] * (weight.ndim - 1)))
        bias = self.weights[f"{last['name']}.bias"]
        self.weights[f"{last['name']}.bias"] = (bias - values["moving_mean"]) * scale + beta

    def _relu(self, cfg, variables, where) -> None:
        if cfg.get("max_value") is not None or cfg.get("negative_slope", 0) or cfg.get("threshold", 0):
            raise ValueError(f"{where}: only the plain ReLU is supported")
        last = self.layers[-1] if self.layers else None
        if last is not None and last["op"] in ("conv", "conv1d", "dense") and not last.get("relu") and self.may_fold:
            last["relu"] = True
        else:
            self.layers.append({"name": cfg["name"], "op": "relu"})

    def _activation(self, cfg, variables, where) -> None:
        if cfg.get("activation") != "relu":
            raise ValueError(f"{where}: activation {cfg.get('activation')!r} is not supported (relu)")
        self._relu({}, variables, where)

    def _conv1d(self, cfg, variables, where) -> None:
        """``Conv1D``: kernel ``[K, in, out]`` → PyTorch's ``[out, in, K]``."""
        kernel = _var(variables, "kernel", 0)
        (k,), (stride,) = cfg["kernel_size"], cfg.get("strides", [1])
        if cfg.get("padding") == "same":
            if stride != 1 or k % 2 == 0:
                raise ValueError(f"{where}: padding 'same' is supported for odd kernels at stride 1")
            padding = k // 2
        elif cfg.get("padding", "valid") == "valid":
            padding = 0
        else:
            raise ValueError(f"{where}: padding {cfg.get('padding')!r} is not supported ('valid' or 'same')")
        if any(d != 1 for d in cfg.get("dilation_rate", [1])):
            raise ValueError(f"{where}: dilation is not supported")
        name = cfg["name"]
        self.layers.append({"name": name, "op": "conv1d", "out_channels": int(cfg["filters"]), "kernel": int(k),
                            "stride": int(stride), "padding": padding, "groups": int(cfg.get("groups", 1)),
                            "relu": self._activation_of(cfg, where)})
        self.weights[f"{name}.weight"] = kernel.transpose(2, 1, 0)
        self.weights[f"{name}.bias"] = (_var(variables, "bias", 1) if cfg.get("use_bias", True)
                                        else np.zeros(int(cfg["filters"])))

    def _maxpooling1d(self, cfg, variables, where) -> None:
        (pool,) = cfg.get("pool_size", [2])
        (stride,) = cfg.get("strides") or [pool]
        if cfg.get("padding", "valid") != "valid":
            raise ValueError(f"{where}: only padding 'valid' is supported")
        self.layers.append({"name": cfg["name"], "op": "maxpool1d", "kernel": int(pool), "stride": int(stride)})

    def _maxpooling2d(self, cfg, variables, where) -> None:
        pool = cfg.get("pool_size", [2, 2])
        strides = cfg.get("strides") or pool
        if len(set(pool)) > 1 or len(set(strides)) > 1 or cfg.get("padding", "valid") != "valid":
            raise ValueError(f"{where}: only square windows, equal strides and padding 'valid' are supported")
        self.layers.append({"name": cfg["name"], "op": "maxpool", "kernel": int(pool[0]), "stride": int(strides[0])})

    def _flatten(self, cfg, variables, where) -> None:
        self.layers.append({"name": cfg["name"], "op": "flatten", "order": "hwc"})

    def _dropout(self, cfg, variables, where) -> None:
        return None

    def _rescaling(self, cfg, variables, where) -> None:
        """``Rescaling(scale, offset)`` before any other layer is the model saying how pixels
        become its input: ``pixel·scale + offset`` = ``(pixel/255 − mean) / std`` with
        ``std = 1/(255·scale)`` and ``mean = −offset·std`` (the network file's ``preprocess``)."""
        scale, offset = cfg.get("scale", 1.0), cfg.get("offset", 0.0)
        if self.layers or self.preprocess is not None:
            raise ValueError(f"{where}: Rescaling is read only as the model's first layer (its preprocessing)")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (scale, offset)) or scale <= 0:
            raise ValueError(f"{where}: Rescaling needs one positive scale and one offset, got {scale!r}, {offset!r}")
        std = 1.0 / (255.0 * scale)
        self.preprocess = {"mean": [-offset * std], "std": [std]}


class _Hls4mlBuilder(_Builder):
    """The layers hls4ml makes of a Keras model (its ``keras_to_hls`` front end)."""

    ACTIVATIONS = ("relu", "sigmoid", "tanh", "softmax", "linear", "leaky_relu", "elu", "hard_sigmoid")
    keeps_batchnorm = True  # a layer of its own (hls4ml decides about fusing it)

    @staticmethod
    def activation_layer(name: str, activation: str) -> dict:
        """hls4ml's layer for a Keras activation function (``keras_v3/core.py``): leaky ReLU
        and ELU with the functions' default constants, the hard sigmoid with hls4ml's
        ``0.2 x + 0.5`` (Keras 3 computes ``x / 6 + 0.5``: said)."""
        layer = {"name": name, "op": activation}
        if activation == "leaky_relu":
            layer["alpha"] = 0.2
        if activation == "elu":
            layer["alpha"] = 1.0
        if activation == "hard_sigmoid":
            warnings.warn(f"layer {name!r}: hls4ml computes hard_sigmoid as clip(0.2 x + 0.5, 0, 1); Keras 3 as "
                          f"clip(x / 6 + 0.5, 0, 1): the import follows hls4ml", stacklevel=2)
        return layer

    def _activation_of(self, cfg, where) -> bool:
        activation = cfg.get("activation", "linear")
        if activation not in ("linear", *self.ACTIVATIONS):
            raise ValueError(f"{where}: activation {activation!r} is not supported ({', '.join(self.ACTIVATIONS)})")
        return False  # added as a layer of its own, after the layer (``_split``)

    def add(self, entry: dict, variables: dict) -> None:
        super().add(entry, variables)
        activation = entry["config"].get("activation", "linear")
        if entry["class_name"] in ("Conv1D", "Conv2D", "Dense") and activation != "linear":
            self.layers[-1].pop("relu", None)
            self.layers.append(self.activation_layer(f"{entry['config']['name']}_{activation}", activation))

    def _batchnormalization(self, cfg, variables, where) -> None:
        names = [n for n, on in zip(BN_ORDER, (cfg.get("scale", True), cfg.get("center", True), True, True)) if on]
        values = {n: _var(variables, n, i) for i, n in enumerate(names)}
        size = len(values["moving_mean"])
        name = cfg["name"]
        self.weights.update({f"{name}.weight": values.get("gamma", np.ones(size, np.float32)),
                             f"{name}.bias": values.get("beta", np.zeros(size, np.float32)),
                             f"{name}.running_mean": values["moving_mean"],
                             f"{name}.running_var": values["moving_variance"]})
        self.layers.append({"name": name, "op": "batchnorm", "eps": float(cfg.get("epsilon", 1e-3))})

    def _relu(self, cfg, variables, where) -> None:
        """hls4ml's ``ReLUHandler``: a leaky ReLU where ``negative_slope`` is set, else a
        thresholded ReLU (theta 0 compares as the plain ReLU does)."""
        slope, theta = float(cfg.get("negative_slope") or 0), float(cfg.get("threshold") or 0)
        if cfg.get("max_value") not in (None, float("inf")) or (slope and theta):
            raise ValueError(f"{where}: hls4ml converts a ReLU with no max_value, and threshold or negative_slope 0")
        if slope:
            self.layers.append({"name": cfg["name"], "op": "leaky_relu", "alpha": slope})
        elif theta:
            self.layers.append({"name": cfg["name"], "op": "thresholded_relu", "theta": theta})
        else:
            self.layers.append({"name": cfg["name"], "op": "relu"})

    def _leakyrelu(self, cfg, variables, where) -> None:
        self.layers.append({"name": cfg["name"], "op": "leaky_relu", "alpha": float(cfg.get("negative_slope", 0.3))})

    def _elu(self, cfg, variables, where) -> None:
        self.layers.append({"name": cfg["name"], "op": "elu", "alpha": float(cfg.get("alpha", 1.0))})

    def _prelu(self, cfg, variables, where) -> None:
        """One alpha per value, as hls4ml's ``prelu`` reads them (shared axes are not: hls4ml
        would index past them); channels-last alphas turned to accel's channels-first."""
        if cfg.get("shared_axes"):
            raise ValueError(f"{where}: PReLU with shared_axes: hls4ml reads one alpha per value (n_in of them)")
        alpha = np.asarray(_var(variables, "alpha", 0), np.float64)
        alpha = alpha.transpose(2, 0, 1) if alpha.ndim == 3 else alpha.T if alpha.ndim == 2 else alpha
        self.weights[f"{cfg['name']}.weight"] = alpha
        self.layers.append({"name": cfg["name"], "op": "prelu"})

    def _activation(self, cfg, variables, where) -> None:
        activation = cfg.get("activation")
        if activation == "hard_tanh":
            raise ValueError(f"{where}: hls4ml 1.3.0 writes hard_tanh without its slope and shift (its project does "
                             f"not compile); a hard_sigmoid, or a Dense layer's linear output with a saturating "
                             f"result type, is what it can build")
        if activation not in self.ACTIVATIONS:
            raise ValueError(f"{where}: activation {activation!r} is not supported ({', '.join(self.ACTIVATIONS)})")
        self.layers.append(self.activation_layer(cfg["name"], activation))

    def _softmax(self, cfg, variables, where) -> None:
        self.layers.append({"name": cfg["name"], "op": "softmax"})

    def _averagepooling2d(self, cfg, variables, where) -> None:
        pool = cfg.get("pool_size", [2, 2])
        strides = cfg.get("strides") or pool
        if len(set(pool)) > 1 or len(set(strides)) > 1 or cfg.get("padding", "valid") != "valid":
            raise ValueError(f"{where}: only square windows, equal strides and padding 'valid' are supported")
        self.layers.append({"name": cfg["name"], "op": "avgpool", "kernel": int(pool[0]), "stride": int(strides[0])})
