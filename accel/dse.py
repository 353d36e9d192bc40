"""Design-space exploration: the tile sizes that minimize latency within a budget.

Every candidate is costed by the estimator under the ``opt`` preset (Zhang et al.'s
architecture: a ``Tm×Tn`` channel tile unrolled, pixels pipelined, ping-pong buffers).
Candidates are every tile size that gives a distinct trip count (``distinct_tiles``:
10, 96, 5 or 15 as much as powers of two). Two modes, as in Zhang et al.:

- ``per-layer``: each conv/dense layer gets its own best tiles, the whole budget to
  itself (one layer at a time, or the seed's per-layer synthesis runs);
- ``unified``: one ``(Tm, Tn)`` for all conv layers — one engine the layers take turns
  on, so its resources are the largest any layer needs and the latencies add up.

The budget (``Budget``): a share of the board's DSP and BRAM, a number of processing
elements ``Tm·Tn ≤ P``, and the DRAM bandwidth (the board's, a given one, or free).

The search is exact without costing every pair: at fixed other tiles, a larger ``Tn``
(with its fewer trips) is never slower and never smaller, so for each of them the first
``Tn`` that fits, from the largest down, is the best, and bisection finds it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import groupby
from typing import Literal

from layers.hw import DEFAULT_CLOCK_NS, Device, Preset, Profile, find_device

from .estimator import dram_profile
from .network import Network

Mode = Literal["per-layer", "unified"]
FREE = math.inf  # bandwidth_gbs: DRAM transfers cost nothing (Zhang et al.'s compute-bound search)


@dataclass(frozen=True)
class Budget:
    """What a design may use. ``share``: of the board's DSP and BRAM (None: no limit);
    ``pe``: multipliers of a channel tile, ``Tm·Tn`` (None: no limit)."""

    share: float | None = 1.0
    pe: int | None = None

    def __post_init__(self) -> None:
        if self.share is not None and not 0 < self.share <= 1:
            raise ValueError(f"budget share {self.share} must be in (0, 1]")
        if self.pe is not None and self.pe < 1:
            raise ValueError(f"PE budget {self.pe} must be at least 1")

    def allows(self, tiles: dict[str, int]) -> bool:
        return self.pe is None or tiles.get("m", 1) * tiles.get("n", 1) <= self.pe

    def fits(self, choice: "TileChoice", device: Device) -> bool:
        return self.share is None or (choice.DSP <= self.share * device.DSP
                                      and choice.BRAM_18K <= self.share * device.BRAM_18K)


@dataclass(frozen=True)
class TileChoice:
    layer: str
    tiles: tuple[tuple[str, int], ...]
    WorstLatency: int
    DSP: int
    BRAM_18K: int

    def yaml(self) -> str:
        return "tiles: {" + ", ".join(f"{k}: {v}" for k, v in self.tiles) + "}"


def explore(network: Network, device: Device | str, mode: Mode = "per-layer", profile: Profile | None = None,
            share: float | None = 1.0, pe: int | None = None, bandwidth_gbs: float | None = None,
            clock_ns: float = DEFAULT_CLOCK_NS) -> list[TileChoice]:
    """The best tiles per conv/dense layer of ``network`` within the budget; ``bandwidth_gbs``:
    None for the board's DRAM, ``FREE`` for none at all."""
    rows = [(layer, shape, in_type) for (layer, shape, _), (_, in_type, _) in zip(network.shapes(), network.io_types())
            if layer.tile_candidates(shape)]
    return explore_layers(rows, device, mode, profile, Budget(share, pe), bandwidth_gbs, clock_ns)


def explore_layers(rows: list, device: Device | str, mode: Mode = "per-layer", profile: Profile | None = None,
                   budget: Budget = Budget(), bandwidth_gbs: float | None = None,
                   clock_ns: float = DEFAULT_CLOCK_NS) -> list[TileChoice]:
    """``explore`` on (layer, input shape, input type) rows that need not form a network
    (Zhang et al.'s per-group layers)."""
    device = find_device(device) if isinstance(device, str) else device
    profile = dram_profile(profile or Profile.load(), device.dram_gbs if bandwidth_gbs is None else bandwidth_gbs,
                           clock_ns)
    if mode == "per-layer":
        return [_best_for_layer(layer, shape, in_type, device, profile, budget) for layer, shape, in_type in rows]
    if mode == "unified":
        return _unified(rows, device, profile, budget)
    raise ValueError(f"unknown exploration mode {mode!r}; choose per-layer or unified")


def _cost(layer, in_shape, in_type, tiles, device, profile) -> TileChoice:
    est = replace(layer, tiles=tuple(tiles.items())).estimate(in_shape, in_type, device, profile, Preset.OPT)
    return TileChoice(layer.name, tuple(tiles.items()), est.WorstLatency, est.DSP, est.BRAM_18K)


def _best_for_layer(layer, shape, in_type, device, profile, budget: Budget) -> TileChoice:
    costs: dict = {}

    def cost(tiles: dict) -> TileChoice:
        key = tuple(tiles.items())
        if key not in costs:
            costs[key] = _cost(layer, shape, in_type, tiles, device, profile)
        return costs[key]

    def fits(tiles: dict) -> bool:
        return budget.fits(cost(tiles), device)

    others = lambda t: tuple(sorted((k, v) for k, v in t.items() if k != "n"))  # noqa: E731
    candidates = sorted((t for t in layer.tile_candidates(shape) if budget.allows(t)),
                        key=lambda t: (others(t), -t.get("n", 1)))
    best, smallest = None, None
    for _, group in groupby(candidates, key=others):
        for tiles in _first_fit(list(group), fits):  # this group's best, or its smallest
            choice = cost(tiles)
            if fits(tiles):
                best = min(best or choice, choice, key=lambda c: (c.WorstLatency, c.DSP, c.BRAM_18K))
            else:
                smallest = min(smallest or choice, choice, key=lambda c: (c.BRAM_18K, c.DSP))
    if best is None:
        needs = f" (smallest needs {smallest.BRAM_18K} BRAM_18K, {smallest.DSP} DSP)" if smallest else ""
        raise ValueError(f"layer {layer.name!r}: no tiling fits {device.part} within the budget{needs}")
    return best


def _first_fit(items: list, fits) -> list:
    """``[the first item that fits]`` of ``items`` ordered from the largest (fits is false,
    then true: resources grow with the tile), by bisection; ``[the last item]`` if none fits."""
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(items[mid]):
            hi = mid
        else:
            lo = mid + 1
    return [items[min(lo, len(items) - 1)]] if items else []


def _unified(rows, device, profile, budget: Budget) -> list[TileChoice]:
    """One (Tm, Tn) for every layer of the shared engine (the convs); the others keep
    their own best tiles."""
    engine = [row for row in rows if row[0].engine_tiles(row[1], 1, 1) is not None]
    others = [_best_for_layer(*row, device, profile, budget) for row in rows if row not in engine]
    if not engine:
        return others
    candidates = [c for layer, shape, _ in engine for c in layer.tile_candidates(shape)]
    best = None
    for tm in sorted({c["m"] for c in candidates}):
        sizes = [tn for tn in sorted({c["n"] for c in candidates}, reverse=True) if budget.allows({"m": tm, "n": tn})]
        found = _first_fit(sizes, lambda tn: _engine_choice(engine, tm, tn, device, profile, budget) is not None)
        chosen = _engine_choice(engine, tm, found[0], device, profile, budget) if found else None
        if chosen is not None:  # the first that fits is the best for this tm
            total = sum(c.WorstLatency for c in chosen)
            if best is None or total < best[0]:
                best = (total, chosen)
    if best is None:
        raise ValueError(f"no unified (Tm, Tn) fits {device.part} within the budget")
    return best[1] + others


def _engine_choice(engine, tm: int, tn: int, device, profile, budget: Budget) -> list[TileChoice] | None:
    """Each engine layer's fastest pixel tiling on the (tm, tn) engine; None if one cannot fit."""
    chosen = []
    for layer, shape, in_type in engine:
        options = [_cost(layer, shape, in_type, tiles, device, profile) for tiles in layer.engine_tiles(shape, tm, tn)]
        fitting = [o for o in options if budget.fits(o, device)]
        if not fitting:
            return None
        chosen.append(min(fitting, key=lambda c: c.WorstLatency))
    return chosen
