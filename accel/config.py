"""Network YAML → ``Network``, validated before any compute.

The file::

    name: alexnet32
    input: {shape: [3, 32, 32], type: "ap_fixed<16,4,AP_RND,AP_SAT>",
            preprocess: {mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616]}}
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
      - {name: fc2, op: dense, out_features: 256}
      - {name: skip, op: add, inputs: [fc1, fc2]}  # a layer takes the one before it, or its inputs:
    tolerances:                      # for accel testbench: per layer, or default
      default: {abs: 0.05, share: 0.99, sqnr_db: 30}

Ops: every kind registered in ``layers.config.registry`` (``conv``, ``dense``, ``lrn``,
``maxpool``, ``relu``, ``flatten``); each layer module documents its fields beside its
builder. A layer's ``types`` override the defaults. Every error names the file, the layer
and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from layers import Layer, kinds
from layers.config import safe_yaml
from layers.config.fields import ConfigError, Fields
from layers.hw import find_device
from layers.config.registry import BuildContext, type_keys
from quant import FixedType

from .network import Network
from .preprocess import Preprocess

__all__ = ["ConfigError", "load_network", "network_from_dict"]


def load_network(path: str | Path) -> Network:
    """The network of a YAML file (bounded in size and expansion, duplicate keys refused)."""
    return network_from_dict(safe_yaml.load_file(path, "network file"), source=str(path))


def network_from_dict(data: Any, source: str = "<config>", complete: bool = True) -> Network:
    """The network of a file's data; ``complete`` False accepts a network still being
    built (an importer's, layer by layer), whose layers need not all be used yet."""
    top = Fields(data, source)
    name = top.get("name", str, Path(source).stem)
    inp = Fields(top.get("input", dict), f"{source}: input")
    shape = inp.get("shape", list)
    if not 1 <= len(shape) <= 3 or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in shape):
        raise ConfigError(f"{source}: input: field 'shape' must be [features], [channels, length] or "
                          f"[channels, height, width] (positive integers), got {shape}")
    in_type = inp.fixed_type("type")
    preprocess = _preprocess(inp.get("preprocess", dict, None), f"{source}: input: preprocess", shape[0])
    inp.finish()
    defaults = Fields(top.get("defaults", dict, {}), f"{source}: defaults")
    default_types = _type_texts(defaults.get("types", dict, {}), f"{source}: defaults: types")
    defaults.finish()
    count_overflows = top.get("count_overflows", bool, True)
    tolerances = _tolerances(top.get("tolerances", dict, {}), f"{source}: tolerances")
    top.get("hardware", dict, {})  # shared directives, referenced from the layers by YAML anchors
    interface, port_bits, port_burst, port_latency = _interface(top.get("interface", (str, dict), "m_axi"), source)
    target_part, target_clock = _target(top.get("target", dict, {}), source)
    entries = top.get("layers", list)
    top.finish()
    if not entries:
        raise ConfigError(f"{source}: field 'layers' is empty; a network needs at least one layer")
    layers: list[Layer] = []
    wiring: list[tuple[str, ...]] = []
    shapes, types = {Network.INPUT: tuple(shape)}, {Network.INPUT: in_type}
    for index, entry in enumerate(entries):
        previous = layers[-1].name if layers else Network.INPUT
        inputs = _inputs(entry, index, source, previous, types)
        current_type = types[inputs[0]] if len(inputs) == 1 else tuple(types[name] for name in inputs)
        layer = _build_layer(entry, index, source, default_types, current_type, count_overflows)
        where = f"{source}: layer {layer.name!r} ({layer.op})"
        if layer.name in types:
            raise ConfigError(f"{source}: layer {layer.name!r}: the name is used twice"
                              + (" (it is the network input's)" if layer.name == Network.INPUT else ""))
        if len(inputs) != layer.arity:
            raise ConfigError(f"{where}: field 'inputs': a {layer.op} takes {layer.arity} tensor(s), "
                              f"got {len(inputs)} {list(inputs)}")
        current_shape = shapes[inputs[0]] if len(inputs) == 1 else tuple(shapes[name] for name in inputs)
        try:
            layer.loop_nest(current_shape)  # validates tiles, order and directives
            shapes[layer.name] = tuple(layer.output_shape(current_shape))
        except ValueError as err:
            raise ConfigError(_placed(source, where, err)) from None
        types[layer.name] = layer.output_type(current_type)
        layers.append(layer)
        wiring.append(inputs)
    if complete:
        _check_all_used(layers, wiring, source)
    seen = {layer.name for layer in layers}
    unknown = sorted(set(tolerances) - {"default"} - seen)
    if unknown:
        raise ConfigError(f"{source}: tolerances: no layer named {unknown}; layers are {[l.name for l in layers]}")
    chain = all(inputs == ((layers[i - 1].name,) if i else (Network.INPUT,)) for i, inputs in enumerate(wiring))
    return Network(name, tuple(shape), in_type, tuple(layers), source, tolerances, interface, port_bits, port_burst,
                   target_part, target_clock, preprocess, () if chain else tuple(wiring), port_latency=port_latency)


def _inputs(entry, index: int, source: str, previous: str, defined: dict) -> tuple[str, ...]:
    """``inputs: [a, b]`` of a layer entry (default: the layer before it, or the network's
    input): names of earlier layers or ``input`` — so the file order runs the graph, and a
    cycle cannot be written."""
    if not isinstance(entry, dict) or "inputs" not in entry:
        return (previous,)
    name = entry.get("name", f"layers[{index}]")
    where = f"{source}: layer {name!r}: field 'inputs'"
    value = entry["inputs"]
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ConfigError(f"{where} must be a layer name or a list of them, got {value!r}")
    for wanted in names:
        if wanted not in defined:
            raise ConfigError(f"{where}: no layer {wanted!r} before this one (a layer takes the network's "
                              f"'{Network.INPUT}' or layers above it in the file; known: {sorted(defined)})")
    if len(set(names)) != len(names):
        raise ConfigError(f"{where}: {names} names a tensor twice")
    return tuple(names)


def _check_all_used(layers: list[Layer], wiring: list[tuple[str, ...]], source: str) -> None:
    """Every layer but the last feeds another: an unused one is a mistake in ``inputs``."""
    used = {name for inputs in wiring for name in inputs}
    unused = [layer.name for layer in layers[:-1] if layer.name not in used]
    if unused:
        raise ConfigError(f"{source}: layer {unused[0]!r}: its output is used by no layer (the network's output "
                          f"is its last layer, {layers[-1].name!r}); name it in a later layer's 'inputs'")


def _preprocess(value: dict | None, where: str, channels: int) -> Preprocess | None:
    """``preprocess: {mean: [...], std: [...]}``: image pixels become ``(pixel/255 - mean) / std``."""
    if value is None:
        return None
    f = Fields(value, where)
    mean, std = f.get("mean", list), f.get("std", list)
    f.finish()
    preprocess = Preprocess(tuple(mean), tuple(std))
    try:
        preprocess.check(channels, where)
    except ValueError as err:
        raise ConfigError(str(err)) from None
    return preprocess


TOLERANCE_KEYS = {"abs": float, "share": float, "sqnr_db": float}


def _interface(value, source: str) -> tuple[str, int | None, int | None, int | None]:
    """``interface: m_axi`` (or ``axis``), or ``{kind: m_axi, width: 512, max_burst: 64, latency: 100}``:
    the top function's ports (accel export-hls) and, for ``m_axi``, the data width in bits,
    the burst length in beats that tile transfers use and the cycles to a burst's first beat
    (UG1399: the INTERFACE pragma's ``latency``, ``config_interface -m_axi_latency``) — the
    estimator's DRAM port."""
    if isinstance(value, str):
        if value not in ("m_axi", "axis"):
            raise ConfigError(f"{source}: field 'interface' must be 'm_axi' or 'axis', got {value!r}")
        value = {"kind": value}
    f = Fields(value, f"{source}: interface")
    kind = f.get("kind", str, "m_axi")
    if kind not in ("m_axi", "axis"):
        raise ConfigError(f"{source}: interface: 'kind' must be 'm_axi' or 'axis', got {kind!r}")
    width, burst, latency = f.get("width", int, None), f.get("max_burst", int, None), f.get("latency", int, None)
    f.finish()
    if width is not None and (width < 8 or width > 1024 or width & (width - 1)):
        raise ConfigError(f"{source}: interface: 'width' must be a power of two from 8 to 1024 bits, got {width}")
    if burst is not None and not 1 <= burst <= 256:
        raise ConfigError(f"{source}: interface: 'max_burst' must be 1 to 256 beats, got {burst}")
    if latency is not None and not 1 <= latency <= 4096:
        raise ConfigError(f"{source}: interface: 'latency' must be 1 to 4096 cycles, got {latency}")
    if kind == "axis" and (width or burst or latency):
        raise ConfigError(f"{source}: interface: 'width', 'max_burst' and 'latency' describe an m_axi port, not axis")
    return kind, width, burst, latency


def _target(value: dict, source: str) -> tuple[str | None, float | None]:
    """``target: {part: xcvu13p-flga2577-2-e, clock_ns: 5}``: what the design is meant for
    (an hls4ml import carries hls4ml's); the estimator's and exporter's defaults."""
    f = Fields(value, f"{source}: target")
    part, clock = f.get("part", str, None), f.get("clock_ns", float, None)
    f.finish()
    if part is not None:
        try:
            find_device(part)
        except ValueError as err:
            raise ConfigError(f"{source}: target: part: {err}") from None
    if clock is not None and clock <= 0:
        raise ConfigError(f"{source}: target: clock_ns must be positive, got {clock}")
    return part, clock


def _tolerances(mapping: dict, where: str) -> dict[str, dict[str, float]]:
    """``tolerances: {default: {abs: 0.05, share: 0.99}, conv1: {sqnr_db: 40}}``."""
    result = {}
    for layer, entry in mapping.items():
        fields = Fields(entry, f"{where}: {layer}")
        result[layer] = {key: fields.get(key, kind, None) for key, kind in TOLERANCE_KEYS.items()}
        result[layer] = {k: v for k, v in result[layer].items() if v is not None}
        fields.finish()
    return result


def _type_texts(mapping: dict, where: str, known: set[str] | None = None) -> dict[str, str]:
    known = type_keys() if known is None else known
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
    fields.get("inputs", (str, list), None)  # read by _inputs
    fields.where = f"{source}: layer {name!r} ({op})"
    kind = kinds().get(op)
    if kind is None:
        raise ConfigError(f"{fields.where}: unknown op {op!r}; ops: {sorted(kinds())}")
    own = _type_texts(fields.get("types", dict, {}), f"{fields.where}: types", set(kind.type_keys))
    types = {**default_types, **own} if kind.inherits_defaults else own
    try:
        layer = kind.build(fields, BuildContext(name, fields.where, types, in_type, count))
    except ConfigError:
        raise
    except ValueError as err:  # the layer's own checks (they name the layer already)
        raise ConfigError(_placed(source, fields.where, err)) from None
    fields.finish()
    return layer


def _placed(source: str, where: str, err: ValueError) -> str:
    return f"{source}: {err}" if str(err).startswith("layer ") else f"{where}: {err}"
