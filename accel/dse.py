"""Design-space exploration: the tile sizes that minimize latency within a board's budget.

Every candidate is costed by the estimator under the ``opt`` preset (Zhang et al.'s
architecture: a ``Tm×Tn`` channel tile unrolled, pixels pipelined, ping-pong buffers).
Two modes, as in Zhang et al.:

- ``per-layer``: each conv/dense layer gets its own best tiles, the whole board to
  itself (one layer at a time, or the seed's per-layer synthesis runs);
- ``unified``: one ``(Tm, Tn)`` for all conv layers — one engine the layers take turns
  on, so its resources are the largest any layer needs and the latencies add up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from layers.hw import Device, Preset, Profile, find_device

from .network import Network

Mode = Literal["per-layer", "unified"]


@dataclass(frozen=True)
class TileChoice:
    layer: str
    tiles: tuple[tuple[str, int], ...]
    WorstLatency: int
    DSP: int
    BRAM_18K: int

    def yaml(self) -> str:
        return "tiles: {" + ", ".join(f"{k}: {v}" for k, v in self.tiles) + "}"


def _cost(layer, in_shape, in_type, tiles, device, profile) -> TileChoice:
    est = replace(layer, tiles=tuple(tiles.items())).estimate(in_shape, in_type, device, profile, Preset.OPT)
    return TileChoice(layer.name, tuple(tiles.items()), est.WorstLatency, est.DSP, est.BRAM_18K)


def _fits(choice: TileChoice, device: Device, share: float) -> bool:
    return choice.DSP <= share * device.DSP and choice.BRAM_18K <= share * device.BRAM_18K


def explore(network: Network, device: Device | str, mode: Mode = "per-layer", profile: Profile | None = None,
            share: float = 1.0) -> list[TileChoice]:
    """The best tiles per conv/dense layer (``share``: fraction of the board's DSP and BRAM allowed)."""
    device = find_device(device) if isinstance(device, str) else device
    profile = profile or Profile.load()
    if not 0 < share <= 1:
        raise ValueError(f"budget share {share} must be in (0, 1]")
    rows = [(layer, shape, in_type) for (layer, shape, _), (_, in_type, _) in zip(network.shapes(), network.io_types())
            if layer.tile_candidates(shape)]
    if mode == "per-layer":
        return [_best_for_layer(layer, shape, in_type, device, profile, share) for layer, shape, in_type in rows]
    if mode == "unified":
        return _unified(rows, device, profile, share)
    raise ValueError(f"unknown exploration mode {mode!r}; choose per-layer or unified")


def _best_for_layer(layer, shape, in_type, device, profile, share) -> TileChoice:
    costed = [_cost(layer, shape, in_type, tiles, device, profile) for tiles in layer.tile_candidates(shape)]
    feasible = [c for c in costed if _fits(c, device, share)]
    if not feasible:
        smallest = min(costed, key=lambda c: (c.BRAM_18K, c.DSP))
        raise ValueError(f"layer {layer.name!r}: no tiling fits {device.part} (smallest needs "
                         f"{smallest.BRAM_18K} BRAM_18K, {smallest.DSP} DSP)")
    return min(feasible, key=lambda c: (c.WorstLatency, c.DSP, c.BRAM_18K))


def _unified(rows, device, profile, share) -> list[TileChoice]:
    """One (Tm, Tn) for every layer of the shared engine (the convs); the others keep
    their own best tiles."""
    engine = [row for row in rows if row[0].engine_tiles(row[1], 1, 1) is not None]
    others = [_best_for_layer(*row, device, profile, share) for row in rows if row not in engine]
    if not engine:
        return others
    best = None
    pairs = {(c["m"], c["n"]) for layer, shape, _ in engine for c in layer.tile_candidates(shape)}
    for tm, tn in sorted(pairs):
        chosen = []
        for layer, shape, in_type in engine:
            options = [_cost(layer, shape, in_type, tiles, device, profile) for tiles in layer.engine_tiles(shape, tm, tn)]
            fitting = [o for o in options if _fits(o, device, share)]
            if not fitting:
                break
            chosen.append(min(fitting, key=lambda c: c.WorstLatency))
        else:
            total = sum(c.WorstLatency for c in chosen)
            if best is None or total < best[0]:
                best = (total, chosen)
    if best is None:
        raise ValueError(f"no unified (Tm, Tn) fits {device.part}")
    return best[1] + others
