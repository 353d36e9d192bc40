"""Integer bits written back into an hls4ml configuration (``accel sweep --auto-int
--hls4ml-config C --hls4ml-out N``): the same dict hls4ml reads, per-name ``Precision``
entries that its lookup puts first, each type keeping its width and modes."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from layers.core.base import array_types
from quant import FixedType, Overflow

from .hls4ml_precision import INPUT_NAMES


def with_integer_bits(config: dict, network, bits: dict[tuple[str, str], int], input_name: str | None = None) -> dict:
    """``config`` (hls4ml's dict, as read) with every array's integer bits set to ``bits``
    (``(layer or "input", array) -> I``), each keeping the width and modes it has in
    ``network``: per-name ``Precision`` entries, so hls4ml's precedence makes them win. A
    conv's or dense layer's accumulator gets its result's bits (its final sums' range)."""
    types = {("input", "result"): replace(network.input_type, integer=bits[("input", "result")])} \
        if ("input", "result") in bits else {}
    for layer in network.layers:
        for array, t in array_types(layer).items():
            key = (layer.name, "result" if array == "accum" else array)
            if key in bits:
                types[(layer.name, array)] = replace(t, integer=bits[key])
    return with_types(config, network, types, input_name)


def with_types(config: dict, network, types: dict[tuple[str, str], FixedType], input_name: str | None = None) -> dict:
    """``config`` with a per-name ``Precision`` entry for every ``(layer or "input", array)
    -> type`` given (``accel tune``'s chosen types; an array hls4ml calls ``accum`` too)."""
    out = json.loads(json.dumps(config, default=list))  # a plain deep copy, tuples as lists
    by_name = out.setdefault("LayerName", {}) or {}
    out["LayerName"] = by_name

    def put(name: str, variable: str, t: FixedType) -> None:
        entry = by_name.setdefault(name, {}) or {}
        by_name[name] = entry
        precision = entry.get("Precision")
        precision = dict(precision) if isinstance(precision, dict) else {} if precision is None else {"default": precision}
        precision[variable] = spell(t)
        entry["Precision"] = precision

    named = input_name or next((n for n in (*INPUT_NAMES,) if n in by_name), None)
    for (layer, array), t in types.items():
        if layer == "input":
            if named is not None:
                put(named, "result", t)
        else:
            put(layer, array, t)
    return out


def spell(t: FixedType) -> str:
    """A type as hls4ml's configuration writes it: ``fixed<16,6>``, modes when not the default."""
    modes = f",{t.rounding.name},{t.overflow.name}" if t.overflow is not Overflow.WRAP or t.rounding.name != "TRN" else ""
    return f"{'fixed' if t.signed else 'ufixed'}<{t.width},{t.integer}{modes}>"


def check_config_matches(config: dict, network, source: str) -> None:
    """Refuse to write ``network``'s bits into a configuration that is not its own: with
    per-name entries (hls4ml's ``granularity='name'``), every layer of the network that
    holds data (weights, biases, results a sweep retypes) must have one."""
    named = config.get("LayerName") or {}
    if not named:
        return  # a model- or type-level configuration names no layer: --config is all there is to go by
    missing = [layer.name for layer in network.layers if layer.data_arrays() and layer.name not in named]
    if missing:
        raise ValueError(f"{source}: no entry in LayerName for {missing[:5]}{' ...' if len(missing) > 5 else ''} of "
                         f"{network.name} ({network.source}): this configuration belongs to another network "
                         f"(it names {sorted(named)[:6]}{' ...' if len(named) > 6 else ''})")


def save_config(config: dict, path: str | Path) -> None:
    """Write ``config`` as JSON (``.json``) or YAML, the shapes hls4ml reads."""
    import yaml

    path = Path(path)
    text = json.dumps(config, indent=2) if path.suffix == ".json" else yaml.safe_dump(config, sort_keys=False)
    path.write_text(text)

