"""ONNX models → a network description (the YAML's dict) and its weights.

Reads the graph with the ``onnx`` package (an optional dependency) and maps, in graph
order: ``Conv`` → conv, ``Relu`` → fused into the conv/dense before it (else a relu
layer), ``LRN`` → lrn (ONNX divides alpha by the size: the ``pytorch`` convention),
``MaxPool`` → maxpool (1-D: maxpool1d), ``AveragePool`` → avgpool, a 1-D ``Conv`` (3-D
weights) → conv1d, ``Add`` of two tensors → add, ``Concat``
along the channels → concatenate (the graph's wiring kept: a layer whose input is not the
layer before it names its ``inputs``), ``BatchNormalization`` → batchnorm
(not folded), ``Sigmoid``/``Tanh``/``Softmax`` → hls4ml's table layers, ``Flatten`` →
flatten (chw), ``Gemm`` or ``MatMul`` + ``Add`` → dense; ``Identity`` and ``Dropout`` are
skipped. Anything else is refused with the
node's name and op, before any compute. Weights keep the names of the layers made.

The nodes are translated by ``onnx_layers`` (PyTorch's LRN decomposition included).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from layers.core.types import DEFAULT_DATA_TYPE

from .onnx_layers import OnnxBuilder

DEFAULT_TYPES = {"weight": DEFAULT_DATA_TYPE, "bias": DEFAULT_DATA_TYPE, "accum": "ap_fixed<40,16>",
                 "result": DEFAULT_DATA_TYPE}


def import_onnx(path: str | Path, input_type: str = DEFAULT_DATA_TYPE, types: dict | None = None,
                hls4ml: bool = False, qonnx: bool = False) -> tuple[dict, dict[str, np.ndarray]]:
    """(network description for ``accel.config.network_from_dict``, flat weights). With
    ``hls4ml``, as hls4ml sees the model: ReLU stays a layer of its own and every layer is
    named as hls4ml names it (``/relu1/Relu`` → ``relu1``, a qonnx-cleaned node by its own
    name); the input's name is ``description["input"]["name"]``. With ``qonnx`` the graph is
    first cleaned as hls4ml's ONNX front end wants it (``qonnx_names.cleaned``)."""
    path = Path(path)
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise ValueError(f"{path}: reading ONNX needs the onnx package (pip install onnx)") from None
    try:
        model = onnx.load(str(path))
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found") from None
    except Exception as err:
        raise ValueError(f"{path}: not a readable ONNX model ({type(err).__name__})") from None
    if qonnx:
        from .qonnx_names import cleaned

        model = cleaned(model, path)
    graph = model.graph
    constants = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    inputs = [i for i in graph.input if i.name not in constants]
    if len(inputs) != 1:
        raise ValueError(f"{path}: expected one input, found {[i.name for i in inputs]}")
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim]
    if not 2 <= len(dims) <= 4 or not all(dims[1:]):
        raise ValueError(f"{path}: input {inputs[0].name!r} must be (N, features), (N, C, L) or (N, C, H, W) "
                         f"with known sizes; got {dims}")
    builder = OnnxBuilder(path, constants, hls4ml)
    builder.tensors[inputs[0].name] = "input"
    for node in graph.node:
        for name in node.input:
            builder.readers[name] = builder.readers.get(name, 0) + 1
    for node in graph.node:
        builder.add(node)
    if builder.pending_lrn is not None:
        raise ValueError(f"{builder.pending_lrn.start}: a tensor squared and never divided: not an LRN")
    description = {"name": path.stem, "input": {"shape": dims[1:], "type": input_type, **(
                       {"name": inputs[0].name} if hls4ml else {})},
                   "defaults": {"types": {**DEFAULT_TYPES, **(types or {})}}, "layers": builder.layers}
    _alphas_per_value(description, builder.weights, str(path))
    if hls4ml:
        description["function_calls"] = builder.function_calls
        description["absorbed"] = builder.absorbed
    return description, builder.weights


def _alphas_per_value(description: dict, weights: dict[str, np.ndarray], source: str) -> None:
    """A ``PRelu``'s slopes (one per channel, or one) repeated to one per value, as the
    prelu layer (and hls4ml's ``nnet::prelu``) reads them."""
    if not any(layer["op"] == "prelu" for layer in description["layers"]):
        return
    from ..config import network_from_dict

    plain = {**description, "input": {k: v for k, v in description["input"].items() if k != "name"}}
    shapes = {layer.name: tuple(shape) for layer, shape, _ in network_from_dict(plain, source).shapes()}
    for layer in description["layers"]:
        if layer["op"] == "prelu":
            key, shape = f"{layer['name']}.weight", shapes[layer["name"]]
            alpha = np.asarray(weights[key], np.float64).reshape(-1)
            if alpha.size not in (1, shape[0], int(np.prod(shape))):
                raise ValueError(f"{source}: layer {layer['name']!r} (PRelu): {alpha.size} slopes for an input of "
                                 f"shape {shape} (one, one per channel or one per value)")
            if alpha.size == shape[0] and len(shape) > 1:
                alpha = alpha.reshape(-1, *[1] * (len(shape) - 1))
            weights[key] = np.broadcast_to(alpha.reshape(shape) if alpha.size == np.prod(shape) else alpha, shape).copy()
