"""An hls4ml configuration laid over an imported model: the network with hls4ml's semantics.

The configuration is the dict ``hls4ml.utils.config_from_*_model`` returns, saved as YAML
or JSON: ``Model`` / ``LayerType`` / ``LayerName``, each with a ``Precision`` that is one
type or a dict of variables (``default``, ``weight``, ``bias``, ``accum``, ``result``,
``scale``). A variable's type is looked up as hls4ml 1.3.0's ``HLSConfig.get_precision``
does: the layer's own entry for the variable, then its ``default``, then the layer type's
entry and its ``default``, then the model's, and ``auto`` is inferred by hls4ml's rules
(``hls4ml_infer``). The model (ONNX, imported with hls4ml's layer names and ReLU kept as a
layer of its own) gives the topology and weights. What the simulator then runs is what
hls4ml's C++ computes (``tests/accel/test_hls4ml_peer.py`` holds them to it):

- conv and dense: each product assigned to ``accum``, the accumulator starting at the
  bias, the result cast; the convolution sums its window in (kh, kw, cin) order
  (``order: [m, r, c, i, j, n]``, which matters once the accumulator saturates);
- ReLU, the table activations and softmax with their own types (``table_t``,
  ``exp_table_t``, ``table_size``, ``implementation`` from the layer's entry); max-pool
  through its ``accum`` type; the input quantized by the input layer's ``result`` type;
- weights as hls4ml's C-simulation reads them: written as text with as many decimals as
  their type has fraction bits, read back through ``double``.

- ``Strategy: Resource``: the products added at stride ``ReuseFactor`` (``LoopNest.interleave``,
  read from ``dense_resource``), the reuse factor first rounded to a valid one as hls4ml does.

Refused, with the layer named: a layer name the model does not have, a strategy other
than Latency and Resource, and what hls4ml's own kernels do not compute correctly.
"""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from layers import safe_yaml
from layers.hw import find_device
from layers.hw.hls4ml_cost import closest_reuse_factor, read_impl, valid_reuse_factors
from quant import FixedType

from ..config import network_from_dict
from . import hls4ml_infer as infer
from .qonnx_names import config_for

# our op -> (hls4ml's LayerType names, the variables hls4ml gives it a type for)
LAYERS = {
    "conv": (("Conv2D",), ("weight", "bias", "accum", "result")),
    "conv1d": (("Conv1D",), ("weight", "bias", "accum", "result")),
    "maxpool1d": (("MaxPooling1D", "Pooling1D"), ("accum", "result")),
    "dense": (("Dense", "Linear"), ("weight", "bias", "accum", "result")),
    "batchnorm": (("BatchNormalization",), ("scale", "bias", "result")),
    "relu": (("Activation", "ReLU"), ("result",)),
    "sigmoid": (("Activation",), ("result",)),
    "tanh": (("Activation",), ("result",)),
    "softmax": (("Softmax", "Activation"), ("result",)),
    "maxpool": (("MaxPooling2D", "Pooling2D"), ("accum", "result")),
    "avgpool": (("AveragePooling2D", "Pooling2D"), ("accum", "result")),
    "flatten": (("Reshape", "Flatten"), ("result",)),
    "add": (("Merge", "Add"), ("result",)),
    "concatenate": (("Concatenate",), ("result",)),
    "linear": (("Activation",), ("result",)),
    "leaky_relu": (("LeakyReLU", "ParametrizedActivation"), ("param", "result")),
    "thresholded_relu": (("ThresholdedReLU", "ParametrizedActivation"), ("param", "result")),
    "elu": (("ELU", "ParametrizedActivation"), ("param", "result")),
    "prelu": (("PReLU",), ("param", "result")),
    "hard_sigmoid": (("HardActivation",), ("result",)),  # slope_t, shift_t: hls4ml's own (initialize())
    "hard_tanh": (("HardActivation",), ("result",)),
}
TABLE_OPS = ("sigmoid", "tanh", "softmax", "elu")  # what TableSize and the table types apply to
# the keys hls4ml writes into a layer's entry that change no value, or that this import reads elsewhere
OTHER_KEYS = {"precision", "trace", "reuse_factor", "strategy", "parallelization_factor", "conv_implementation",
              "bram_factor", "compression", "table_size", "implementation", "table_t", "exp_table_t", "inv_table_t",
              "inp_norm_t", "inv_inp_t", "accum_t", "skip"}
SAFE_PARENTS = ("conv", "conv1d", "dense", "batchnorm", "relu", "sigmoid", "tanh", "softmax", "linear", "leaky_relu",
                "thresholded_relu", "elu", "prelu", "hard_sigmoid", "hard_tanh")  # hls4ml's MergeLinearActivation
# keys of a layer's entry that set a type or a table outside ``Precision`` (hls4ml's attributes)
ATTRIBUTE_TYPES = {"table_t": "table", "exp_table_t": "exp_table", "inv_table_t": "inv_table",
                   "inp_norm_t": "inp_norm", "inv_inp_t": "inv_inp"}
INPUT_NAMES = ("x", "input", "input_1", "input1")
MAC_OPS = ("conv", "conv1d", "dense")  # the layers with weights, biases and an accumulator


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


@dataclass(frozen=True)
class Precisions:
    """hls4ml's precision lookup over one configuration (``HLSConfig.get_precision``)."""

    model: dict
    by_type: dict
    by_name: dict
    source: str

    @classmethod
    def of(cls, config: dict, source: str) -> "Precisions":
        def table(section: dict, where: str) -> dict:
            return {key: _variables((entry or {}).get("Precision"), f"{source}: {where}: {key}: Precision")
                    for key, entry in (section or {}).items()}
        model = _variables(config["Model"].get("Precision", "fixed<16,6>"), f"{source}: Model: Precision")
        if "default" not in model:
            raise ValueError(f"{source}: Model: Precision has no 'default' type")
        return cls(model, table(config.get("LayerType"), "LayerType"), table(config.get("LayerName"), "LayerName"),
                   source)

    def text(self, name: str, classes: tuple[str, ...], variable: str) -> str:
        own = self.by_name.get(name, {})
        for found in (own.get(variable), own.get("default")):
            if found is not None:
                return found
        for kind in classes:
            entry = self.by_type.get(kind, {})
            for found in (entry.get(variable), entry.get("default")):
                if found is not None:
                    return found
        return self.model.get(variable, self.model["default"])

    def fixed(self, text: str, where: str) -> FixedType:
        try:
            return FixedType.parse(text)
        except ValueError as err:
            raise ValueError(f"{self.source}: {where}: {err}") from None

    @property
    def default(self) -> FixedType:
        return self.fixed(self.model["default"], "Model: Precision: default")

    @property
    def maximum(self) -> FixedType | None:
        text = self.model.get("maximum")
        return None if text is None else self.fixed(text, "Model: Precision: maximum")


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
    description = _settle_function_names(description, set(precisions.by_name), weights)
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
    description = _fuse_batchnorms(description, precisions, weights, source)

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
        entry = {_snake_case(key): value for key, value in ((config.get("LayerName") or {}).get(layer["name"]) or {}).items()}
        sources = layer.get("inputs") or [result["layers"][-1]["name"] if result["layers"] else "input"]
        sources = [removed.get(s, s) for s in ([sources] if isinstance(sources, str) else sources)]
        if "inputs" in layer:
            layer = {**layer, "inputs": sources}
        if _removed_by_hls4ml(layer, entry, sources, result["layers"], precisions, types, source):
            removed[layer["name"]] = sources[0]
            continue
        in_type = types[sources[0]] if len(sources) == 1 else tuple(types[s] for s in sources)
        in_shape = shapes[sources[0]] if len(sources) == 1 else tuple(shapes[s] for s in sources)
        if layer["op"] == "flatten" and str(config.get("IOType", "io_parallel")).lower() == "io_parallel":
            layer = _flatten_as_hls4ml(layer, description["layers"], in_shape, weights)
        typed = _typed(layer, precisions, in_type, entry, in_shape, source, config)
        result["layers"].append(typed)
        # the types so far ('auto' of later layers depends on them); later layers may read any of them
        so_far = network_from_dict(result, source, complete=False)
        types.update({l.name: out for l, _, out in so_far.io_types()})
        shapes.update({l.name: tuple(out) for l, _, out in so_far.shapes()})
        if weights is not None and layer["op"] in MAC_OPS:
            _as_hls4ml_reads_them(weights, typed)
        if weights is not None and layer["op"] == "prelu":  # one alpha per value (a channel's, repeated)
            key = f"{layer['name']}.weight"
            alpha = np.asarray(weights[key], np.float64)
            alpha = alpha.reshape(-1, *[1] * (len(in_shape) - 1)) if alpha.ndim == 1 and len(in_shape) > 1 else alpha
            weights[key] = np.broadcast_to(alpha, in_shape).copy()
    return result


def _settle_function_names(description: dict, configured: set[str], weights: dict | None) -> dict:
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


def _flatten_as_hls4ml(layer: dict, layers: list[dict], in_shape: tuple, weights: dict | None) -> dict:
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


def _removed_by_hls4ml(layer: dict, entry: dict, sources: list[str], done: list[dict], precisions: Precisions,
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


def _fuse_batchnorms(description: dict, precisions: Precisions, weights: dict | None, source: str) -> dict:
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


def _as_hls4ml_reads_them(weights: dict[str, np.ndarray], layer: dict) -> None:
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


def _snake_case(key: str) -> str:
    """hls4ml's ``convert_to_snake_case`` of a layer entry's keys: ``TableSize`` -> ``table_size``."""
    key = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", str(key))
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower()


def _variables(value, where: str) -> dict:
    """A ``Precision`` entry as a dict of variable -> type text (a string: the ``default``)."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"default": value.strip()}
    if isinstance(value, dict):
        return {str(k): str(v).strip() for k, v in value.items()}
    raise ValueError(f"{where}: a precision is a type or a mapping of variable to type, got {value!r}")

