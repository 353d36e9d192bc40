"""A project directory hls4ml wrote (``hls_model.write()``) → the network it simulates.

Everything is read from the generated firmware, the one place where hls4ml's optimizer
passes have already run (``auto`` resolved, batch normalization fused or not, zero
padding split out, transposes inserted), so nothing of hls4ml is re-implemented here:

- ``firmware/<project>.cpp``: the layer calls in order, each ``nnet::FUNC<in_t, out_t,
  config>(in, out[, weights...]); // name``;
- ``firmware/defines.h``: the typedefs (``nnet::array<ap_fixed<16,6>, 4*1> layer2_t`` in
  ``io_stream``: the element type);
- ``firmware/parameters.h``: one ``struct config`` per layer with its sizes and the types
  it uses (``accum_t``, ``weight_t``, ``table_t`` ...);
- ``firmware/weights/*.txt``: the parameters as the C-simulation loads them (text read
  through ``double``), in hls4ml's layouts (a convolution's ``[kh][kw][cin][cout]``, a
  dense layer's ``[in][out]``, or ``[out][in]`` under ``Strategy: Resource``).

``hls4ml_config.yml`` is not read: it embeds the pickled model (``!!python/object``),
which must never be constructed. A call this reader does not know is refused with its
name and layer.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from layers.hw import find_device
from layers.hw.hls4ml_cost import read_impl
from quant import FixedType

ORDER = ["m", "r", "c", "i", "j", "n"]  # hls4ml sums a window in (kh, kw, cin) order
CALL = re.compile(r"nnet::(\w+)<([^;]*?)>\(([^;]*?)\);\s*//\s*(\S+)")
STRUCT = re.compile(r"struct\s+(\w+)\s*(?::\s*[\w:]+\s*)?\{(.*?)\n\};", re.S)
MEMBER = re.compile(r"static\s+(?:const|constexpr)\s+[\w:<>* ]+?\s(\w+)\s*=\s*([^;]+);")
TYPEDEF = re.compile(r"typedef\s+(.+?)\s+(\w+)\s*;")
ARRAY = re.compile(r"unsigned\s+(\w+)\[\d+\]\s*=\s*\{([^}]*)\};")
DEFINITION = re.compile(r"const\s+(\w+)\s+(\w+)::(\w+)\s*=\s*([^;]+);")  # hard activations' slope, shift
WEIGHTS = re.compile(r"load_weights_from_txt<[^,]+,\s*(\d+)>\((\w+),\s*\"([\w.]+)\"\)")


@dataclass(frozen=True)
class Firmware:
    """The parsed files of one project's ``firmware/`` folder."""

    folder: Path
    calls: list[tuple[str, list[str], list[str], str]]  # function, template args, arguments, comment
    typedefs: dict[str, str]
    configs: dict[str, dict[str, str]]  # struct -> member (value or typedef'd type) -> text
    arrays: dict[str, list[int]]
    weight_files: dict[str, tuple[str, int]]  # variable -> (file name, size)
    io_type: str  # io_stream (hls::stream arguments) or io_parallel

    def type(self, name: str, where: str) -> FixedType:
        """A typedef'd name resolved to its fixed-point type (``nnet::array`` element types too)."""
        text, seen = name.strip(), set()
        while text in self.typedefs and text not in seen:
            seen.add(text)
            text = self.typedefs[text]
        array = re.fullmatch(r"nnet::array<(.+),\s*[\d*]+>", text)
        if array:
            text = array.group(1)
        if text in self.typedefs:
            return self.type(text, where)
        try:
            return FixedType.parse(text.replace(" ", ""))
        except ValueError as err:
            raise ValueError(f"{self.folder}: {where}: type {name!r} is {text!r}: {err}") from None

    def config(self, struct: str, where: str) -> "Config":
        if struct not in self.configs:
            raise ValueError(f"{self.folder}/parameters.h: {where}: no struct {struct!r}")
        return Config(self, struct, where)

    def weights(self, variable: str, where: str) -> np.ndarray:
        if variable not in self.weight_files:
            raise ValueError(f"{self.folder}: {where}: no load_weights_from_txt for {variable!r}")
        name, size = self.weight_files[variable]
        path = self.folder / "weights" / name
        if not path.is_file():
            raise ValueError(f"{path}: missing (written with WriteWeightsTxt: False?)")
        values = np.array(path.read_text().strip().split(","), dtype=np.float64)  # text -> double, as C++ reads it
        if values.size != size:
            raise ValueError(f"{path}: {values.size} values, {size} expected")
        return values


@dataclass(frozen=True)
class Config:
    """One layer's ``struct config`` in ``parameters.h``."""

    firmware: Firmware
    struct: str
    where: str

    def int(self, key: str, default: int | None = None) -> int:
        text = self.firmware.configs[self.struct].get(key)
        if text is None:
            if default is None:
                raise ValueError(f"{self.firmware.folder}/parameters.h: {self.where}: {self.struct} has no {key!r}")
            return default
        return _integer(text, f"{self.firmware.folder}/parameters.h: {self.where}: {key}")

    def text(self, key: str, default: str = "") -> str:
        return self.firmware.configs[self.struct].get(key, default).split("::")[-1].strip()

    def type(self, key: str) -> FixedType:
        if key not in self.firmware.configs[self.struct]:
            raise ValueError(f"{self.firmware.folder}/parameters.h: {self.where}: {self.struct} has no {key!r}")
        return self.firmware.type(self.firmware.configs[self.struct][key], f"{self.where}: {key}")


def read_firmware(project: str | Path) -> Firmware:
    """Parse ``project/firmware``; the top function is the ``.cpp`` with the layer calls."""
    folder = Path(project) / "firmware"
    if not folder.is_dir():
        raise ValueError(f"{project}: not an hls4ml project (no firmware/ folder; write it with hls_model.write())")
    tops = [p for p in sorted(folder.glob("*.cpp")) if "hls-fpga-machine-learning insert layers" in p.read_text()]
    if len(tops) != 1:
        raise ValueError(f"{folder}: expected one top-level .cpp with hls4ml's layer calls, found {[p.name for p in tops]}")
    for name in ("defines.h", "parameters.h"):
        if not (folder / name).is_file():
            raise ValueError(f"{folder}: no {name}")
    source = tops[0].read_text()
    parameters = (folder / "parameters.h").read_text()
    calls = [(m.group(1), _split(m.group(2)), _split(m.group(3)), m.group(4)) for m in CALL.finditer(source)]
    configs = {}
    for struct in STRUCT.finditer(parameters):
        body = struct.group(2)
        members = {m.group(1): m.group(2).strip() for m in MEMBER.finditer(body)}
        members.update({m.group(2): m.group(1).strip() for m in TYPEDEF.finditer(body)})
        configs[struct.group(1)] = members
    for m in DEFINITION.finditer(parameters):  # const slope4_t hard_sigmoid_config4::slope = 0.2;
        if m.group(2) in configs:
            configs[m.group(2)].update({m.group(3): m.group(4).strip(), f"{m.group(3)}_t": m.group(1)})
    typedefs = {m.group(2): m.group(1).strip() for m in TYPEDEF.finditer((folder / "defines.h").read_text())}
    arrays = {m.group(1): [int(v) for v in m.group(2).split(",")] for m in ARRAY.finditer(parameters)}
    weight_files = {m.group(2): (m.group(3), int(m.group(1))) for m in WEIGHTS.finditer(source)}
    if not calls:
        raise ValueError(f"{tops[0]}: no nnet:: layer calls found")
    io_type = "io_stream" if "hls::stream<" in source.split("{", 1)[0] else "io_parallel"
    return Firmware(folder, calls, typedefs, configs, arrays, weight_files, io_type)


# hls4ml's activations with a parameter: <in_t, param_t, out_t, config>(in, param, out)
PARAMETRIZED = ("leaky_relu", "thresholded_relu", "elu", "prelu")
# hls4ml's merges we model: the call takes two inputs, then the output
MERGES = {"add": "add", "concatenate1d": "concatenate", "concatenate3d": "concatenate"}

def import_project(project: str | Path) -> tuple[dict, dict[str, np.ndarray]]:
    """(network description, weights) of the network an hls4ml project simulates."""
    firmware = read_firmware(project)
    layers: list[dict] = []
    weights: dict[str, np.ndarray] = {}
    shape: tuple[int, ...] | None = None
    input_type = None
    padding = 0  # a zero-padding layer's, for the convolution after it
    spatial = True  # feature maps (C, H, W) until a flatten or a dense layer
    buffers: dict[str, str] = {}  # the C++ arrays and streams -> the tensors (our layers, or "input") they hold
    for function, template, arguments, name in firmware.calls:
        where = f"layer {name!r} (nnet::{function})"
        if function == "clone_stream":  # io_stream's copies of a tensor two layers read: the same tensor
            for copy in arguments[1:]:
                buffers[copy] = buffers.get(arguments[0], layers[-1]["name"] if layers else "input")
            continue
        takes = 2 if function in MERGES else 1
        param = None
        if function in PARAMETRIZED:  # nnet::leaky_relu<in_t, param_t, out_t, config>(in, param, out)
            if len(template) != 4 or len(arguments) != 3:
                raise ValueError(f"{firmware.folder}: {where}: expected <in_t, param_t, out_t, config>(in, param, out)")
            template, arguments = list(template), list(arguments)
            param = (template.pop(1), arguments.pop(1))
        if len(template) < takes + 2 or len(arguments) < takes + 1:
            raise ValueError(f"{firmware.folder}: {where}: expected <input(s), output, config> template arguments")
        in_t, out_t, struct = template[0], template[takes], template[takes + 1]
        config = firmware.config(struct, where)
        if input_type is None:
            input_type = firmware.type(in_t, f"{where}: input")
            buffers[arguments[0]] = "input"
        result = str(firmware.type(out_t, f"{where}: output"))
        previous = layers[-1]["name"] if layers else "input"
        # a buffer no call wrote is a reshape hls4ml left out (Keras's Flatten): the layer before
        sources = [buffers.get(argument, previous) for argument in arguments[:takes]]
        output = arguments[takes]
        if function == "transpose":
            from_shape, to_shape, perm = (firmware.arrays.get(f"{struct}_{key}") for key in ("from_shape", "to_shape", "perm"))
            if shape is None:  # the input, channels-first, turned channels-last: our layout needs nothing
                shape = tuple(from_shape)
                buffers[output] = "input"
            elif perm == [2, 0, 1]:  # channels-last back to PyTorch's order before a dense layer: a flatten
                layers.append({"name": name.removeprefix("transpose_input_for_"), "op": "flatten", "order": "chw",
                               "types": {"result": result}, **_wired(sources, previous)})
                buffers[output] = layers[-1]["name"]
                spatial = False
            else:
                raise ValueError(f"{firmware.folder}: {where}: a transpose {perm} that is not a flatten")
            continue
        if shape is None:
            shape = _input_shape(function, config)
        if function in ("zeropad2d_cl", "zeropad1d_cl"):
            sides = ("pad_left", "pad_right") if function == "zeropad1d_cl" else \
                ("pad_top", "pad_bottom", "pad_left", "pad_right")
            pads = {config.int(k) for k in sides}
            if len(pads) != 1:
                raise ValueError(f"{firmware.folder}: {where}: only symmetric zero padding is supported, got {pads}")
            padding = pads.pop()
            buffers[output] = sources[0]  # the padding goes into the convolution that reads it
            continue
        layer, params = _layer(function, name, config, arguments[takes - 1:], result, firmware, where, param)
        wiring = _wired(sources, previous)
        if layer["op"] == "dense" and spatial and len(shape) >= 2:  # Keras's Flatten: no call, channels-last
            layers.append({"name": f"{name}_flatten", "op": "flatten", "order": "hwc", **wiring})
            wiring = {}
        layer.update(wiring)
        spatial = spatial and layer["op"] != "dense"
        if padding:
            if layer["op"] not in ("conv", "conv1d"):
                raise ValueError(f"{firmware.folder}: {where}: zero padding before a {layer['op']} is not supported")
            layer["padding"], padding = padding, 0
        layers.append(layer)
        buffers[output] = layer["name"]
        weights.update(params)
    if input_type is None or shape is None:
        raise ValueError(f"{firmware.folder}: no layers")
    description = {"name": Path(project).resolve().name, "input": {"shape": list(shape), "type": str(input_type)},
                   "layers": layers}
    _prelu_channels_first(description, weights, str(firmware.folder))
    target = project_target(Path(project) / "project.tcl")
    if target:
        description["target"] = target
    return description, weights


def project_target(tcl: Path) -> dict:
    """hls4ml's part and clock from the project's ``project.tcl`` (``set part "..."``,
    ``set clock_period 5``), kept when the estimator knows the part (said otherwise)."""
    if not tcl.is_file():
        return {}
    text = tcl.read_text()
    part = re.search(r'set part "([\w.-]+)"', text)
    clock = re.search(r"set clock_period ([\d.]+)", text)
    target = {"clock_ns": float(clock.group(1))} if clock else {}
    if part:
        try:
            find_device(part.group(1))
            target["part"] = part.group(1)
        except ValueError:
            warnings.warn(f"{tcl}: part {part.group(1)} is not among the estimator's devices: give accel report "
                          f"--board", stacklevel=2)
    return target


def _prelu_channels_first(description: dict, weights: dict[str, np.ndarray], source: str) -> None:
    """A PReLU's alphas, one per value in hls4ml's channels-last order, in accel's layout."""
    if not any(layer["op"] == "prelu" for layer in description["layers"]):
        return
    from ..config import network_from_dict
    shapes = {layer.name: tuple(shape) for layer, shape, _ in network_from_dict(description, source).shapes()}
    for layer in description["layers"]:
        if layer["op"] == "prelu":
            shape, key = shapes[layer["name"]], f"{layer['name']}.weight"
            last = np.asarray(weights[key]).reshape(*shape[1:], shape[0]) if len(shape) > 1 else weights[key]
            weights[key] = np.moveaxis(last, -1, 0) if len(shape) > 1 else last


def _wired(sources: list[str], previous: str) -> dict:
    """A layer's ``inputs:`` entry, where they are not just the layer before it."""
    return {} if sources == [previous] else {"inputs": list(sources)}


def _layer(function: str, name: str, config: Config, arguments: list[str], result: str, firmware: Firmware,
           where: str, param: tuple[str, str] | None = None) -> tuple[dict, dict[str, np.ndarray]]:
    """One of our layers (and its weights, PyTorch's layouts) for one hls4ml call;
    ``arguments``: the call's, from its (last) input on; ``param``: a parametrized
    activation's (type, argument)."""
    if function in PARAMETRIZED:
        layer = {"name": name, "op": function, "types": {"param": str(firmware.type(param[0], f"{where}: param")),
                                                         "result": result}}
        if function == "prelu":  # alphas: one per value, channels-last (_prelu_channels_first)
            return layer, {f"{name}.weight": firmware.weights(param[1], where)}
        try:
            layer["theta" if function == "thresholded_relu" else "alpha"] = float(param[1])
        except ValueError:
            raise ValueError(f"{firmware.folder}: {where}: the parameter {param[1]!r} is not a number") from None
        if function == "elu":
            layer["table_size"] = config.int("table_size")
            layer["types"]["table"] = str(config.type("table_t"))
        return layer, {}
    if function in ("hard_sigmoid", "hard_tanh"):
        members = firmware.configs[config.struct]
        if "slope" not in members or "shift" not in members:
            raise ValueError(f"{firmware.folder}: {where}: no slope and shift in {config.struct} (hls4ml 1.3.0 writes "
                             f"them only for its HardActivation; this project's C++ does not compile)")
        values = {}
        for key in ("slope", "shift"):
            try:
                values[key] = float(members[key])
            except ValueError:
                raise ValueError(f"{firmware.folder}: {where}: {key} {members[key]!r} is not a number") from None
        return {"name": name, "op": function, **values,
                "types": {"slope": str(config.type("slope_t")), "shift": str(config.type("shift_t")),
                          "result": result}}, {}
    if function == "linear":
        return {"name": name, "op": "linear", "types": {"result": result}}, {}
    if function in MERGES:
        return {"name": name, "op": MERGES[function], "types": {"result": result}}, {}
    if function in ("conv_1d_cl", "pointwise_conv_1d_cl"):
        k, cin, cout = (config.int(key) for key in ("filt_width", "n_chan", "n_filt"))
        pads = {config.int(key, 0) for key in ("pad_left", "pad_right")}
        if len(pads) != 1:
            raise ValueError(f"{firmware.folder}: {where}: only symmetric padding is supported")
        weight = firmware.weights(arguments[2], where)
        if _strategy(config, firmware, where) == "resource":  # stored [cout][k][cin]
            weight = weight.reshape(cout, k, cin).transpose(0, 2, 1)
        else:
            weight = weight.reshape(k, cin, cout).transpose(2, 1, 0)
        layer = {"name": name, "op": "conv1d", "out_channels": cout, "kernel": k, "stride": config.int("stride_width"),
                 "padding": pads.pop(), "order": ORDER, "types": _mac_types(config, result, firmware, where),
                 "hls4ml": _implementation(config, firmware, where)}
        return layer, {f"{name}.weight": weight, f"{name}.bias": firmware.weights(arguments[3], where)}
    if function == "pooling1d_cl":
        pads = {config.int(key, 0) for key in ("pad_left", "pad_right")}
        if len(pads) != 1 or config.text("pool_op") != "Max":
            raise ValueError(f"{firmware.folder}: {where}: only max-pooling with symmetric padding is supported in 1-D")
        return {"name": name, "op": "maxpool1d", "kernel": config.int("pool_width"),
                "stride": config.int("stride_width"), "padding": pads.pop(),
                "types": {"accum": str(config.type("accum_t")), "result": result}}, {}
    if function in ("conv_2d_cl", "conv_2d", "pointwise_conv_2d_cl"):
        kh, kw, cin, cout = (config.int(k) for k in ("filt_height", "filt_width", "n_chan", "n_filt"))
        stride = {config.int("stride_height"), config.int("stride_width")}
        pads = {config.int(k, 0) for k in ("pad_top", "pad_bottom", "pad_left", "pad_right")}
        if len(stride) != 1 or len(pads) != 1:
            raise ValueError(f"{firmware.folder}: {where}: only equal strides and symmetric padding are supported")
        weight = firmware.weights(arguments[2], where)
        if _strategy(config, firmware, where) == "resource":  # stored [cout][kh][kw][cin]
            weight = weight.reshape(cout, kh, kw, cin).transpose(0, 3, 1, 2)
        else:
            weight = weight.reshape(kh, kw, cin, cout).transpose(3, 2, 0, 1)
        layer = {"name": name, "op": "conv", "out_channels": cout, "kernel": [kh, kw], "stride": stride.pop(),
                 "padding": pads.pop(), "order": ORDER, "types": _mac_types(config, result, firmware, where),
                 "hls4ml": _implementation(config, firmware, where)}
        return layer, {f"{name}.weight": weight, f"{name}.bias": firmware.weights(arguments[3], where)}
    if function == "dense":
        n_in, n_out = config.int("n_in"), config.int("n_out")
        weight = firmware.weights(arguments[2], where)
        resource = config.text("strategy") == "resource"
        weight = weight.reshape(n_out, n_in) if resource else weight.reshape(n_in, n_out).T
        layer = {"name": name, "op": "dense", "out_features": n_out, "types": _mac_types(config, result, firmware, where),
                 "hls4ml": _implementation(config, firmware, where)}
        return layer, {f"{name}.weight": weight, f"{name}.bias": firmware.weights(arguments[3], where)}
    if function == "normalize":
        scale, bias = firmware.weights(arguments[2], where), firmware.weights(arguments[3], where)
        # our batchnorm takes PyTorch's statistics: mean 0 and var + eps = 1 exactly give scale = gamma
        eps = 2.0 ** -20
        layer = {"name": name, "op": "batchnorm", "eps": eps,
                 "types": {"scale": str(config.type("scale_t")), "bias": str(config.type("bias_t")), "result": result}}
        return layer, {f"{name}.weight": scale, f"{name}.bias": bias, f"{name}.running_mean": np.zeros_like(scale),
                       f"{name}.running_var": np.full_like(scale, 1.0 - eps)}
    if function == "relu":
        return {"name": name, "op": "relu", "types": {"result": result}}, {}
    if function in ("sigmoid", "tanh"):
        return {"name": name, "op": function, "table_size": config.int("table_size"),
                "types": {"table": str(config.type("table_t")), "result": result}}, {}
    if function == "softmax":
        implementation = config.text("implementation")
        if implementation == "argmax":
            return {"name": name, "op": "softmax", "implementation": "argmax", "types": {"result": result}}, {}
        if implementation not in ("stable", "latency"):
            raise ValueError(f"{firmware.folder}: {where}: softmax implementation {implementation!r} is not supported")
        if config.int("exp_table_size") != config.int("inv_table_size"):
            raise ValueError(f"{firmware.folder}: {where}: exp and inv tables of different sizes are not supported")
        types = {key: str(config.type(f"{key}_t")) for key in ("exp_table", "inv_table", "accum", "inv_inp")}
        if "inp_norm_t" in firmware.configs[config.struct]:
            types["inp_norm"] = str(config.type("inp_norm_t"))
        return {"name": name, "op": "softmax", "implementation": implementation,
                "table_size": config.int("exp_table_size"), "types": {**types, "result": result}}, {}
    if function in ("pooling2d_cl", "pooling2d"):
        kernel = {config.int("pool_height"), config.int("pool_width")}
        stride = {config.int("stride_height"), config.int("stride_width")}
        pads = {config.int(k, 0) for k in ("pad_top", "pad_bottom", "pad_left", "pad_right")}
        if len(kernel) != 1 or len(stride) != 1 or len(pads) != 1:
            raise ValueError(f"{firmware.folder}: {where}: only square windows, equal strides and symmetric padding")
        pool = config.text("pool_op")
        layer = {"name": name, "op": {"Max": "maxpool", "Average": "avgpool"}.get(pool), "kernel": kernel.pop(),
                 "stride": stride.pop(), "padding": pads.pop(),
                 "types": {"accum": str(config.type("accum_t")), "result": result}}
        if layer["op"] is None:
            raise ValueError(f"{firmware.folder}: {where}: pool_op {pool!r} is not supported")
        if layer["op"] == "avgpool":
            layer["count_pad"] = config.text("count_pad") == "true"
        return layer, {}
    raise ValueError(f"{firmware.folder}: {where}: nnet::{function} is not supported (supported: conv_2d_cl, dense, "
                     f"normalize, relu, linear, leaky_relu, thresholded_relu, elu, prelu, hard_sigmoid, hard_tanh, sigmoid, "
                     f"tanh, softmax, pooling2d_cl, zeropad2d_cl, transpose, add, concatenate, clone_stream, conv_1d_cl, "
                     f"pooling1d_cl)")


def _mac_types(config: Config, result: str, firmware: Firmware, where: str) -> dict[str, str]:
    """A conv's or dense layer's types (``Strategy: Resource``, which adds the products at
    stride RF, is the layer's ``hls4ml`` mapping: ``LoopNest.interleave``)."""
    return {"weight": str(config.type("weight_t")), "bias": str(config.type("bias_t")),
            "accum": str(config.type("accum_t")), "result": result}


def _implementation(config: Config, firmware: Firmware, where: str) -> dict:
    """hls4ml's strategy, reuse factor and IO type for this layer: how it sums (Resource
    interleaves the products) and what the estimator costs."""
    strategy = _strategy(config, firmware, where) or "latency"
    if strategy not in ("latency", "resource"):
        raise ValueError(f"{firmware.folder}: {where}: strategy {strategy!r} is not modelled (latency, resource)")
    impl = {"strategy": strategy, "reuse_factor": config.int("reuse_factor", 1), "io_type": firmware.io_type}
    members = firmware.configs[config.struct]
    if "n_in" in members and "n_out" in members:
        n_in, n_out, window = config.int("n_in"), config.int("n_out"), False
    else:
        kernel = config.int("filt_width") * config.int("filt_height", 1)
        n_in, n_out, window = kernel * config.int("n_chan"), config.int("n_filt"), True
    try:
        read_impl(impl, where).interleave(n_in, n_out, window)
    except ValueError as err:
        raise ValueError(f"{firmware.folder}: {where}: {err}") from None
    return impl


def _strategy(config: Config, firmware: Firmware, where: str) -> str:
    """``latency`` or ``resource``: the layer's own, else its ``mult_config``'s (a conv's)."""
    mult = firmware.configs[config.struct].get("mult_config")
    return config.text("strategy") or (Config(firmware, mult, where).text("strategy") if mult else "")


def _input_shape(function: str, config: Config) -> tuple[int, ...]:
    """The network's input shape from its first layer (io_parallel writes no transpose first)."""
    if function == "dense":  # an MLP: a vector of features
        return (config.int("n_in"),)
    if function in ("conv_1d_cl", "pointwise_conv_1d_cl", "pooling1d_cl", "zeropad1d_cl"):  # a sequence
        return (config.int("n_chan") if "n_chan" in config.firmware.configs[config.struct] else config.int("n_filt"),
                config.int("in_width") if "in_width" in config.firmware.configs[config.struct] else config.int("n_in"))
    return (config.int("n_chan"), config.int("in_height"), config.int("in_width"))


def _split(text: str) -> list[str]:
    """Comma-separated arguments, commas inside ``<...>`` kept."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"<": 1, ">": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [part for part in [*parts, current.strip()] if part]


def _integer(text: str, where: str) -> int:
    """``6*6*4`` and the like: integer arithmetic only (never evaluated as code)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ValueError(f"{where}: {text!r} is not an integer expression") from None
    def value(node) -> int:
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add, ast.Sub)):
            left, right = value(node.left), value(node.right)
            return left * right if isinstance(node.op, ast.Mult) else left + right if isinstance(node.op, ast.Add) else left - right
        raise ValueError(f"{where}: {text!r} is not an integer expression")
    return value(tree.body)
