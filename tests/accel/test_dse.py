"""The design-space exploration finds Zhang et al.'s optima (FPGA'15, AlexNet on a VC707)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

from accel.dse import FREE, Budget, explore_layers
from accel.estimator import dram_profile
from layers.hw import Preset, Profile, find_device
from layers.core.mac_layer import distinct_tiles

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from zhang_dse import zhang_rows  # noqa: E402  (the README's command: python bench/zhang_dse.py)

ROWS = zhang_rows()  # Zhang et al.'s per-group layers
ZHANG_BUDGET = Budget(share=None, pe=480)  # their search: Tm*Tn <= 480 PEs, computation bound


def test_per_layer_optimum_is_zhangs_within_one_percent() -> None:
    choices = explore_layers(ROWS, "vc707", "per-layer", budget=ZHANG_BUDGET, bandwidth_gbs=FREE)
    total = sum(c.WorstLatency for c in choices)
    # Zhang et al., Table 4: 963,804 cycles with the best <Tm, Tn> per layer. Powers of two
    # alone reach 1,004,823: conv2 needs Tm=10, Tn=48; conv3 and conv4 Tm=96, Tn=5; conv5 Tn=15.
    assert total == pytest.approx(963_804, rel=0.01)
    tiles = {c.layer: dict(c.tiles) for c in choices}
    assert (tiles["conv2"]["m"], tiles["conv2"]["n"]) == (10, 48)
    assert all(t["m"] * t["n"] <= 480 for t in tiles.values())


def test_unified_optimum_is_64_by_7_within_one_percent() -> None:
    choices = explore_layers(ROWS, "vc707", "unified", budget=ZHANG_BUDGET, bandwidth_gbs=FREE)
    tiles = [dict(c.tiles) for c in choices]
    assert max(t["m"] for t in tiles) == 64 and max(t["n"] for t in tiles) == 7
    assert sum(c.WorstLatency for c in choices) == pytest.approx(1_008_246, rel=0.01)


def test_the_pruned_search_is_the_brute_force_minimum() -> None:
    """Costing from the largest Tn down and stopping at the first that fits loses nothing."""
    device = find_device("vc707")
    profile = dram_profile(Profile.load(), FREE, 10.0)
    choices = explore_layers(ROWS, device, "per-layer", budget=ZHANG_BUDGET, bandwidth_gbs=FREE)
    for (layer, shape, in_type), choice in zip(ROWS, choices):
        every = [replace(layer, tiles=tuple(t.items())).estimate(shape, in_type, device, profile, Preset.OPT)
                 for t in layer.tile_candidates(shape) if t["m"] * t["n"] <= 480]
        assert choice.WorstLatency == min(e.WorstLatency for e in every), layer.name


@pytest.mark.parametrize("extent", [1, 3, 10, 48, 96, 97, 192, 255])
def test_distinct_tiles_reach_every_trip_count_with_the_smallest_tile(extent) -> None:
    tiles = distinct_tiles(extent)
    trips = [-(-extent // t) for t in tiles]
    assert len(set(trips)) == len(tiles)  # one tile per trip count
    for size in range(1, extent + 1):  # any tile is matched by a candidate as fast and no larger
        q = -(-extent // size)
        assert any(t <= size and -(-extent // t) == q for t in tiles)


def test_budget_is_checked() -> None:
    with pytest.raises(ValueError, match="budget share 1.5 must be in"):
        Budget(share=1.5)
    with pytest.raises(ValueError, match="PE budget 0 must be at least 1"):
        Budget(pe=0)
    with pytest.raises(ValueError, match="no tiling fits xc7z020 within the budget"):
        explore_layers(ROWS[:1], "pynq-z2", budget=Budget(share=0.01))
