"""Calibration from the user's own synthesis: estimate vs Vitis report, then a fitted profile.

``compare`` matches each layer to its module in the reports (``accel export-hls`` names a
layer's function ``LAYER_layer``; ``matches`` names others) and puts the estimate beside
the reported figure, with the error. ``fit`` refits the profile's constants that those
figures depend on, per layer kind:

- latency of a rolled kernel: ``rolled.per_body`` and ``rolled.per_outer``;
- LUT and FF: ``rolled.LUT/FF`` of rolled kernels, ``pipelined.LUT/FF`` (the control
  term) of pipelined ones and of MAC nests Vitis leaves rolled (those are costed from
  operation latencies and their datapath, not from the rolled numbers; their FSM's FF
  are its states, so their FF depend on no constant here);
- DSP of a rolled kernel: ``rolled.DSP`` (a pipelined one's DSPs are its lanes: not fitted).

Each figure is affine in its constants (the estimator is evaluated at unit values to
read the coefficients, so nothing here repeats its formulas), and the constants minimize
the squared *relative* errors (a small layer counts as much as a large one), bounded
below (a body takes at least one cycle, nothing is negative). The result is a new profile,
version bumped, that ``accel report --profile`` reads.

A fit is only as good as its points. Each constant says how many reported figures it was
fitted on (``Change.points``); constants with fewer points than the group fitted together
(rolled latency's two from one layer) keep their values; and a fitted constant stays within
``max_factor`` of the profile's (×4 by default): one report moving ``pipelined.LUT.conv``
from 150 to 20,581 to absorb a single point would make the profile wrong on every design it
was not fitted to. A kept or bounded constant says so (``Change.note``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from layers.hw import Device, Preset, Profile
from layers.hw.rolled import ROLLED_BY_OPERATIONS

from .hls_plan import identifier
from .network import Network
from .synth_report import ModuleReport

FIGURES = ("WorstLatency", "BRAM_18K", "DSP", "FF", "LUT", "URAM")
REPORTED = {"WorstLatency": "worst_latency"}
MAX_FACTOR = 4.0  # a fitted constant stays within this factor of the profile's


@dataclass(frozen=True)
class Change:
    """One constant of the fit: its value before and after, and what it rests on."""

    before: float
    after: float
    points: int  # reported figures it was fitted on (with the constants fitted beside it)
    note: str = ""  # "kept: ...", "bounded: ...", "exact: ..."


@dataclass(frozen=True)
class Row:
    layer: str
    op: str
    module: str
    figure: str
    estimate: int
    reported: int
    rolled: bool

    @property
    def error(self) -> float:
        """(estimate - reported) / reported; inf where the report says 0 and we do not."""
        if self.reported == 0:
            return 0.0 if self.estimate == 0 else float("inf")
        return (self.estimate - self.reported) / self.reported


def match(network: Network, modules: dict[str, ModuleReport], matches: dict[str, str] | None = None
          ) -> dict[str, ModuleReport]:
    """Layer name -> its module: ``matches`` first, else ``LAYER_layer``, else ``LAYER``."""
    found = {}
    for layer in network.layers:
        ident = identifier(layer.name)
        wanted = (matches or {}).get(layer.name)
        if wanted is not None:
            if wanted not in modules:
                raise ValueError(f"--match {layer.name}={wanted}: no module {wanted!r} in the reports; "
                                 f"modules are {sorted(modules)}")
            found[layer.name] = modules[wanted]
            continue
        for name in (f"{ident}_layer", ident, layer.name):
            if name in modules:
                found[layer.name] = modules[name]
                break
    unknown = sorted(set(matches or {}) - {l.name for l in network.layers})
    if unknown:
        raise ValueError(f"--match: no layer named {unknown}; layers are {[l.name for l in network.layers]}")
    return found


def compare(network: Network, modules: dict[str, ModuleReport], device: Device, profile: Profile,
            preset: Preset = Preset.CONFIG, matches: dict[str, str] | None = None) -> list[Row]:
    """One row per matched layer and figure the report gives."""
    matched = match(network, modules, matches)
    rows = []
    for (layer, shape, _), (_, in_type, _) in zip(network.shapes(), network.io_types()):
        module = matched.get(layer.name)
        if module is None:
            continue
        est = layer.estimate(shape, in_type, device, profile, preset)
        # costed from the profile's rolled numbers (a Vitis-rolled MAC nest is costed from
        # operation latencies and the pipelined control numbers instead)
        rolled = "rolled" in est.dominant and ROLLED_BY_OPERATIONS not in est.dominant
        for figure in FIGURES:
            reported = getattr(module, REPORTED[figure]) if figure in REPORTED else module.resources.get(figure)
            if reported is not None:
                rows.append(Row(layer.name, layer.op, module.name, figure, int(getattr(est, figure)), int(reported),
                                rolled))
    return rows


def summary(rows: list[Row]) -> dict[str, dict[str, float]]:
    """Per figure: points, median |error|, sMAPE (as resource-prediction papers report)."""
    result = {}
    for figure in FIGURES:
        points = [r for r in rows if r.figure == figure]
        if not points:
            continue
        errors = [abs(r.error) for r in points if r.reported]
        smape = [2 * abs(r.estimate - r.reported) / (abs(r.estimate) + abs(r.reported))
                 for r in points if r.estimate or r.reported]
        result[figure] = {"points": len(points), "median_abs_error": float(np.median(errors)) if errors else 0.0,
                          "smape": float(np.mean(smape)) if smape else 0.0}
    return result


# --------------------------------------------------------------------------- fitting
def fit(network: Network, modules: dict[str, ModuleReport], device: Device, profile: Profile,
        preset: Preset = Preset.CONFIG, matches: dict[str, str] | None = None,
        max_factor: float | None = MAX_FACTOR) -> tuple[Profile, dict[str, Change]]:
    """The profile with its constants refitted to the reports, and each constant's ``Change``
    (``{"rolled.per_body.conv": Change(2, 3, points=4), ...}``). ``max_factor=None``: unbounded."""
    rows = compare(network, modules, device, profile, preset, matches)
    layers = {l.name: (l, shape, in_type) for (l, shape, _), (_, in_type, _) in zip(network.shapes(), network.io_types())}
    changes: dict[str, Change] = {}
    fitted = profile
    for kind in sorted({r.op for r in rows}):
        for figure, keys_of in _MODELS:
            for rolled in (True, False):
                points = [r for r in rows if r.op == kind and r.figure == figure and r.rolled == rolled and r.reported]
                keys = keys_of(kind, rolled)
                if not points or not keys:
                    continue
                olds = [_get(profile.data, key) for key in keys]  # as the profile writes them (whole units)
                if len(points) < len(keys):  # under-determined: any value pair fits; keep the profile's
                    for key, old in zip(keys, olds):
                        changes[".".join(key)] = Change(old, old, len(points), f"kept: {len(points)} {figure} "
                                                        f"point(s) for {len(keys)} constants fitted together")
                    continue
                values, asked = _least_squares(points, keys, layers, device, fitted, preset, max_factor)
                for key, old, value, wanted in zip(keys, olds, values, asked):
                    note = ("exact: as many points as constants, nothing to check the fit against"
                            if len(points) == len(keys) else "")
                    if wanted != value:
                        note = f"bounded to x{max_factor:g} of {old:g}: the fit asked {wanted:g}"
                    changes[".".join(key)] = Change(old, value, len(points), note)
                fitted = _with(fitted, dict(zip(keys, values)))
    return fitted, changes


def _latency_keys(kind, rolled):
    return [("rolled", "per_body", kind), ("rolled", "per_outer", kind)] if rolled else []


def _logic_keys(resource):
    return lambda kind, rolled: [("rolled" if rolled else "pipelined", resource, kind)]


_MODELS = (("WorstLatency", _latency_keys), ("LUT", _logic_keys("LUT")), ("FF", _logic_keys("FF")),
           ("DSP", lambda kind, rolled: [("rolled", "DSP", kind)] if rolled else []))
_LOWER = {"per_body": 1.0}  # a rolled body takes at least a cycle; everything else at least 0


def _least_squares(points: list[Row], keys: list[tuple], layers: dict, device, profile, preset,
                   max_factor: float | None) -> tuple[list[float], list[float]]:
    """Constants minimizing the squared relative errors of ``points`` within their bounds,
    and what they would be with only the physical bounds (a cycle, zero)."""
    def figure(row: Row, values: dict) -> float:
        layer, shape, in_type = layers[row.layer]
        return float(getattr(layer.estimate(shape, in_type, device, _with(profile, values), preset), row.figure))

    zero = {key: 0 for key in keys}
    offsets = np.array([figure(r, zero) for r in points])
    columns = np.array([[figure(r, {**zero, key: 1}) for r in points] for key in keys]).T - offsets[:, None]
    target = np.array([r.reported for r in points], dtype=float)
    olds = np.array([float(_get(profile.data, key)) for key in keys])
    lower = np.array([_LOWER.get(key[1], 0.0) for key in keys])
    free = [k for k in range(len(keys)) if columns[:, k].any()]  # a constant no figure here depends on keeps its value
    asked = _bounded(columns, target - offsets, 1.0 / target, lower, np.full(len(keys), np.inf), olds, free)
    if max_factor:
        # a constant at 0 has no scale of its own: its siblings' (the same constant of the other kinds) bound it
        scale = np.array([old or max((float(v) for v in _get(profile.data, key[:-1]).values()), default=np.inf)
                          for old, key in zip(olds, keys)])
        lower = np.maximum(lower, olds / max_factor)
        upper = np.maximum(scale * max_factor, lower)
        values = _bounded(columns, target - offsets, 1.0 / target, lower, upper, olds, free)
    else:
        values = asked
    return [int(round(float(v))) for v in values], [int(round(float(v))) for v in asked]  # whole cycles and units


def _bounded(columns, target, weights, lower, upper, start, free: list[int]) -> np.ndarray:
    """Weighted least squares for the ``free`` columns within [lower, upper] (an active set:
    a constant whose optimum passes a bound is fixed there and the rest solved again)."""
    values, free = start.copy(), list(free)
    while free:
        fixed = np.where(np.isin(range(len(values)), free), 0.0, values)
        solution = np.linalg.lstsq(columns[:, free] * weights[:, None], (target - columns @ fixed) * weights,
                                   rcond=None)[0]
        outside = {k: (lower[k] if v < lower[k] else upper[k]) for k, v in zip(free, solution)
                   if not lower[k] <= v <= upper[k]}
        if not outside:
            values[free] = solution
            break
        for k, bound in outside.items():
            values[k] = bound
        free = [k for k in free if k not in outside]
    return values


def _with(profile: Profile, values: dict[tuple, float]) -> Profile:
    sections: dict = {}
    for key, value in values.items():
        node = sections
        for part in key[:-1]:
            node = node.setdefault(part, {})
        node[key[-1]] = value
    return profile.updated(**sections) if sections else profile


def _get(data: dict, key: tuple):
    for part in key:
        data = data[part]
    return data


def write_profile(profile: Profile, changes: dict, reports: list[str], path: Path) -> Path:
    """The fitted profile as a YAML file ``accel report --profile`` reads (version bumped)."""
    data = copy.deepcopy(profile.data)
    data["name"] = str(data["name"]).removesuffix("-calibrated") + "-calibrated"
    data["version"] = int(data["version"]) + 1
    data["fitted_to"] = (f"accel calibrate on {', '.join(reports)}: "
                         + "; ".join(f"{key} {c.before:g} -> {c.after:g} ({c.points} points)"
                                     for key, c in changes.items()))
    path.write_text("# Written by accel calibrate.\n" + yaml.safe_dump(data, sort_keys=False))
    return path
