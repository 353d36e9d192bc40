"""The chosen types, written where users take them: the network YAML (each tuned layer's
``types``) and, for a model imported from hls4ml, its configuration file (per-name
``Precision`` entries that hls4ml's lookup puts first)."""

from __future__ import annotations

from pathlib import Path

import yaml

from layers.config import safe_yaml
from layers.core.base import array_types
from quant import FixedType

from ..config import network_from_dict
from ..importers.hls4ml_writeback import save_config, with_types
from ..network import Network
from .point import TunePoint


def chosen_types(network: Network, point: TunePoint) -> dict[str, dict[str, FixedType]]:
    """Layer -> array -> the type the point gives it (only the tuned layers)."""
    tuned = point.apply(network)
    knobs = {name for name, _ in point.widths}
    return {layer.name: array_types(layer) for layer in tuned.layers
            if layer.name in knobs or any(f"{layer.name}.{array}" in knobs for array in ("weight", *layer.data_arrays()))}


def tuned_yaml(network: Network, point: TunePoint) -> dict:
    """The network file with each tuned layer's ``types`` set to the point's, checked by
    reading it back: the same types, layer by layer."""
    data = safe_yaml.load_file(network.source, "network file")
    types = chosen_types(network, point)
    entries = {entry.get("name"): entry for entry in data.get("layers", []) if isinstance(entry, dict)}
    for name, arrays in types.items():
        entry = entries[name]
        entry["types"] = {**(entry.get("types") or {}), **{array: str(t) for array, t in arrays.items()}}
    back = network_from_dict(data, network.source)
    for layer in back.layers:
        if layer.name in types and array_types(layer) != types[layer.name]:
            raise AssertionError(f"{network.source}: layer {layer.name}: the written types read back as "
                                 f"{array_types(layer)}, not {types[layer.name]}")
    return data


def write_yaml(data: dict, path: Path, note: str) -> None:
    path.write_text(f"# {note}\n" + yaml.safe_dump(data, sort_keys=False))


def write_hls4ml(config: dict, network: Network, point: TunePoint, path: Path) -> None:
    types = {(layer, array): t for layer, arrays in chosen_types(network, point).items() for array, t in arrays.items()}
    save_config(with_types(config, network, types), path)
