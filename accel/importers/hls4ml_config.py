"""An hls4ml configuration laid over an imported model: the network with hls4ml's semantics.

The configuration is the dict ``hls4ml.utils.config_from_*_model`` returns, saved as YAML
or JSON: ``Model`` / ``LayerType`` / ``LayerName``, most specific first, each with a
``Precision`` that is one type (every variable) or a dict of ``default``, ``weight``,
``bias``, ``accum``, ``result``. The model (ONNX, imported with hls4ml's layer names and
ReLU kept as a layer of its own) gives the topology and weights. What the simulator then
runs is what hls4ml's C++ computes (``tests/accel/test_hls4ml_peer.py`` holds them to it):

- conv and dense: each product assigned to ``accum``, the accumulator starting at the
  bias, the result cast; the convolution sums its window in (kh, kw, cin) order
  (``order: [m, r, c, i, j, n]``, which matters once the accumulator saturates);
- ReLU and max-pool with their own result types; the input quantized by the input
  layer's ``result`` type (hls4ml names the input after the model's forward argument).

Refused, with the layer named: ``auto`` precisions (hls4ml infers them in its own
optimizer passes: give the types, or a model-level precision), ``Strategy: Resource``
(its accumulation order is not modelled yet).
"""

from __future__ import annotations

import json
from pathlib import Path

from layers import safe_yaml

# hls4ml's layer classes for our ops (LayerType keys)
LAYER_TYPES = {"conv": ("Conv2D",), "dense": ("Dense", "Linear"), "relu": ("Activation", "ReLU"),
               "maxpool": ("MaxPooling2D", "Pooling2D"), "flatten": ("Reshape", "Flatten")}
VARIABLES = ("weight", "bias", "accum", "result")


def read_config(path: str | Path) -> dict:
    """The configuration dict from a ``.json`` or ``.yml``/``.yaml`` file (YAML read safely)."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such hls4ml configuration file")
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text())
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: not JSON ({err})") from None
    else:
        data = safe_yaml.load_file(path, "hls4ml configuration")
    if not isinstance(data, dict) or "Model" not in data:
        raise ValueError(f"{path}: an hls4ml configuration has a 'Model' section (hls4ml.utils.config_from_*_model)")
    return data


def apply(description: dict, config: dict, source: str) -> dict:
    """``description`` (from ``import_onnx(..., hls4ml=True)``) with ``config``'s types and
    hls4ml's semantics; every layer's types explicit."""
    model = config["Model"]
    if str(model.get("Strategy", "Latency")).lower() == "resource":
        raise ValueError(f"{source}: Model: Strategy Resource accumulates in another order; not modelled yet "
                         f"(use Strategy: Latency)")
    default = _precision(model.get("Precision", "fixed<16,6>"), f"{source}: Model: Precision")
    by_type, by_name = config.get("LayerType") or {}, config.get("LayerName") or {}
    layers = []
    for layer in description["layers"]:
        name, op = layer["name"], layer["op"]
        precision = dict(default)
        for kind in LAYER_TYPES.get(op, ()):
            precision.update(_precision((by_type.get(kind) or {}).get("Precision", {}), f"{source}: LayerType: {kind}"))
        entry = by_name.get(name) or {}
        if str(entry.get("Strategy", "Latency")).lower() == "resource":
            raise ValueError(f"{source}: LayerName: {name}: Strategy Resource is not modelled yet")
        precision.update(_precision(entry.get("Precision", {}), f"{source}: LayerName: {name}: Precision"))
        layer = dict(layer)
        wanted = {"conv": VARIABLES, "dense": VARIABLES, "relu": ("result",), "maxpool": ("result",)}.get(op, ())
        types = {}
        for variable in wanted:
            text = precision.get(variable, precision.get("default"))
            if text is None or str(text).lower() == "auto":
                raise ValueError(f"{source}: layer {name!r}: precision {variable!r} is 'auto' (hls4ml infers it in "
                                 f"its own passes); give the type, or a model-level Precision")
            types[variable] = _spelled(str(text))
        if types:
            layer["types"] = types
        if op == "conv":
            layer["order"] = ["m", "r", "c", "i", "j", "n"]  # hls4ml sums a window in (kh, kw, cin) order
        layers.append(layer)
    result = dict(description)
    result["input"] = dict(description["input"])
    input_name = result["input"].pop("name", None)
    input_precision = dict(default)
    known = {layer["name"] for layer in layers}
    for name, entry in by_name.items():  # the input layer: hls4ml's name for it is not a layer of ours
        if name not in known and name in (input_name, "x", "input", "input_1", "input1"):
            input_precision.update(_precision((entry or {}).get("Precision", {}), f"{source}: LayerName: {name}"))
    text = input_precision.get("result", input_precision.get("default"))
    if text is None or str(text).lower() == "auto":
        raise ValueError(f"{source}: the input's precision is 'auto'; give its result type")
    result["input"]["type"] = _spelled(str(text))
    result.pop("defaults", None)  # every layer carries its types: nothing is left to a default
    result["layers"] = layers
    return result


def _precision(value, where: str) -> dict:
    """A ``Precision`` entry as a dict of variable -> type text (a string: every variable)."""
    if isinstance(value, str):
        return {"default": value, **{v: value for v in VARIABLES}}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    raise ValueError(f"{where}: a precision is a type or a mapping of variable to type, got {value!r}")


def _spelled(text: str) -> str:
    """hls4ml's spelling (``fixed<16,6>``, ``ufixed<8,3,RND,SAT>``) as ``ap_fixed<...>``."""
    text = text.strip()
    if text.startswith(("fixed<", "ufixed<")):
        text = "ap_" + text
    return text
