"""Reading a layer's entry of a network YAML, naming the place of every problem.

A network file is validated before anything runs, and every error names the file, the
layer and the field. ``Fields`` reads one mapping and remembers which keys were read, so
that ``finish()`` can refuse the ones nobody asked for (a typo is never silently
ignored). The helpers below read the fields several layer kinds share.

    >>> f = Fields({"kernel": 3, "stride": 2}, "net.yaml: layer 'pool1' (maxpool)")
    >>> f.get("kernel", int), f.get("padding", int, 0)
    (3, 0)
    >>> f.finish()
    Traceback (most recent call last):
    ...
    layers.config.config_error.ConfigError: net.yaml: layer 'pool1' (maxpool): unknown field(s) ['stride']; known: ['kernel', 'padding']
"""

from __future__ import annotations

import math
from typing import Any

from quant import FixedType

from ..core.loop_nest import ARRAY_ALIASES
from ..core.loop_nest import Directives
from ..core.storage import StorageSpec
from .config_error import ConfigError

ARRAYS = ("input", "weight", "bias", "output")  # what partition and storage directives name

REQUIRED = object()


class Fields:
    """Reads one mapping of a config, naming the place of every problem it finds."""

    def __init__(self, mapping: Any, where: str):
        if not isinstance(mapping, dict):
            raise ConfigError(f"{where}: expected a mapping, got {type(mapping).__name__} {mapping!r}")
        self.mapping, self.where, self.seen = mapping, where, set()

    def get(self, key: str, kind: type | tuple = object, default: Any = REQUIRED) -> Any:
        self.seen.add(key)
        if key not in self.mapping:
            if default is REQUIRED:
                raise ConfigError(f"{self.where}: missing field {key!r}")
            return default
        value = self.mapping[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise ConfigError(f"{self.where}: field {key!r} must be {names}, got {_short(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{self.where}: field {key!r} must be a finite number, got {value!r}")
        return value

    def count(self, key: str, default: Any = REQUIRED, minimum: int = 1) -> int:
        """An integer of at least ``minimum`` (sizes, strides, channels: 1; padding: 0)."""
        value = self.get(key, int, default)
        if value < minimum:
            raise ConfigError(f"{self.where}: field {key!r} must be at least {minimum}, got {value}")
        return value

    def fixed_type(self, key: str, default: Any = REQUIRED) -> FixedType | None:
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


def read_pair(fields: Fields, key: str) -> tuple[int, int]:
    """A positive int ``k`` (meaning ``k×k``) or ``[height, width]``."""
    value = fields.get(key, (int, list))
    if isinstance(value, int) and value > 0:
        return (value, value)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and v > 0 for v in value):
        return (value[0], value[1])
    raise ConfigError(f"{fields.where}: field {key!r} must be a positive int or [height, width], got {value!r}")


def read_tiles(fields: Fields) -> tuple[tuple[str, int], ...]:
    """``tiles: {m: 16, n: 3}``: loop name → tile size (checked against the nest later)."""
    mapping = fields.get("tiles", dict, {})
    for key, value in mapping.items():
        if isinstance(value, bool) or not isinstance(value, int):  # (YAML's true is a Python int)
            raise ConfigError(f"{fields.where}: tiles: {key!r} must be an integer, got {value!r}")
    return tuple(mapping.items())


def read_directives(fields: Fields) -> Directives:
    """``directives: {pipeline: j, ii: 1, unroll: {i: 0}, partition: [[w, cyclic, 4]], ...}``;
    a partition (or reshape) entry may name its dimension: ``[w, cyclic, 4, 2]`` (1-based,
    0 = every one)."""
    d = Fields(fields.get("directives", dict, {}), f"{fields.where}: directives")
    unroll = d.get("unroll", dict, {})
    partition = _split_entries(d, "partition")
    reshape = _split_entries(d, "reshape")
    storage = d.get("storage", dict, {})
    for array, value in storage.items():
        _check_array(array, d.where, "storage")
        try:
            StorageSpec.parse(str(array), value)
        except ValueError as err:
            raise ConfigError(f"{d.where}: {err}") from None
    bind, bind_latency = _bind(d)
    rom = d.get("rom", list, [])
    for array in rom:
        _check_array(array, d.where, "rom")
    for array in d.mapping.get("ports", {}) if isinstance(d.mapping.get("ports"), dict) else {}:
        _check_array(array, d.where, "ports")
    result = Directives(
        pipeline=d.get("pipeline", (str, type(None)), None), ii=d.get("ii", int, 1),
        unroll=tuple((str(k), int(v)) for k, v in unroll.items()),
        partition=partition, reshape=reshape,
        dataflow=d.get("dataflow", bool, False), latency=d.get("latency", (int, type(None)), None),
        bind=bind, bind_latency=bind_latency,
        storage=tuple((str(k), *([v] if isinstance(v, str) else v)) for k, v in storage.items()),
        rom=tuple(str(a) for a in rom),
        auto_pipeline=d.get("auto_pipeline", bool, True),
        ports=tuple((str(k), v) for k, v in d.get("ports", dict, {}).items()),
        flatten=d.get("flatten", bool, True),
        local_sum=d.get("local_sum", bool, False),
    )
    d.finish()
    return result


def _bind(d: Fields) -> tuple[str, int | None]:
    """``bind: fabric`` or ``bind: {impl: dsp, latency: 4}`` (UG1399's BIND_OP on the products)."""
    value = d.get("bind", (str, dict), "dsp")
    if isinstance(value, str):
        return value, None
    op = Fields(value, f"{d.where}: bind")
    impl, latency = op.get("impl", str, "dsp"), op.get("latency", (int, type(None)), None)
    op.finish()
    return impl, latency


def _split_entries(d: Fields, directive: str) -> tuple[tuple, ...]:
    """``partition`` / ``reshape``: ``[array, cyclic|block|complete, factor[, dim]]`` entries."""
    entries = d.get(directive, list, [])
    for item in entries:
        if not (isinstance(item, list) and len(item) in (3, 4) and item[1] in ("cyclic", "block", "complete")
                and all(isinstance(v, int) and not isinstance(v, bool) for v in item[2:])):
            raise ConfigError(f"{d.where}: {directive} entries are [array, cyclic|block|complete, factor] or "
                              f"[array, kind, factor, dim], got {_short(item)}")
        _check_array(item[0], d.where, directive)
        if item[1] != "complete" and item[2] < 2:
            raise ConfigError(f"{d.where}: {directive} {item[0]!r} {item[1]} factor={item[2]}: a factor below 2 "
                              f"leaves one bank (use 'complete' with factor 0 for the whole dimension)")
        if len(item) == 4 and item[3] < 0:
            raise ConfigError(f"{d.where}: {directive} {item[0]!r} dim={item[3]}: dimensions count from 1 (0: all)")
    seen: dict[str, list] = {}  # array -> the dims of its entries so far (None: unnamed, 0: all)
    for item in entries:
        array, dim = ARRAY_ALIASES.get(item[0], item[0]), item[3] if len(item) == 4 else None
        earlier = seen.setdefault(array, [])
        if earlier and (directive == "reshape" or dim in (None, 0) or None in earlier or 0 in earlier or dim in earlier):
            what = "one reshape per array" if directive == "reshape" else \
                "several partitions of one array each name a distinct dimension ([array, kind, factor, dim], dim >= 1)"
            raise ConfigError(f"{d.where}: {directive} of {array!r} given twice for the same dimension(s): {what}")
        earlier.append(dim)
    return tuple((str(item[0]), str(item[1]), *map(int, item[2:])) for item in entries)


def _check_array(name: Any, where: str, directive: str) -> None:
    if ARRAY_ALIASES.get(name, name) not in ARRAYS:
        raise ConfigError(f"{where}: {directive} of unknown array {name!r}; arrays are {list(ARRAYS)} "
                          f"(or {sorted(ARRAY_ALIASES)})")


def _short(value: Any, limit: int = 80) -> str:
    """``repr`` cut to ``limit`` characters: an error message never prints a whole document."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
