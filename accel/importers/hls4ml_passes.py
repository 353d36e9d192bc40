"""What hls4ml's front ends and optimizer passes do to a model's graph, done to the
imported description so that the network simulated is the one hls4ml builds: PyTorch
function calls named as ``torch.fx`` names them, ``FuseBatchNormalization``,
``RemoveTransposeBeforeFlatten`` (``io_parallel``), ``MergeLinearActivation`` /
``EliminateLinearActivation``, ``SkipSoftmax``, and the weights' text round trip."""

from __future__ import annotations

import warnings

import numpy as np

from quant import FixedType

from .hls4ml_precision import LAYERS, MAC_OPS, SAFE_PARENTS, Precisions

def settle_function_names(description: dict, configured: set[str], weights: dict | None) -> dict:
    """The layers an ONNX export made of torch function calls, named as hls4ml's PyTorch
    front end (``torch.fx``) names them: ``relu``, ``relu_1``, ... numbered in call order over
    the whole model. A node inside a module's scope (``/blk/Relu``) is a call of the function
    unless the configuration names that module (then it is an ``nn.ReLU`` module itself)."""
    calls = description.get("function_calls")
    if not calls:
        return {key: value for key, value in description.items() if key != "function_calls"}
    at, counts = {}, {}  # layer index -> its name as torch.fx gives it
    for index, name, function, top in calls:
        if not top and name in configured:
            continue  # the module itself
        count = counts.get(function, 0)
        counts[function] = count + 1
        at[index] = function if count == 0 else f"{function}_{count}"
    layers, renamed = [], {}
    for index, layer in enumerate(description["layers"]):
        if index in at and at[index] != layer["name"]:
            renamed[layer["name"]] = at[index]
            layer = {**layer, "name": at[index]}
        if "inputs" in layer:
            layer = {**layer, "inputs": [renamed.get(n, n) for n in layer["inputs"]]}
        layers.append(layer)
    if weights is not None:  # (a function call has no weights; kept general)
        for key in [k for k in weights if k.split(".")[0] in renamed]:
            layer_name, _, variable = key.partition(".")
            weights[f"{renamed[layer_name]}.{variable}"] = weights.pop(key)
    return {**{key: value for key, value in description.items() if key != "function_calls"}, "layers": layers}


def flatten_as_hls4ml(layer: dict, layers: list[dict], in_shape: tuple, weights: dict | None) -> dict:
    """hls4ml's ``RemoveTransposeBeforeFlatten`` (``io_parallel``): a channels-first model's
    flatten read by one dense layer flattens the channels-last tensor as it is and the
    dense weights are permuted instead. The values are the same; the order in which the
    dense layer adds its products (which a saturating accumulator sees) is channels-last."""
    if layer.get("order", "chw") != "chw" or len(in_shape) < 2:
        return layer
    readers = [l for k, l in enumerate(layers) if layer["name"] in l.get("inputs", [])
               or (k > 0 and layers[k - 1] is layer and "inputs" not in l)]
    if len(readers) != 1 or readers[0]["op"] != "dense":
        return layer
    if weights is not None:
        key = f"{readers[0]['name']}.weight"
        w = np.asarray(weights[key])
        weights[key] = np.moveaxis(w.reshape(w.shape[0], *in_shape), 1, -1).reshape(w.shape[0], -1)
    return {**layer, "order": "hwc"}


def removed_by_hls4ml(layer: dict, entry: dict, sources: list[str], done: list[dict], precisions: Precisions,
                       types: dict, source: str) -> bool:
    """Whether hls4ml's optimizers remove this layer: a softmax with ``Skip: true``
    (``SkipSoftmax``), and a linear activation after a layer whose ``result`` is ``auto``
    (``MergeLinearActivation``) or of the linear's own type (``EliminateLinearActivation``)."""
    if layer["op"] == "softmax" and entry.get("skip"):
        warnings.warn(f"{source}: layer {layer['name']!r}: Skip: true — hls4ml leaves this softmax out, and so does "
                      f"the import", stacklevel=3)
        return True
    if layer["op"] != "linear":
        return False
    parent = next((l for l in done if l["name"] == sources[0]), None)
    if parent is not None and parent["op"] in SAFE_PARENTS and \
            precisions.text(parent["name"], LAYERS[parent["op"]][0], "result") == "auto":
        return True
    text = precisions.text(layer["name"], LAYERS["linear"][0], "result")
    own = precisions.default if text == "auto" else precisions.fixed(text, f"LayerName: {layer['name']}: result")
    return own == types[sources[0]]


def fuse_batchnorms(description: dict, precisions: Precisions, weights: dict | None, source: str) -> dict:
    """hls4ml's ``FuseBatchNormalization``: a batch normalization right after a conv or dense
    layer whose ``result`` is ``auto`` is folded into it, in float32 as hls4ml's numpy does it
    (``scale = gamma / sqrt(var + eps)``, ``w' = scale * w``, ``b' = scale * b + (beta - scale * mean)``)."""
    layers, renamed = [], {}  # a fused batch normalization's output is its conv's
    read = [name for layer in description["layers"] for name in layer.get("inputs", [])]
    for layer in description["layers"]:
        if "inputs" in layer:
            layer = {**layer, "inputs": [renamed.get(name, name) for name in layer["inputs"]]}
        before = layers[-1] if layers else None
        if (layer["op"] != "batchnorm" or before is None or before["op"] not in MAC_OPS
                or precisions.text(before["name"], LAYERS[before["op"]][0], "result") != "auto"
                or layer.get("inputs", [before["name"]]) != [before["name"]] or before["name"] in read):
            layers.append(layer)  # (a conv whose output another layer reads too is not fused: hls4ml's rule)
            continue
        if weights is None:
            raise ValueError(f"{source}: layer {layer['name']!r}: hls4ml fuses this batch normalization into "
                             f"{before['name']!r}; that needs the weights")
        name, into = layer["name"], before["name"]
        gamma, beta, mean, var = (np.asarray(weights.pop(f"{name}.{key}"), np.float32)
                                  for key in ("weight", "bias", "running_mean", "running_var"))
        scale = gamma / np.sqrt(var + np.float32(layer.get("eps", 1e-5)))
        weight = np.asarray(weights[f"{into}.weight"], np.float32)
        bias = np.asarray(weights.get(f"{into}.bias", np.zeros(len(scale))), np.float32)
        weights[f"{into}.weight"] = scale.reshape(-1, *[1] * (weight.ndim - 1)) * weight
        weights[f"{into}.bias"] = scale * bias + (beta - scale * mean)
        layers[-1] = {**before, "bias": True}
        renamed[name] = into
    return {**description, "layers": layers}


def as_hls4ml_reads_them(weights: dict[str, np.ndarray], layer: dict) -> None:
    """hls4ml writes each parameter with as many decimals as its type has fraction bits
    (``'{:.Ff}'.format``) and its C-simulation reads the text back through ``double``: a
    value within half a decimal of a grid point (or of a midpoint, where rounding modes
    turn) lands on the other side of it. Only values that near one are rewritten, so the
    quantized parameters are exactly what hls4ml's are."""
    for variable in ("weight", "bias"):
        key = f"{layer['name']}.{variable}"
        if key not in weights:
            continue
        kind = FixedType.parse(layer["types"][variable])
        decimals = max(0, kind.width - kind.integer)
        values = np.array(weights[key], dtype=np.float64)
        half_steps = values * 2.0 ** (decimals + 1)
        near = np.abs(half_steps - np.round(half_steps)) * 2.0 ** -(decimals + 1) < 10.0 ** -decimals
        flat = values.reshape(-1)
        for i in np.flatnonzero(near.reshape(-1)):
            flat[i] = float(f"{flat[i]:.{decimals}f}")
        weights[key] = values
