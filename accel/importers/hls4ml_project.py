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

from pathlib import Path

import numpy as np

from .hls4ml_calls import MERGES, PARAMETRIZED, input_shape, layer_of_call
from .hls4ml_firmware import project_target, read_firmware


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
            shape = input_shape(function, config)
        if function in ("zeropad2d_cl", "zeropad1d_cl"):
            sides = ("pad_left", "pad_right") if function == "zeropad1d_cl" else \
                ("pad_top", "pad_bottom", "pad_left", "pad_right")
            pads = {config.int(k) for k in sides}
            if len(pads) != 1:
                raise ValueError(f"{firmware.folder}: {where}: only symmetric zero padding is supported, got {pads}")
            padding = pads.pop()
            buffers[output] = sources[0]  # the padding goes into the convolution that reads it
            continue
        layer, params = layer_of_call(function, name, config, arguments[takes - 1:], result, firmware, where, param)
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


