"""hls4ml's ONNX front end: the model qonnx cleans, and the layer names hls4ml gives it.

hls4ml 1.3.0 reads an ONNX model only after the clean-up its documentation prescribes::

    model = ModelWrapper("model.onnx")
    model = qonnx.util.cleanup.cleanup_model(model)
    model = model.transform(ConvertToChannelsLastAndClean())
    model = model.transform(GemmToMatMul())
    model = qonnx.util.cleanup.cleanup_model(model)
    config = hls4ml.utils.config_from_onnx_model(model, granularity="name", backend="Vivado")

so a configuration names the cleaned graph's nodes: ``global_in``, ``Transpose_0``,
``Conv_0``, ``Relu_0``, ``MatMul_0``, ``Add_0`` (a bias), and the constants
``Conv_0_param0``. hls4ml then renames some layers as it converts them (``Conv2D_Conv_0``,
``Dense_MatMul_0``, ``bn_Add_0``; a written project's ``hls4ml_config.yml`` has those names).
``accel import MODEL.onnx --hls4ml CONFIG`` runs the same clean-up on the model when the
configuration uses those names (``cleaned``), imports the cleaned graph, and reads the
configuration under either name (``config_for``).
"""

from __future__ import annotations

import re
import warnings

# hls4ml's renames: ConvToConvXD, MatmulConstToDense, MergeToApplyAlpha
RENAMED = re.compile(r"^(?:Conv1D|Conv2D|Dense|bn)_(.+)$")
CONSTANT = re.compile(r"^(.+)_param\d+$")  # a cleaned graph's initializers: Conv_0_param0
QONNX_NAME = re.compile(r"^(?:global_in|[A-Z][A-Za-z]*_\d+)$")


def uses_qonnx_names(config: dict) -> bool:
    """Whether a configuration names a qonnx-cleaned graph (``config_from_onnx_model``)."""
    names = list((config.get("LayerName") or {}))
    return "global_in" in names or (bool(names) and all(QONNX_NAME.match(RENAMED.sub(r"\1", n)) or CONSTANT.match(n)
                                                        for n in names))


def cleaned(model, source) -> object:
    """``model`` (an ``onnx.ModelProto``) cleaned as hls4ml's documentation prescribes; a
    model cleaned already comes back the same."""
    try:
        from qonnx.core.modelwrapper import ModelWrapper
        from qonnx.transformation.channels_last import ConvertToChannelsLastAndClean
        from qonnx.transformation.gemm_to_matmul import GemmToMatMul
        from qonnx.util.cleanup import cleanup_model
    except ImportError:
        raise ValueError(f"{source}: the configuration names a qonnx-cleaned graph (Conv_0, MatMul_0, ...); "
                         f"cleaning the model the same way needs qonnx, as hls4ml's ONNX front end does "
                         f"(pip install qonnx)") from None
    wrapper = cleanup_model(ModelWrapper(model))
    wrapper = wrapper.transform(ConvertToChannelsLastAndClean())
    wrapper = cleanup_model(wrapper.transform(GemmToMatMul()))
    return wrapper.model


def config_for(config: dict, layers: list[dict], absorbed: dict[str, str], result_text, source: str) -> dict:
    """``config`` with its ``LayerName`` entries under the imported layers' names: hls4ml's
    renamed names (``Conv2D_Conv_0``) read as the layer's, the entries of nodes that made no
    layer (a bias ``Add``, a channels-last ``Transpose``) and of constants dropped, and said
    where they set something. A bias ``Add`` hls4ml does not fuse (its dense layer's
    ``result`` is set, so ``bn_Add`` stays an ApplyAlpha) is refused."""
    names = {layer["name"] for layer in layers}
    renamed = {}
    for key, entry in (config.get("LayerName") or {}).items():
        match = RENAMED.match(key)
        own = match and key not in names and (match.group(1) in names or match.group(1) in absorbed)
        renamed[match.group(1) if own else key] = entry
    config = {**config, "LayerName": renamed}
    out = {}
    for key, entry in renamed.items():
        constant = CONSTANT.match(key)
        if key in absorbed or (constant and (constant.group(1) in names or constant.group(1) in absorbed)):
            into = absorbed.get(key) or constant.group(1)
            if key in absorbed and into in names and result_text(config, into) != "auto" \
                    and not key.startswith("Transpose"):
                raise ValueError(f"{source}: LayerName {key!r}: with {into!r}'s result type set, hls4ml keeps this "
                                 f"bias as a layer of its own (bn_{key}, an ApplyAlpha after {into}), which is not "
                                 f"modelled; leave {into!r}'s result 'auto' (hls4ml then fuses the bias into it)")
            precision = (entry or {}).get("Precision")
            values = precision.values() if isinstance(precision, dict) else [precision]
            if any(value not in (None, "auto") for value in values):
                warnings.warn(f"{source}: LayerName {key!r}: a node hls4ml folds into {into!r}; its Precision is not "
                              f"read (the layer's own entry sets the types)", stacklevel=3)
            continue
        out[key] = entry
    return {**config, "LayerName": out}
