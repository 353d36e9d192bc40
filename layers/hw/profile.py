"""``Profile``: the estimator's calibration numbers, read from a versioned YAML file.

Everything the loop-nest model cannot derive (cycles of a rolled loop body, control logic
of a kernel, what a DRAM port delivers) comes from a profile; the shipped one,
``vitis_profile.yaml``, lists the reference data it was fitted to next to each number.

    >>> p = Profile.load()
    >>> p.name, p.version, p.rolled_per_body("conv")
    ('vitis-hls-ultrascale+-10ns', 1, 2)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..config import safe_yaml
from .tool import ALIASES, TOOLS, ToolBehaviour, behaviour

SHIPPED = "vitis_profile.yaml"
REQUIRED = ("name", "version", "latency", "rolled", "pipelined", "dram")
OPTIONAL = ("tool", "datapath")  # profiles written before them: the default tool, the shipped datapath numbers
__all__ = ["Profile", "SHIPPED", "TOOLS", "ALIASES"]


@dataclass(frozen=True)
class Profile:
    name: str
    version: int
    data: dict[str, Any] = field(repr=False, compare=False, hash=False)
    source: str = SHIPPED

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Profile":
        """The shipped profile, or one from ``path``."""
        shipped = _shipped_data()
        if path is None:
            return cls(str(shipped["name"]), int(shipped["version"]), shipped, SHIPPED)
        data, source = safe_yaml.load_file(path, "profile"), str(path)
        missing = [key for key in REQUIRED if not isinstance(data, dict) or key not in data]
        if missing:
            raise ValueError(f"profile {source}: missing field(s) {', '.join(missing)}")
        _check_like(shipped, data, f"profile {source}", ())
        try:
            behaviour(str(data.get("tool", {}).get("name", "vitis")))
        except ValueError as error:
            raise ValueError(f"profile {source}: tool.name: {error}") from None
        return cls(str(data["name"]), int(data["version"]), data, source)

    def updated(self, **sections: dict) -> "Profile":
        """A copy with some entries replaced, e.g. ``updated(dram={"bytes_per_cycle": 64})``;
        nested mappings merge, so ``updated(rolled={"per_body": {"conv": 4}})`` keeps the other kinds."""
        return Profile(self.name, self.version, _merged(self.data, sections),
                       f"{self.source} (updated: {', '.join(sections)})")

    def _get(self, *keys: str):
        node = self.data
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                raise ValueError(f"profile {self.source}: no field {'.'.join(keys)}")
            node = node[key]
        return node

    def latency(self, operation: str) -> int:
        """Cycles of a basic operation: the profile's, unless the tool release binds it
        otherwise (``layers.hw.tool``: Vitis 2020.x chains the multiply-add in one cycle)."""
        override = self.behaviour.latency.get(operation)
        return int(self._get("latency", operation)) if override is None else override

    def rolled_per_body(self, kind: str) -> int:
        return int(self._get("rolled", "per_body", kind))

    def rolled_per_outer(self, kind: str) -> int:
        return int(self._get("rolled", "per_outer", kind))

    def rolled_logic(self, resource: str, kind: str) -> int:
        return int(self._get("rolled", resource, kind))

    def pipelined_logic(self, resource: str, kind: str) -> int:
        return int(self._get("pipelined", resource, kind))

    def pipelined_factor(self, name: str) -> float:
        return float(self._get("pipelined", name))

    def datapath(self, name: str):
        """A number of the ``datapath`` section (``layers.hw.datapath``); the shipped one's
        where a profile written before the section has none."""
        section = self.data.get("datapath") or _shipped_data()["datapath"]
        return section.get(name, _shipped_data()["datapath"][name])

    def value(self, *keys: str):
        return self._get(*keys)

    def dram(self, name: str) -> int:
        return int(self._get("dram", name))

    @property
    def tool(self) -> str:
        """The HLS tool release whose behaviour the estimate describes (``layers.hw.tool``:
        ``vitis``, ``vitis-2020.2``, ``vitis-2020.1``, ``vivado-hls``)."""
        return self.behaviour.name

    @property
    def behaviour(self) -> ToolBehaviour:
        return behaviour(str(self.data.get("tool", {}).get("name", "vitis")))

    @property
    def pipeline_loops(self) -> int:
        """``config_compile -pipeline_loops``: the trip count up to which Vitis pipelines a loop on its own."""
        return int(self.data.get("tool", {}).get("pipeline_loops", 64))

    def with_tool(self, tool: str) -> "Profile":
        """This profile describing another tool release's behaviour (``layers.hw.tool.TOOLS``)."""
        return self.updated(tool={"name": behaviour(tool).name})

    def fit_points(self) -> list[dict]:
        return list(self.data.get("fit", []))


def _merged(base: dict, changes: dict) -> dict:
    out = dict(base)
    for key, value in changes.items():
        out[key] = _merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return out


@lru_cache(maxsize=1)
def _shipped_data() -> dict:
    return safe_yaml.load(resources.files("layers.hw").joinpath(SHIPPED).read_text(), SHIPPED)


def _check_like(reference, data, where: str, keys: tuple[str, ...]) -> None:
    """``data`` has the shape of the shipped profile: the same mappings (a calibrated
    profile may drop notes but not numbers), numbers where it has numbers, nothing unknown."""
    place = f"{where}: {'.'.join(keys)}" if keys else where
    if isinstance(reference, dict):
        if not isinstance(data, dict):
            raise ValueError(f"{place}: expected a mapping, got {data!r}")
        unknown = sorted(str(k) for k in set(data) - set(reference))
        if unknown:
            raise ValueError(f"{place}: unknown field(s) {unknown}; known: {sorted(map(str, reference))}")
        for key, value in reference.items():
            if key in data:
                _check_like(value, data[key], where, (*keys, str(key)))
            elif not keys and key in OPTIONAL:
                continue
            elif isinstance(value, (int, float, dict)) and not isinstance(value, bool):
                raise ValueError(f"{place}: missing field {key!r}")
    elif isinstance(reference, (int, float)) and not isinstance(reference, bool):
        if isinstance(data, bool) or not isinstance(data, (int, float)) or not math.isfinite(data) or data < 0:
            raise ValueError(f"{place}: must be a finite, non-negative number, got {data!r}")
