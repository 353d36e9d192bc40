"""The C++ nest and the estimator describe the same code: each tile buffer is filled where
the loop order says, as often as the estimator's DRAM traffic counts."""

from __future__ import annotations

import re

import numpy as np
import pytest

from layers.hw import Preset
from tests.layers.config.test_registry import DATA, MAC_TYPES, build

TILE_LOOP = re.compile(r"(tile_\w+|loop_g): for \(int \w+ = 0; \w+ < (\d+); \w+(\+\+| \+= (\d+))\)")


def fills(source: str) -> dict[str, int]:
    """How often each load/store loop of ``source`` runs: the trips of the tile loops
    around it (read off the braces)."""
    stack, depth, found = [], 0, {}
    for line in source.splitlines():
        match = TILE_LOOP.search(line)
        if match:
            stack.append((depth, -(-int(match.group(2)) // int(match.group(4) or 1))))
        label = re.match(r"\s*((load|store)_\w+?): for", line)
        if label and label.group(1) in ("load_input", "load_weight", "load_bias", "store_output"):
            found[label.group(1)] = int(np.prod([trips for _, trips in stack]))
        depth += line.count("{") - line.count("}")
        while stack and depth <= stack[-1][0]:
            stack.pop()
    return found


@pytest.mark.parametrize("seed", range(8))
def test_each_buffer_is_filled_as_often_as_the_estimator_counts(seed) -> None:
    rng = np.random.default_rng(seed)
    groups = 1 + seed % 2
    extents = (("m", 12 // groups), ("n", 12 // groups), ("r", 9), ("c", 9))
    tiles = {x: int(rng.integers(1, e + 1)) for x, e in extents if rng.random() < 0.6}
    conv = build("conv", {"out_channels": 12, "kernel": 3, "padding": 1, "groups": groups, "tiles": tiles,
                          "order": [str(x) for x in rng.permutation(["m", "n", "r", "c", "i", "j"])]}, MAC_TYPES)
    shape = (12, 9, 9)
    source = conv.cpp_source(shape, DATA, "c")
    kernel = conv.hw_kernel(shape, DATA, Preset.CONFIG)
    counted = {f"load_{a.name}" if a.name != "output" else "store_output": a.transfers for a in kernel.arrays}
    assert fills(source) == counted, (tiles, conv.order)


def test_an_input_tile_is_kept_across_output_channel_tiles() -> None:
    """Zhang's order (pixel tiles outside the channel tiles, n not tiled): the input tile is
    loaded once per row tile, not once per (row, output-channel) tile."""
    conv = build("conv", {"out_channels": 96, "kernel": 3, "tiles": {"m": 8, "r": 5}, "order": ["i", "j", "r", "c", "m", "n"]},
                 MAC_TYPES)
    shape = (16, 27, 27)
    arrays = {a.name: a.transfers for a in conv.hw_kernel(shape, DATA, Preset.CONFIG).arrays}
    assert arrays == {"input": 5, "weight": 60, "bias": 60, "output": 60}  # 5 row tiles x 12 channel tiles
    source = conv.cpp_source(shape, DATA, "c")
    assert source.index("tile_r:") < source.index("load_input:") < source.index("tile_m:") < source.index("load_weight:")



POINT_LOOP = re.compile(r"(loop_\w+): for \(int \w+ = 0; \w+ < (\d+); \w+\+\+\) \{\n((?:[ \t]*#pragma HLS [^\n]*\n)*)")


def unrolls_in_source(source: str) -> dict[str, int]:
    """Read off the C++ text alone: each point loop's UNROLL pragma as the lanes it asks for
    (``UNROLL``: the loop's trip count, ``UNROLL factor=F``: F) and the loops inside a
    ``PIPELINE``d one (Vitis unrolls them completely)."""
    loops = [(m.group(1), int(m.group(2)), re.findall(r"#pragma HLS ([^\n]*)", m.group(3)), m.start())
             for m in POINT_LOOP.finditer(source)]
    lanes, pipelined = {}, False
    for label, trips, pragmas, _ in loops:  # the point loops are nested in source order
        for pragma in pragmas:
            if pragma == "UNROLL":
                lanes[label] = trips
            elif pragma.startswith("UNROLL factor="):
                lanes[label] = min(int(pragma.split("=")[1]), trips)
        if pipelined:
            lanes[label] = trips
        pipelined = pipelined or any(p.startswith("PIPELINE II=") for p in pragmas)
    return {label: n for label, n in lanes.items() if n > 1}


@pytest.mark.parametrize("op, entry, shape", [
    ("conv", {"out_channels": 8, "kernel": 3, "order": ["m", "r", "c", "n", "i", "j"],
              "directives": {"unroll": {"m": 4, "n": 0}}}, (6, 8, 8)),
    ("conv", {"out_channels": 4, "kernel": 3, "directives": {"pipeline": "c", "unroll": {"m": 2}}}, (4, 6, 6)),
    ("dense", {"out_features": 12, "directives": {"unroll": {"n": 5, "m": 0}}}, (20,)),
])
def test_exported_pragmas_are_what_the_estimator_costs(op, entry, shape) -> None:
    """The UNROLL and PIPELINE pragmas of the exported C++, read from its text, ask for the
    lanes the estimator costs (``hw.mac_kernel.unrolled``): a partial unroll written as a full
    one (or the reverse) shows here, where the C-simulation cannot see it."""
    from layers.hw.mac_kernel import unrolled

    layer = build(op, entry, MAC_TYPES)
    source = layer.cpp_source(shape, DATA, "t")
    costed = {f"loop_{loop}": lanes for loop, lanes in unrolled(layer.loop_nest(shape)).items()}
    assert unrolls_in_source(source) == costed
    assert costed  # the case unrolls something
