"""``Profile``: the estimator's calibration numbers, read from a versioned YAML file.

Everything the loop-nest model cannot derive (cycles of a rolled loop body, control logic
of a kernel, what a DRAM port delivers) comes from a profile; the shipped one,
``vitis_profile.yaml``, lists the reference data it was fitted to next to each number.

    >>> p = Profile.load()
    >>> p.name, p.version, p.rolled_per_body("conv")
    ('vitis-hls-ultrascale+-10ns', 1, 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

SHIPPED = "vitis_profile.yaml"
REQUIRED = ("name", "version", "latency", "rolled", "pipelined", "dram")


@dataclass(frozen=True)
class Profile:
    name: str
    version: int
    data: dict[str, Any] = field(repr=False, compare=False, hash=False)
    source: str = SHIPPED

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Profile":
        """The shipped profile, or one from ``path``."""
        if path is None:
            text, source = resources.files("layers.hw").joinpath(SHIPPED).read_text(), SHIPPED
        else:
            try:
                text, source = Path(path).read_text(), str(path)
            except OSError as err:
                raise ValueError(f"profile {path}: cannot read it ({err.strerror})") from None
        data = yaml.safe_load(text)
        missing = [key for key in REQUIRED if not isinstance(data, dict) or key not in data]
        if missing:
            raise ValueError(f"profile {source}: missing field(s) {', '.join(missing)}")
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
        return int(self._get("latency", operation))

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

    def value(self, *keys: str):
        return self._get(*keys)

    def dram(self, name: str) -> int:
        return int(self._get("dram", name))

    def fit_points(self) -> list[dict]:
        return list(self.data.get("fit", []))


def _merged(base: dict, changes: dict) -> dict:
    out = dict(base)
    for key, value in changes.items():
        out[key] = _merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return out
