"""Network YAML → ``Network``, validated before any compute.

The file::

    name: alexnet32
    input: {shape: [3, 32, 32], type: "ap_fixed<16,4,AP_RND,AP_SAT>"}
    defaults:
      types: {weight: "ap_fixed<16,4,AP_RND>", bias: ..., accum: "ap_fixed<40,16>",
              result: "ap_fixed<16,4,AP_RND,AP_SAT>", product: accum, partial: accum}
    layers:
      - {name: conv1, op: conv, out_channels: 32, kernel: 5, padding: 2, relu: true,
         tiles: {m: 16, n: 3}, order: [m, n, r, c, i, j],
         directives: {pipeline: j, ii: 1, unroll: {i: 0}, partition: [[w, cyclic, 4]]}}
      - {name: lrn1, op: lrn, size: 5, alpha: 1.0e-4, beta: 0.75, k: 2, mode: linear}
      - {name: pool1, op: maxpool, kernel: 3, stride: 2}
      - {name: flat, op: flatten, order: chw}
      - {name: fc1, op: dense, out_features: 256, relu: true, types: {accum: "ap_fixed<32,12>"}}
    tolerances:                      # for accel testbench: per layer, or default
      default: {abs: 0.05, share: 0.99, sqnr_db: 30}

Ops: ``conv``, ``dense``, ``lrn``, ``maxpool``, ``relu``, ``flatten``. A layer's
``types`` override the defaults. Every error names the file, the layer and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml

from layers import LRN, Conv, Dense, Directives, Flatten, Layer, LayerTypes, MaxPool, ReLU
from quant import FixedType

from .network import Network, output_type

_REQUIRED = object()
MAC_TYPE_KEYS = ("weight", "bias", "accum", "result", "product", "partial")


class ConfigError(ValueError):
    """A network file that cannot describe a network; the message says where and why."""


class Fields:
    """Reads one mapping of a config, naming the place of every problem it finds."""

    def __init__(self, mapping: Any, where: str):
        if not isinstance(mapping, dict):
            raise ConfigError(f"{where}: expected a mapping, got {type(mapping).__name__} {mapping!r}")
        self.mapping, self.where, self.seen = mapping, where, set()

    def get(self, key: str, kind: type | tuple = object, default: Any = _REQUIRED) -> Any:
        self.seen.add(key)
        if key not in self.mapping:
            if default is _REQUIRED:
                raise ConfigError(f"{self.where}: missing field {key!r}")
            return default
        value = self.mapping[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise ConfigError(f"{self.where}: field {key!r} must be {names}, got {value!r}")
        return value

    def fixed_type(self, key: str, default: Any = _REQUIRED) -> FixedType | None:
        text = self.get(key, (str, type(None)), default)
        if text is None:
            return None
        try:
            return FixedType.parse(text)
        except ValueError as err:
            raise ConfigError(f"{self.where}: field {key!r}: {err}") from None

    def finish(self) -> None:
        unknown = sorted(set(self.mapping) - self.seen)
        if unknown:
            raise ConfigError(f"{self.where}: unknown field(s) {unknown}; known: {sorted(self.seen)}")


def load_network(path: str | Path) -> Network:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the network file ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    return network_from_dict(data, source=str(path))


def network_from_dict(data: Any, source: str = "<config>") -> Network:
    top = Fields(data, source)
    name = top.get("name", str, Path(source).stem)
    inp = Fields(top.get("input", dict), f"{source}: input")
    shape = inp.get("shape", list)
    if len(shape) != 3 or not all(isinstance(v, int) and v > 0 for v in shape):
        raise ConfigError(f"{source}: input: field 'shape' must be [channels, height, width], got {shape}")
    in_type = inp.fixed_type("type")
    inp.finish()
    defaults = Fields(top.get("defaults", dict, {}), f"{source}: defaults")
    default_types = _type_texts(defaults.get("types", dict, {}), f"{source}: defaults: types")
    defaults.finish()
    count_overflows = top.get("count_overflows", bool, True)
    tolerances = _tolerances(top.get("tolerances", dict, {}), f"{source}: tolerances")
    top.get("hardware", dict, {})  # shared directives, referenced from the layers by YAML anchors
    entries = top.get("layers", list)
    top.finish()
    layers: list[Layer] = []
    seen: set[str] = set()
    current_type, current_shape = in_type, tuple(shape)
    for index, entry in enumerate(entries):
        layer = _build_layer(entry, index, source, default_types, current_type, count_overflows)
        if layer.name in seen:
            raise ConfigError(f"{source}: layer {layer.name!r}: the name is used twice")
        seen.add(layer.name)
        try:
            layer.loop_nest(current_shape)  # validates tiles, order and directives
            current_shape = layer.output_shape(current_shape)
        except ValueError as err:
            place = "" if str(err).startswith("layer ") else f"layer {layer.name!r} ({layer.op}): "
            raise ConfigError(f"{source}: {place}{err}") from None
        current_type = output_type(layer, current_type)
        layers.append(layer)
    unknown = sorted(set(tolerances) - {"default"} - seen)
    if unknown:
        raise ConfigError(f"{source}: tolerances: no layer named {unknown}; layers are {[l.name for l in layers]}")
    return Network(name, tuple(shape), in_type, tuple(layers), source, tolerances)


TOLERANCE_KEYS = {"abs": float, "share": float, "sqnr_db": float}


def _tolerances(mapping: dict, where: str) -> dict[str, dict[str, float]]:
    """``tolerances: {default: {abs: 0.05, share: 0.99}, conv1: {sqnr_db: 40}}``."""
    result = {}
    for layer, entry in mapping.items():
        fields = Fields(entry, f"{where}: {layer}")
        result[layer] = {key: fields.get(key, kind, None) for key, kind in TOLERANCE_KEYS.items()}
        result[layer] = {k: v for k, v in result[layer].items() if v is not None}
        fields.finish()
    return result


def _type_texts(mapping: dict, where: str) -> dict[str, str]:
    known = set(MAC_TYPE_KEYS) | {"sum", "alpha", "scale", "coef", "norm"}
    for key, value in mapping.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown type {key!r}; known: {sorted(known)}")
        if not isinstance(value, str):
            raise ConfigError(f"{where}: type {key!r} must be text like 'ap_fixed<16,4>', got {value!r}")
    return dict(mapping)


def _build_layer(entry, index: int, source: str, default_types: dict, in_type: FixedType, count: bool) -> Layer:
    where = f"{source}: layers[{index}]"
    fields = Fields(entry, where)
    name = fields.get("name", str)
    op = fields.get("op", str)
    fields.where = f"{source}: layer {name!r} ({op})"
    if op not in BUILDERS:
        raise ConfigError(f"{fields.where}: unknown op {op!r}; ops: {sorted(BUILDERS)}")
    own = _type_texts(fields.get("types", dict, {}), f"{fields.where}: types")
    # pooling and ReLU keep their input type unless the layer itself names a result type
    types = own if op in ("maxpool", "relu") else {**default_types, **own}
    layer = BUILDERS[op](fields, name, types, in_type, count)
    fields.finish()
    return layer


def _parse(types: dict, key: str, where: str, default=None) -> FixedType | None:
    if key not in types:
        return default
    try:
        return FixedType.parse(types[key])
    except ValueError as err:
        raise ConfigError(f"{where}: types: {key!r}: {err}") from None


def _mac_types(types: dict, where: str, in_type: FixedType) -> LayerTypes:
    resolved = {}
    for key in ("weight", "bias", "accum", "result"):
        value = _parse(types, key, where)
        if value is None:
            raise ConfigError(f"{where}: no {key!r} type (set it in the layer's types or in defaults: types)")
        resolved[key] = value
    extra = {}
    for key in ("product", "partial"):
        text = types.get(key, "accum")
        allowed = ("accum", "full") if key == "product" else ("accum",)
        extra[key] = text if text in allowed else _parse(types, key, where)
    return LayerTypes(input=in_type, **resolved, **extra)


def _pair(value, where: str, key: str) -> tuple[int, int]:
    if isinstance(value, int) and value > 0:
        return (value, value)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and v > 0 for v in value):
        return (value[0], value[1])
    raise ConfigError(f"{where}: field {key!r} must be a positive int or [height, width], got {value!r}")


def _directives(fields: Fields) -> Directives:
    d = Fields(fields.get("directives", dict, {}), f"{fields.where}: directives")
    unroll = d.get("unroll", dict, {})
    partition = d.get("partition", list, [])
    for item in partition:
        if not (isinstance(item, list) and len(item) == 3 and item[1] in ("cyclic", "block", "complete")):
            raise ConfigError(f"{d.where}: partition entries are [array, cyclic|block|complete, factor], got {item!r}")
    result = Directives(
        pipeline=d.get("pipeline", (str, type(None)), None), ii=d.get("ii", int, 1),
        unroll=tuple((str(k), int(v)) for k, v in unroll.items()),
        partition=tuple((str(a), str(kind), int(f)) for a, kind, f in partition),
        dataflow=d.get("dataflow", bool, False), latency=d.get("latency", (int, type(None)), None),
        bind=d.get("bind", str, "dsp"),
        storage=tuple((str(k), str(v)) for k, v in d.get("storage", dict, {}).items()),
    )
    d.finish()
    return result


def _tiles(fields: Fields) -> tuple[tuple[str, int], ...]:
    tiles = fields.get("tiles", dict, {})
    for key, value in tiles.items():
        if not isinstance(value, int):
            raise ConfigError(f"{fields.where}: tiles: {key!r} must be an integer, got {value!r}")
    return tuple(tiles.items())


def _conv(f: Fields, name: str, types: dict, in_type: FixedType, count: bool) -> Layer:
    return Conv(
        name, f.get("out_channels", int), _pair(f.get("kernel", (int, list)), f.where, "kernel"),
        _mac_types(types, f.where, in_type), stride=f.get("stride", int, 1), padding=f.get("padding", int, 0),
        groups=f.get("groups", int, 1), bias=f.get("bias", bool, True), relu=f.get("relu", bool, False),
        tiles=_tiles(f), order=tuple(f.get("order", list, ["m", "n", "r", "c", "i", "j"])),
        directives=_directives(f), count_overflows=count,
    )


def _dense(f: Fields, name: str, types: dict, in_type: FixedType, count: bool) -> Layer:
    return Dense(
        name, f.get("out_features", int), _mac_types(types, f.where, in_type), bias=f.get("bias", bool, True),
        relu=f.get("relu", bool, False), tiles=_tiles(f), order=tuple(f.get("order", list, ["m", "n"])),
        directives=_directives(f), count_overflows=count,
    )


def _lrn(f: Fields, name: str, types: dict, in_type: FixedType, count: bool) -> Layer:
    internal = {key: _parse(types, key, f.where) for key in ("scale", "coef", "norm")}
    try:
        return LRN(
            name, _parse(types, "result", f.where, in_type), size=f.get("size", int, 5),
            alpha=f.get("alpha", float, 1e-4), beta=f.get("beta", float, 0.75), k=f.get("k", float, 2.0),
            alpha_convention=f.get("alpha_convention", str, "pytorch"), mode=f.get("mode", str, "exact"),
            segments=f.get("segments", int, 8), expansion_point=f.get("expansion_point", (float, type(None)), None),
            u_max=f.get("u_max", (float, type(None)), None), sum_type=_parse(types, "sum", f.where),
            alpha_type=_parse(types, "alpha", f.where),
            **{f"{key}_type": value for key, value in internal.items() if value is not None},
        )
    except ValueError as err:
        raise ConfigError(f"{f.where}: {err}") from None


def _maxpool(f: Fields, name: str, types: dict, in_type: FixedType, count: bool) -> Layer:
    return MaxPool(name, f.get("kernel", int, 3), f.get("stride", int, 2), f.get("padding", int, 0),
                   _parse(types, "result", f.where))


def _relu(f: Fields, name: str, types: dict, in_type: FixedType, count: bool) -> Layer:
    return ReLU(name, _parse(types, "result", f.where))


def _flatten(f: Fields, name: str, types: dict, in_type: FixedType, count: bool) -> Layer:
    order = f.get("order", str, "chw")
    if order not in ("chw", "hwc"):
        raise ConfigError(f"{f.where}: field 'order' must be 'chw' (PyTorch) or 'hwc' (Keras), got {order!r}")
    return Flatten(name, order)  # type: ignore[arg-type]


BUILDERS: dict[str, Callable[..., Layer]] = {
    "conv": _conv, "dense": _dense, "lrn": _lrn, "maxpool": _maxpool, "relu": _relu, "flatten": _flatten,
}
