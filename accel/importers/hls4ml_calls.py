"""One hls4ml layer call of a written project (``nnet::FUNC<...>(...); // name``, its config
struct and weight files) → one of accel's layers and its weights, in PyTorch's layouts."""

from __future__ import annotations

import numpy as np

from layers.hw.hls4ml_cost import read_impl

from .hls4ml_firmware import Config, Firmware

ORDER = ["m", "r", "c", "i", "j", "n"]  # hls4ml sums a window in (kh, kw, cin) order
# hls4ml's activations with a parameter: <in_t, param_t, out_t, config>(in, param, out)
PARAMETRIZED = ("leaky_relu", "thresholded_relu", "elu", "prelu")
# hls4ml's merges we model: the call takes two inputs, then the output
MERGES = {"add": "add", "concatenate1d": "concatenate", "concatenate3d": "concatenate"}


def layer_of_call(function: str, name: str, config: Config, arguments: list[str], result: str, firmware: Firmware,
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


def input_shape(function: str, config: Config) -> tuple[int, ...]:
    """The network's input shape from its first layer (io_parallel writes no transpose first)."""
    if function == "dense":  # an MLP: a vector of features
        return (config.int("n_in"),)
    if function in ("conv_1d_cl", "pointwise_conv_1d_cl", "pooling1d_cl", "zeropad1d_cl"):  # a sequence
        return (config.int("n_chan") if "n_chan" in config.firmware.configs[config.struct] else config.int("n_filt"),
                config.int("in_width") if "in_width" in config.firmware.configs[config.struct] else config.int("n_in"))
    return (config.int("n_chan"), config.int("in_height"), config.int("in_width"))
