"""An hls4ml configuration laid over an imported model: the network with hls4ml's semantics.

The configuration is the dict ``hls4ml.utils.config_from_*_model`` returns (PyTorch, Keras
or ONNX; with or without ``backend=``), saved as YAML or JSON. Each variable's type is
looked up as hls4ml 1.3.0 does (``hls4ml_precision``) and ``auto`` is inferred by its rules
(``hls4ml_infer``); the model (ONNX or Keras, imported with hls4ml's layer names) gives the
topology and weights, rewritten as hls4ml's passes rewrite them (``hls4ml_passes``). What
the simulator then runs is what hls4ml's C++ computes (``tests/accel/test_hls4ml_*.py``):

- conv and dense: each product assigned to ``accum``, the accumulator starting at the
  bias, the result cast; the convolution sums its window in (kh, kw, cin) order
  (``order: [m, r, c, i, j, n]``, which matters once the accumulator saturates);
  ``Strategy: Resource`` adds the products at stride ``ReuseFactor`` (``LoopNest.interleave``,
  read from ``dense_resource``), the reuse factor first rounded to a valid one as hls4ml does;
- activations as layers of their own with their types (``table_t``, ``param_t``,
  ``table_size``, ``implementation`` from the layer's entry, where the layer has them);
  max-pool through its ``accum`` type; the input quantized by the input layer's ``result``;
- weights as hls4ml's C-simulation reads them: written as text with as many decimals as
  their type has fraction bits, read back through ``double``.

Refused, with the layer named: a layer name the model does not have, a strategy other
than Latency and Resource, and what hls4ml's own kernels do not compute correctly.
"""

from __future__ import annotations

import warnings

import numpy as np

from layers.hw import find_device
from layers.hw.hls4ml_cost import closest_reuse_factor, read_impl, valid_reuse_factors
from quant import FixedType

from ..config import network_from_dict
from . import hls4ml_infer as infer
from .hls4ml_passes import (as_hls4ml_reads_them, flatten_as_hls4ml, fuse_batchnorms, removed_by_hls4ml,
                            settle_function_names)
from .hls4ml_precision import (ATTRIBUTE_TYPES, INPUT_NAMES, LAYERS, MAC_OPS, OTHER_KEYS, TABLE_OPS, Precisions,
                               read_config, snake_case)
from .qonnx_names import config_for

__all__ = ["apply", "read_config"]


def apply(description: dict, config: dict, source: str,
          weights: dict[str, np.ndarray] | None = None) -> dict:
    """``description`` (from ``import_onnx(..., hls4ml=True)``) with ``config``'s types and
    hls4ml's semantics, every layer's types explicit. ``weights``, if given, are replaced
    in place by the values hls4ml's C-simulation loads (its text round trip)."""
    absorbed = description.get("absorbed") or {}
    description = {key: value for key, value in description.items() if key != "absorbed"}
    if absorbed:  # a qonnx-cleaned graph: hls4ml's renamed layers, bias Adds and Transposes
        def result_text(renamed: dict, name: str) -> str:
            op = next(layer["op"] for layer in description["layers"] if layer["name"] == name)
            return Precisions.of(renamed, source).text(name, LAYERS.get(op, ((),))[0], "result")
        config = config_for(config, description["layers"], absorbed, result_text, source)
    precisions = Precisions.of(config, source)
    description = settle_function_names(description, set(precisions.by_name), weights)
    names = [layer["name"] for layer in description["layers"]]
    input_name = description["input"].get("name")
    unknown = sorted(set(precisions.by_name) - set(names) - {input_name, *INPUT_NAMES})
    folded = [name for name in unknown if set(precisions.by_name[name].values()) <= {"auto"}]
    if folded:  # what config_from_*_model writes for a BatchNorm that hls4ml (and the export) fuse
        warnings.warn(f"{source}: LayerName {folded}: no such layers in the model (a BatchNorm fused into the "
                      f"layer before it?); their entries only say 'auto' and are not used", stacklevel=2)
    unknown = [name for name in unknown if name not in folded]
    if unknown:
        raise ValueError(f"{source}: LayerName names {unknown}, which the model has no layer for (its layers: "
                         f"{names}; torch.onnx.export folds a BatchNorm into the conv before it in eval mode)")
    description = fuse_batchnorms(description, precisions, weights, source)

    result = {key: value for key, value in description.items() if key not in ("defaults", "layers")}
    target = _target(config, source)
    if target:
        result["target"] = target
    result["input"] = {key: value for key, value in description["input"].items() if key != "name"}
    named = [name for name in (input_name, *INPUT_NAMES) if name in precisions.by_name]
    text = precisions.text(named[0] if named else (input_name or "x"), ("InputLayer",), "result")
    in_type = precisions.default if text == "auto" else precisions.fixed(text, f"the input {input_name!r}")
    result["input"]["type"] = str(in_type)
    result["layers"] = []
    types, shapes = {"input": in_type}, {"input": tuple(result["input"]["shape"])}
    removed: dict[str, str] = {}  # a layer hls4ml removes -> the tensor it passed on
    for layer in description["layers"]:
        entry = {snake_case(key): value for key, value in ((config.get("LayerName") or {}).get(layer["name"]) or {}).items()}
        sources = layer.get("inputs") or [result["layers"][-1]["name"] if result["layers"] else "input"]
        sources = [removed.get(s, s) for s in ([sources] if isinstance(sources, str) else sources)]
        if "inputs" in layer:
            layer = {**layer, "inputs": sources}
        if removed_by_hls4ml(layer, entry, sources, result["layers"], precisions, types, source):
            removed[layer["name"]] = sources[0]
            continue
        in_type = types[sources[0]] if len(sources) == 1 else tuple(types[s] for s in sources)
        in_shape = shapes[sources[0]] if len(sources) == 1 else tuple(shapes[s] for s in sources)
        if layer["op"] == "flatten" and str(config.get("IOType", "io_parallel")).lower() == "io_parallel":
            layer = flatten_as_hls4ml(layer, description["layers"], in_shape, weights)
        typed = _typed(layer, precisions, in_type, entry, in_shape, source, config)
        result["layers"].append(typed)
        # the types so far ('auto' of later layers depends on them); later layers may read any of them
        so_far = network_from_dict(result, source, complete=False)
        types.update({l.name: out for l, _, out in so_far.io_types()})
        shapes.update({l.name: tuple(out) for l, _, out in so_far.shapes()})
        if weights is not None and layer["op"] in MAC_OPS:
            as_hls4ml_reads_them(weights, typed)
    return result


def _typed(layer: dict, precisions: Precisions, in_type: FixedType, entry: dict, in_shape, source: str,
           config_sections: dict) -> dict:
    """One layer with hls4ml's types for every variable it has, ``auto`` inferred."""
    name, op = layer["name"], layer["op"]
    if op not in LAYERS:
        raise ValueError(f"{source}: layer {name!r} ({op}): not a layer hls4ml has")
    classes, variables = LAYERS[op]
    where = f"LayerName: {name}: Precision"
    texts = {variable: precisions.text(name, classes, variable) for variable in variables}
    types = {v: precisions.fixed(t, f"{where}: {v}") for v, t in texts.items() if t != "auto"}
    for variable in ("weight", "bias", "scale"):  # parameters: 'auto' is the default precision
        if texts.get(variable) == "auto":
            types[variable] = precisions.default
    auto = [v for v, t in texts.items() if t == "auto" and v not in types]
    for variable in auto:
        types[variable] = _inferred(op, variable, layer, in_type, in_shape, types, precisions)
    out = dict(layer)
    unknown = sorted(set(entry) - OTHER_KEYS)
    if unknown:
        warnings.warn(f"{source}: LayerName: {name}: {unknown} not read (keys of hls4ml's layer entries that change "
                      f"values are: Precision, TableSize, Implementation, table_t and the softmax tables' types)",
                      stacklevel=3)
    for key, variable in ATTRIBUTE_TYPES.items():
        if key in entry and op in TABLE_OPS:
            types[variable] = precisions.fixed(str(entry[key]), f"LayerName: {name}: {key}")
    if "table_size" in entry and op in TABLE_OPS:
        out["table_size"] = int(entry["table_size"])
    if op == "softmax" and "implementation" in entry:
        out["implementation"] = str(entry["implementation"]).lower()
    out["types"] = {variable: str(t) for variable, t in types.items()}
    if op in MAC_OPS:
        n_out = layer.get("out_features") or layer["out_channels"]
        n_in = int(np.prod(in_shape)) if op == "dense" else in_shape[0] * int(np.prod(_kernel(layer)))
        out["hls4ml"] = _implementation(name, classes, config_sections, n_in, n_out, source)
    if op in ("conv", "conv1d"):
        if layer.get("groups", 1) != 1:
            raise ValueError(f"{source}: layer {name!r}: hls4ml's {classes[0]} has no groups (got {layer['groups']})")
        out["order"] = ["m", "r", "c", "i", "j", "n"]  # hls4ml sums a window in (kh, kw, cin) order
    return out


def _implementation(name: str, classes: tuple[str, ...], config: dict, n_in: int, n_out: int, source: str) -> dict:
    """hls4ml's strategy and reuse factor for a layer (its name, then its type, then the
    model) and the configuration's ``IOType`` (``io_parallel`` when not given): how the
    layer sums (``Strategy: Resource`` interleaves its products) and what the estimator
    costs. Under Resource a reuse factor hls4ml does not allow for ``n_in x n_out`` is
    replaced by the nearest valid one, as hls4ml's ``set_closest_reuse_factor`` does, and said."""
    entries = [(config.get("LayerName") or {}).get(name) or {},
               *[(config.get("LayerType") or {}).get(kind) or {} for kind in classes], config["Model"]]
    def first(key: str, default):
        return next((entry[key] for entry in entries if entry.get(key) is not None), default)
    strategy, rf = str(first("Strategy", "Latency")).lower(), int(first("ReuseFactor", 1))
    if strategy not in ("latency", "resource"):
        raise ValueError(f"{source}: layer {name!r}: Strategy {first('Strategy', '')!r} is not modelled (Latency or "
                         f"Resource)")
    if strategy == "resource" and rf not in valid_reuse_factors(n_in, n_out):
        closest = closest_reuse_factor(n_in, n_out, rf)
        warnings.warn(f"{source}: layer {name!r}: ReuseFactor {rf} is not valid for {n_in} x {n_out} products; "
                      f"hls4ml uses {closest} instead, and so does this import", stacklevel=3)
        rf = closest
    impl = {"strategy": strategy, "reuse_factor": rf, "io_type": str(config.get("IOType", "io_parallel")).lower()}
    try:  # what hls4ml's kernels cannot compute is refused here, naming the layer
        read_impl(impl, "").interleave(n_in, n_out, window=classes[0] != "Dense")
    except ValueError as err:
        raise ValueError(f"{source}: layer {name!r}: {err}") from None
    return impl


def _kernel(layer: dict) -> tuple[int, int]:
    kernel = layer.get("kernel", 1)
    return (kernel, 1) if layer["op"] == "conv1d" else (kernel, kernel) if isinstance(kernel, int) else tuple(kernel)


def _inferred(op: str, variable: str, layer: dict, in_type: FixedType, in_shape, types: dict,
              precisions: Precisions) -> FixedType:
    if op in ("conv", "conv1d", "dense"):
        kh, kw = _kernel(layer)
        n_ops = int(np.prod(in_shape)) if op == "dense" else in_shape[0] * kh * kw
        return infer.mac_result(in_type, types["weight"], types["bias"], n_ops, precisions.maximum)
    if op == "batchnorm":
        return infer.batchnorm_result(in_type, types["scale"], types["bias"], precisions.maximum)
    if op == "avgpool" and variable == "accum":
        return infer.avgpool_accum(in_type, int(layer.get("kernel", 2)) ** 2)
    if op in ("maxpool", "maxpool1d", "avgpool", "flatten"):
        return in_type
    if op == "add":
        return infer.sum_result(*in_type, precisions.maximum)
    if op == "concatenate":
        return infer.concatenate_result(*in_type, precisions.maximum)
    if variable == "param":  # _infer_par_act_precision, _infer_prelu_act_precision
        if op in ("thresholded_relu", "prelu"):
            return in_type
        return infer.constant_type(float(layer.get("alpha", 1.0)))
    return precisions.default  # activations: hls4ml infers nothing for them


def _target(config: dict, source: str) -> dict:
    """The configuration's ``Part`` and ``ClockPeriod`` (as a written project's
    ``hls4ml_config.yml`` has them), kept when the estimator knows the part."""
    target = {}
    if config.get("ClockPeriod") is not None:
        target["clock_ns"] = float(config["ClockPeriod"])
    part = config.get("Part")
    if part:
        try:
            find_device(str(part))
            target["part"] = str(part)
        except ValueError:
            warnings.warn(f"{source}: Part {part} is not among the estimator's devices: give accel report --board",
                          stacklevel=2)
    return target


