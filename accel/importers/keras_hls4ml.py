"""The layers hls4ml makes of a Keras model (its ``keras_to_hls`` front end): an activation
inside a layer becomes a layer of its own named ``<layer>_<activation>``,
``BatchNormalization`` stays a layer (hls4ml decides about fusing it: ``hls4ml_config``),
``AveragePooling2D``, ``Activation`` and the activation layers are kept.
"""

from __future__ import annotations

import warnings

import numpy as np

from .keras_layers import KerasBuilder, batchnorm_values, var


class Hls4mlKerasBuilder(KerasBuilder):
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
        values = batchnorm_values(cfg, variables)
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
        alpha = np.asarray(var(variables, "alpha", 0), np.float64)
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
        self._pool2d(cfg, where, "avgpool")
