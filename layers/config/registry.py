"""The layer kinds a network file may name, each registered beside its class.

A layer module registers the function that builds it from its YAML entry::

    @register("maxpool", type_keys=("result",), inherits_defaults=False)
    def build_maxpool(f: Fields, ctx: BuildContext) -> MaxPool:
        return MaxPool(ctx.name, f.get("kernel", int, 3), ..., ctx.type("result"))

so adding a layer kind touches one module (and its tests): the config reader asks this
registry, never a list of its own.

    >>> import layers
    >>> sorted(kinds())
    ['add', 'avgpool', 'batchnorm', 'concatenate', 'conv', 'conv1d', 'dense', 'elu', 'flatten', 'hard_sigmoid', 'hard_tanh', 'leaky_relu', 'linear', 'lrn', 'maxpool', 'maxpool1d', 'prelu', 'relu', 'sigmoid', 'softmax', 'tanh', 'thresholded_relu']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from quant import FixedType

from ..core.base import Layer
from .fields import ConfigError, Fields


@dataclass(frozen=True)
class BuildContext:
    """What a layer's builder knows beyond its own fields."""

    name: str
    where: str  # "net.yaml: layer 'conv1' (conv)", for error messages
    types: dict[str, str]  # type texts: the layer's own over the network's defaults (if it inherits them)
    in_type: FixedType  # the type of the layer's input
    count_overflows: bool = True

    def type(self, key: str, default: FixedType | None = None) -> FixedType | None:
        """The type named ``key`` (``weight``, ``result``, ...) or ``default`` when none is set."""
        if key not in self.types:
            return default
        try:
            return FixedType.parse(self.types[key])
        except ValueError as err:
            raise ConfigError(f"{self.where}: types: {key!r}: {err}") from None

    def required_type(self, key: str) -> FixedType:
        value = self.type(key)
        if value is None:
            raise ConfigError(f"{self.where}: no {key!r} type (set it in the layer's types or in defaults: types)")
        return value


Builder = Callable[[Fields, BuildContext], Layer]


@dataclass(frozen=True)
class LayerKind:
    op: str
    build: Builder
    type_keys: tuple[str, ...]  # the keys its ``types:`` may hold
    inherits_defaults: bool  # whether ``defaults: types`` apply (pooling and ReLU keep their input type)


_KINDS: dict[str, LayerKind] = {}


def register(op: str, type_keys: tuple[str, ...] = (), inherits_defaults: bool = True) -> Callable[[Builder], Builder]:
    """Decorator: ``build`` makes layers of kind ``op`` from their YAML entries."""
    def decorate(build: Builder) -> Builder:
        if op in _KINDS:
            raise ValueError(f"layer kind {op!r} is registered twice")
        _KINDS[op] = LayerKind(op, build, tuple(type_keys), inherits_defaults)
        return build
    return decorate


def kinds() -> dict[str, LayerKind]:
    """Every registered kind by its ``op`` name."""
    return dict(_KINDS)


def type_keys() -> set[str]:
    """Every type key some kind understands (what ``defaults: types`` may hold)."""
    return {key for kind in _KINDS.values() for key in kind.type_keys}
