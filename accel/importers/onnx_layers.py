"""ONNX nodes → the network's layers and weights, one node at a time, in graph order.

Each op has a method ``_<op in lower case>``; a node whose op has none is refused.

PyTorch's ``LocalResponseNorm``, which ``torch.onnx.export`` decomposes, is put back together
by ``onnx_lrn``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .onnx_lrn import DecomposedLrn

SKIPPED = {"Identity", "Dropout"}
# the torch function an ONNX op comes from, as torch.fx names its call (F.relu -> relu)
FX_FUNCTIONS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softmax": "softmax", "LeakyRelu": "leaky_relu",
                "Elu": "elu", "Add": "add", "Concat": "cat", "Flatten": "flatten", "MaxPool": "max_pool2d",
                "AveragePool": "avg_pool2d"}
PASSED_THROUGH = SKIPPED | {"Relu", "Add"}  # nodes whose output is their input's tensor when they make no layer


class OnnxBuilder:
    """The network's layers and weights, one ONNX node at a time (``add``)."""

    def __init__(self, path: Path, constants: dict[str, np.ndarray], hls4ml: bool = False):
        self.path, self.constants, self.hls4ml = path, constants, hls4ml
        self.layers: list[dict] = []
        self.weights: dict[str, np.ndarray] = {}
        self.pending_matmul: tuple[str, np.ndarray] | None = None
        self.pending_lrn: DecomposedLrn | None = None  # inside PyTorch's LRN decomposition
        self.counts: dict[str, int] = {}
        self.tensors: dict[str, str] = {}  # an ONNX tensor -> the network's tensor (a layer's name, or "input")
        self.readers: dict[str, int] = {}  # how many nodes read each ONNX tensor
        self.function_calls: list[tuple[int, str, str, bool]] = []  # (layer index, name, torch function, top level)
        self.absorbed: dict[str, str] = {}  # a node that made no layer of its own -> the layer it went into
        self.channels_last = False  # after qonnx's input Transpose: feature maps are (H, W, C) in the graph

    def add(self, node) -> None:
        """Map ``node`` to layers, and wire them: a layer whose ONNX inputs are not simply
        the layer before it names them (``inputs:``)."""
        before = len(self.layers)
        last = self.layers[-1]["name"] if self.layers else "input"
        sources = [self.tensors[name] for name in node.input if name in self.tensors]
        inside_lrn = self.pending_lrn is not None
        self._add_node(node, sources, last)
        made = self.layers[before:]
        if made and sources and sources != [last]:
            made[0]["inputs"] = sources
        if made:
            self.tensors[node.output[0]] = made[-1]["name"]
        elif sources and not inside_lrn and node.op_type in PASSED_THROUGH:
            self.tensors[node.output[0]] = sources[0]  # Identity, Dropout; a ReLU or bias fused into its layer

    def _fusable(self, node, last: dict | None) -> bool:
        """Whether ``node`` (a ReLU, a bias Add) may be folded into ``last``: it reads ``last``'s
        output, which nothing else reads."""
        source = node.input[0]
        return (last is not None and self.tensors.get(source) == last["name"] and self.readers.get(source, 0) == 1)

    def _add_node(self, node, sources: list[str], last_name: str) -> None:
        op, attrs = node.op_type, {a.name: _attr(a) for a in node.attribute}
        where = f"{self.path}: node {node.name or node.output[0]!r} ({op})"
        handler = getattr(self, f"_{op.lower()}", None)
        if self.pending_lrn is not None:
            return self._lrn_part(node, attrs, where)
        if op == "Mul" and len(node.input) == 2 and node.input[0] == node.input[1]:
            self.pending_lrn = DecomposedLrn(node.input[0], where)  # x * x: a decomposed LRN begins
            return None
        if op in SKIPPED:
            if node.input and node.input[0] in self.constants:  # a parameter passed through (no constant folding)
                self.constants[node.output[0]] = self.constants[node.input[0]]
            return None
        if handler is None:
            raise ValueError(f"{where}: unsupported op; supported: Conv, Relu, LeakyRelu, Elu, PRelu, LRN, MaxPool, AveragePool, "
                             f"BatchNormalization, Sigmoid, Tanh, Softmax, Flatten, Gemm, MatMul+Add, Add of two "
                             f"tensors, Concat (axis 1), Constant, Identity, Dropout")
        try:
            handler(node, attrs, where)
        except (KeyError, IndexError, TypeError, AttributeError) as err:  # an attribute or input the node lacks
            raise ValueError(f"{where}: lacks or mistypes an attribute or input the import reads "
                             f"({type(err).__name__}: {err}); does onnx.checker accept the model?") from None

    def _name(self, node, weight_input: str | None, kind: str) -> str:
        """hls4ml's PyTorch front end names a layer as ``torch.fx`` names its node: a module by
        its qualified name (``features.0`` -> ``features_0``), a function call by the
        function, numbered over the whole model (``relu``, ``relu_1``, ...). torch.onnx.export
        names the node ``/features/features.0/Gemm`` or ``/Relu_1`` (numbered per scope), so
        a function call's name is settled in ``hls4ml_config.apply``, against the
        configuration's names (``function_calls``)."""
        scopes = node.name.strip("/").split("/")[:-1] if node.name.startswith("/") else []
        function = FX_FUNCTIONS.get(node.op_type)
        kernel = next((list(a.ints) for a in node.attribute if a.name == "kernel_shape"), [])
        if function and len(kernel) == 1:
            function = function.replace("2d", "1d")
        if self.hls4ml and scopes:  # torch.onnx.export names a node /MODULE/PATH/Op
            path = ""
            for scope in scopes:  # a Sequential's child scope repeats its parent's path: features/features.0
                path = scope if path and scope.startswith(path + ".") else f"{path}.{scope}" if path else scope
            name = path.replace(".", "_")
            if function:
                self.function_calls.append((len(self.layers), name, function, False))
            return name
        if self.hls4ml and node.name and "/" not in node.name:  # a qonnx-cleaned graph's own names: Conv_0
            return node.name
        if self.hls4ml and function and node.name.startswith("/"):
            count = sum(1 for _, _, f, top in self.function_calls if f == function and top)
            name = function if count == 0 else f"{function}_{count}"
            self.function_calls.append((len(self.layers), name, function, True))
            return name
        if weight_input and weight_input.endswith(".weight"):
            return weight_input[: -len(".weight")].replace(".", "_")
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return f"{kind}{self.counts[kind]}"

    def _const(self, name: str, where: str) -> np.ndarray:
        if name not in self.constants:
            raise ValueError(f"{where}: input {name!r} must be a constant initializer")
        return self.constants[name]

    def _constant(self, node, attrs, where) -> None:
        """A Constant node (exporters emit some parameters this way): remember its value."""
        from onnx import numpy_helper

        if "value" not in attrs:
            raise ValueError(f"{where}: only tensor-valued Constant nodes are supported")
        self.constants[node.output[0]] = numpy_helper.to_array(attrs["value"])

    def _conv(self, node, attrs, where) -> None:
        weight = self._const(node.input[1], where)
        if node.domain.endswith("channels_last"):  # qonnx's channels-last Conv keeps its weights (O, kh, kw, I)
            weight = np.moveaxis(weight, -1, 1)
        if any(d != 1 for d in attrs.get("dilations", [1, 1])):
            raise ValueError(f"{where}: dilation {attrs['dilations']} is not supported")
        pads = attrs.get("pads", [0, 0, 0, 0])
        strides = attrs.get("strides", [1, 1])
        if len(set(pads)) > 1 or len(set(strides)) > 1:
            raise ValueError(f"{where}: only symmetric pads and equal strides are supported, got pads {pads}, strides {strides}")
        name = self._name(node, node.input[1], "conv")
        if weight.ndim == 3:  # Conv1d: [out, in/groups, K] over a [channels, length] sequence
            self.layers.append({"name": name, "op": "conv1d", "out_channels": int(weight.shape[0]),
                                "kernel": int(weight.shape[2]), "stride": int(strides[0]), "padding": int(pads[0]),
                                "groups": int(attrs.get("group", 1)), "bias": len(node.input) > 2})
        else:
            self.layers.append({"name": name, "op": "conv", "out_channels": int(weight.shape[0]),
                                "kernel": [int(weight.shape[2]), int(weight.shape[3])], "stride": int(strides[0]),
                                "padding": int(pads[0]), "groups": int(attrs.get("group", 1)),
                                "bias": len(node.input) > 2})
        self.weights[f"{name}.weight"] = weight
        if len(node.input) > 2:
            self.weights[f"{name}.bias"] = self._const(node.input[2], where)

    def _relu(self, node, attrs, where) -> None:
        last = self.layers[-1] if self.layers else None
        if (last is not None and last["op"] in ("conv", "conv1d", "dense") and not last.get("relu") and not self.hls4ml
                and self._fusable(node, last)):
            last["relu"] = True
        else:
            self.layers.append({"name": self._name(node, None, "relu"), "op": "relu"})

    def _lrn(self, node, attrs, where) -> None:
        self.layers.append({"name": self._name(node, None, "lrn"), "op": "lrn", "size": int(attrs["size"]),
                            "alpha": float(attrs.get("alpha", 1e-4)), "beta": float(attrs.get("beta", 0.75)),
                            "k": float(attrs.get("bias", 1.0)), "alpha_convention": "pytorch"})

    def _lrn_part(self, node, attrs, where) -> None:
        """One node of PyTorch's LRN decomposition; its ``Div`` makes the layer."""
        if node.op_type == "Constant":
            return self._constant(node, attrs, where)
        fields = self.pending_lrn.read(node, attrs, self.constants, where)
        if fields is not None:
            self.layers.append({"name": self._name(node, None, "lrn"), "op": "lrn", **fields})
            self.pending_lrn = None

    def _maxpool(self, node, attrs, where) -> None:
        kernel, strides = attrs["kernel_shape"], attrs.get("strides", [1, 1])
        pads = attrs.get("pads", [0, 0, 0, 0])
        if len(set(kernel)) > 1 or len(set(strides)) > 1 or len(set(pads)) > 1 or attrs.get("ceil_mode", 0):
            raise ValueError(f"{where}: only square windows, equal strides, symmetric pads and floor mode are supported")
        self.layers.append({"name": self._name(node, None, "pool"), "op": "maxpool1d" if len(kernel) == 1 else "maxpool",
                            "kernel": int(kernel[0]), "stride": int(strides[0]), "padding": int(pads[0])})

    def _averagepool(self, node, attrs, where) -> None:
        kernel, strides = attrs["kernel_shape"], attrs.get("strides", [1, 1])
        pads = attrs.get("pads", [0, 0, 0, 0])
        if len(set(kernel)) > 1 or len(set(strides)) > 1 or len(set(pads)) > 1 or attrs.get("ceil_mode", 0):
            raise ValueError(f"{where}: only square windows, equal strides, symmetric pads and floor mode are supported")
        self.layers.append({"name": self._name(node, None, "avgpool"), "op": "avgpool", "kernel": int(kernel[0]),
                            "stride": int(strides[0]), "padding": int(pads[0]),
                            "count_pad": bool(attrs.get("count_include_pad", 0))})

    def _batchnormalization(self, node, attrs, where) -> None:
        name = self._name(node, node.input[1], "bn")
        for pytorch_name, value in zip(("weight", "bias", "running_mean", "running_var"), node.input[1:5]):
            self.weights[f"{name}.{pytorch_name}"] = self._const(value, where)
        self.layers.append({"name": name, "op": "batchnorm", "eps": float(attrs.get("epsilon", 1e-5))})

    def _activation(self, node, op: str, attrs, where) -> None:
        self.layers.append({"name": self._name(node, None, op), "op": op})

    def _sigmoid(self, node, attrs, where) -> None:
        self._activation(node, "sigmoid", attrs, where)

    def _tanh(self, node, attrs, where) -> None:
        self._activation(node, "tanh", attrs, where)

    def _leakyrelu(self, node, attrs, where) -> None:
        self.layers.append({"name": self._name(node, None, "leaky_relu"), "op": "leaky_relu",
                            "alpha": float(attrs.get("alpha", 0.01))})

    def _elu(self, node, attrs, where) -> None:
        self.layers.append({"name": self._name(node, None, "elu"), "op": "elu", "alpha": float(attrs.get("alpha", 1.0))})

    def _prelu(self, node, attrs, where) -> None:
        """Alphas per channel (or per value); the hls4ml import repeats them to one per value."""
        name = self._name(node, node.input[1], "prelu")
        self.weights[f"{name}.weight"] = np.asarray(self._const(node.input[1], where), np.float64).squeeze()
        self.layers.append({"name": name, "op": "prelu"})

    def _softmax(self, node, attrs, where) -> None:
        if attrs.get("axis", -1) not in (-1, 1):
            raise ValueError(f"{where}: only a softmax over the features (axis -1 or 1) is supported")
        self._activation(node, "softmax", attrs, where)

    def _flatten(self, node, attrs, where) -> None:
        if attrs.get("axis", 1) != 1:
            raise ValueError(f"{where}: only Flatten(axis=1) is supported")
        self.layers.append({"name": self._name(node, None, "flatten"), "op": "flatten",
                            "order": "hwc" if self.channels_last else "chw"})

    def _transpose(self, node, attrs, where) -> None:
        """qonnx's channels-last conversion: a Transpose of the input to (N, H, W, C) — the
        values accel keeps as (C, H, W) — and one back before the output."""
        perm = list(attrs.get("perm", []))
        source = self.tensors.get(node.input[0])
        if source == "input" and perm in ([0, 2, 3, 1], [0, 2, 1]):
            self.channels_last = True
        elif not (self.channels_last and perm in ([0, 3, 1, 2], [0, 2, 1])):
            raise ValueError(f"{where}: a Transpose {perm} that is not qonnx's channels-last conversion of the input "
                             f"or output")
        self.tensors[node.output[0]] = source
        self.absorbed[node.name] = source

    def _gemm(self, node, attrs, where) -> None:
        weight = self._const(node.input[1], where)
        if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
            raise ValueError(f"{where}: only Gemm with transA=0, alpha=beta=1 is supported")
        weight = weight if attrs.get("transB", 0) else weight.T  # to PyTorch's [out, in]
        self._dense(node, weight, self._const(node.input[2], where) if len(node.input) > 2 else None)

    def _matmul(self, node, attrs, where) -> None:
        self.pending_matmul = (node.output[0], self._const(node.input[1], where).T)
        self._dense(node, self.pending_matmul[1], None)

    def _add(self, node, attrs, where) -> None:
        if len(node.input) == 2 and all(name in self.tensors for name in node.input):  # two tensors: a skip
            self.layers.append({"name": self._name(node, None, "add"), "op": "add"})
            return
        last = self.layers[-1] if self.layers else None
        if self.pending_matmul is None or node.input[0] != self.pending_matmul[0] or last is None:
            raise ValueError(f"{where}: Add is supported only as the bias of a MatMul")
        self.weights[f"{last['name']}.bias"] = self._const(node.input[1], where)
        last["bias"] = True
        self.pending_matmul = None
        self.absorbed[node.name] = last["name"]

    def _concat(self, node, attrs, where) -> None:
        if len(node.input) != 2 or not all(name in self.tensors for name in node.input) or attrs.get("axis") != 1:
            raise ValueError(f"{where}: only the concatenation of two tensors along the channels (axis 1) is supported")
        self.layers.append({"name": self._name(node, None, "concatenate"), "op": "concatenate"})

    def _dense(self, node, weight: np.ndarray, bias) -> None:
        name = self._name(node, node.input[1], "fc")
        self.layers.append({"name": name, "op": "dense", "out_features": int(weight.shape[0]), "bias": bias is not None})
        self.weights[f"{name}.weight"] = weight
        if bias is not None:
            self.weights[f"{name}.bias"] = bias


def _attr(attribute):
    from onnx import helper

    return helper.get_attribute_value(attribute)
