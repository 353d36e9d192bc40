"""One Keras layer entry at a time → the network's layers and PyTorch-layout weights.

Keras is channels-last: conv kernels are ``[kh, kw, in, out]`` (→ PyTorch's ``[out, in,
kh, kw]``), dense kernels ``[in, out]`` (→ ``[out, in]``), and ``Flatten`` runs over
(h, w, c) — the imported flatten layer says ``order: hwc`` so the dense weights after it
stay right. ``BatchNormalization`` directly after a conv/dense is folded into it:
``w' = w * g / sqrt(var + eps)``, ``b' = (b - mean) * g / sqrt(var + eps) + beta``.
Each Keras class has a method ``_<class in lower case>``; any other class is refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

BN_ORDER = ("gamma", "beta", "moving_mean", "moving_variance")


def var(variables: dict, name: str, index: int):
    """A variable by its legacy .h5 name, or by its position in a .keras file."""
    if name in variables:
        return variables[name]
    return variables.get(str(index))


def batchnorm_values(cfg: dict, variables: dict) -> dict[str, np.ndarray]:
    """A BatchNormalization's stored arrays by name (gamma and beta only where ``scale``
    and ``center`` say the layer has them)."""
    names = [n for n, on in zip(BN_ORDER, (cfg.get("scale", True), cfg.get("center", True), True, True)) if on]
    return {n: var(variables, n, i) for i, n in enumerate(names)}


class KerasBuilder:
    """The network's layers and weights, one Keras layer entry at a time (``add``)."""

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
        kernel = var(variables, "kernel", 0)
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
        self.weights[f"{name}.bias"] = (var(variables, "bias", 1) if cfg.get("use_bias", True)
                                        else np.zeros(int(cfg["filters"])))

    def _dense(self, cfg, variables, where) -> None:
        name = cfg["name"]
        kernel = var(variables, "kernel", 0)
        self.layers.append({"name": name, "op": "dense", "out_features": int(cfg["units"]),
                            "relu": self._activation_of(cfg, where)})
        self.weights[f"{name}.weight"] = kernel.T
        self.weights[f"{name}.bias"] = (var(variables, "bias", 1) if cfg.get("use_bias", True)
                                        else np.zeros(int(cfg["units"])))

    def _batchnormalization(self, cfg, variables, where) -> None:
        last = self.layers[-1] if self.layers else None
        if last is None or last["op"] not in ("conv", "conv1d", "dense") or last.get("relu"):
            raise ValueError(f"{where}: BatchNormalization is folded only directly after a conv/dense "
                             f"without activation")
        values = batchnorm_values(cfg, variables)
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
        kernel = var(variables, "kernel", 0)
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
        self.weights[f"{name}.bias"] = (var(variables, "bias", 1) if cfg.get("use_bias", True)
                                        else np.zeros(int(cfg["filters"])))

    def _maxpooling1d(self, cfg, variables, where) -> None:
        (pool,) = cfg.get("pool_size", [2])
        (stride,) = cfg.get("strides") or [pool]
        if cfg.get("padding", "valid") != "valid":
            raise ValueError(f"{where}: only padding 'valid' is supported")
        self.layers.append({"name": cfg["name"], "op": "maxpool1d", "kernel": int(pool), "stride": int(stride)})

    def _maxpooling2d(self, cfg, variables, where) -> None:
        self._pool2d(cfg, where, "maxpool")

    def _pool2d(self, cfg, where, op: str) -> None:
        """A 2-D pooling layer: square windows and strides, no padding (what the pool kinds take)."""
        pool = cfg.get("pool_size", [2, 2])
        strides = cfg.get("strides") or pool
        if len(set(pool)) > 1 or len(set(strides)) > 1 or cfg.get("padding", "valid") != "valid":
            raise ValueError(f"{where}: only square windows, equal strides and padding 'valid' are supported")
        self.layers.append({"name": cfg["name"], "op": op, "kernel": int(pool[0]), "stride": int(strides[0])})

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
