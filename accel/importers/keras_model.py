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

This module reads the file; ``keras_layers`` translates the layers (``keras_hls4ml`` as
hls4ml does), ``keras_graph`` follows a functional model's wiring.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np

from layers.core.types import DEFAULT_DATA_TYPE

from .keras_graph import inbound, wired_add
from .keras_hls4ml import Hls4mlKerasBuilder
from .keras_layers import KerasBuilder
from .onnx_model import DEFAULT_TYPES


def import_keras(path: str | Path, input_type: str = DEFAULT_DATA_TYPE,
                 types: dict | None = None, hls4ml: bool = False) -> tuple[dict, dict[str, np.ndarray]]:
    path = Path(path)
    config, variables = _read(path)
    layers_config = config.get("config", {}).get("layers")
    if not isinstance(layers_config, list):
        raise ValueError(f"{path}: not a Sequential-style Keras model config (no layer list)")
    builder = Hls4mlKerasBuilder(path) if hls4ml else KerasBuilder(path)
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
