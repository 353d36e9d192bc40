"""hls4ml's configuration as data: reading it (YAML read safely, or JSON), the layer kinds
it types, and its precision lookup (``HLSConfig.get_precision``): the layer's own entry
for a variable, then its ``default``, then the layer type's entry and its ``default``,
then the model's."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from layers.config import safe_yaml
from quant import FixedType

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
    _check_sections(data, path)
    return data


def _check_sections(data: dict, path: Path) -> None:
    """The shape the readers index: ``Model`` a mapping, ``LayerName``/``LayerType`` mappings of
    mappings, ``ReuseFactor`` a positive integer and ``Strategy`` a word wherever they appear —
    refused here, naming the key, rather than failing later inside a reader."""
    entries = [("Model", data["Model"])]
    for section in ("LayerName", "LayerType"):
        table = data.get(section) or {}
        if not isinstance(table, dict):
            raise ValueError(f"{path}: {section} must map names to settings, got {type(table).__name__}")
        entries += [(f"{section}: {name}", entry) for name, entry in table.items()]
    for where, entry in entries:
        if not isinstance(entry, dict):
            raise ValueError(f"{path}: {where} must be a mapping of settings (Precision, ReuseFactor, ...), "
                             f"got {entry!r:.60}")
        rf = entry.get("ReuseFactor", 1)
        if isinstance(rf, bool) or not isinstance(rf, int) or rf < 1:
            raise ValueError(f"{path}: {where}: ReuseFactor must be a positive integer, got {rf!r:.60}")
        if not isinstance(entry.get("Strategy", "Latency"), str):
            raise ValueError(f"{path}: {where}: Strategy must be Latency or Resource, got {entry['Strategy']!r:.60}")


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
            return {key: variables((entry or {}).get("Precision"), f"{source}: {where}: {key}: Precision")
                    for key, entry in (section or {}).items()}
        model = variables(config["Model"].get("Precision", "fixed<16,6>"), f"{source}: Model: Precision")
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


def variables(value, where: str) -> dict:
    """A ``Precision`` entry as a dict of variable -> type text (a string: the ``default``)."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"default": value.strip()}
    if isinstance(value, dict):
        return {str(k): str(v).strip() for k, v in value.items()}
    raise ValueError(f"{where}: a precision is a type or a mapping of variable to type, got {value!r}")


def snake_case(key: str) -> str:
    """hls4ml's ``convert_to_snake_case`` of a layer entry's keys: ``TableSize`` -> ``table_size``."""
    key = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", str(key))
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower()
