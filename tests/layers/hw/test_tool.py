"""Tool releases (``layers.hw.tool``): what each one does on its own, on the small nests
of the public reports each rule was read off (``bench/public_*.py`` hold the reports)."""

from __future__ import annotations

import pytest
import yaml

from layers import Conv, Dense, Directives, LayerTypes
from layers.hw import Profile
from layers.hw.devices import find_device
from layers.hw.tool import ALIASES, TOOLS, behaviour
from quant import FixedType

SHORT = FixedType.parse("ap_fixed<16,16,AP_TRN,AP_WRAP>")
INT = FixedType.parse("ap_fixed<32,32,AP_TRN,AP_WRAP>")
DCT_TYPES = LayerTypes(SHORT, SHORT, INT, INT, SHORT, product=INT)
VU9P = find_device("xcvu9p")
PORTS = (("input", 2), ("output", 2))


def dct_1d(**directives) -> Dense:
    """UG871's 1-D DCT: 8 outputs over 8 inputs, a constant coefficient table, the sum in a
    local int stored after the inner loop, src and dst the caller's arrays."""
    return Dense("dct_1d", 8, DCT_TYPES, bias=False,
                 directives=Directives(rom=("weight",), local_sum=True, ports=PORTS, **directives))


def cycles(layer, tool: str, shape=(8,), **tool_settings) -> int:
    profile = Profile.load().with_tool(tool).updated(tool=tool_settings) if tool_settings else \
        Profile.load().with_tool(tool)
    return layer.estimate(shape, SHORT, VU9P, profile).WorstLatency


def test_the_releases_and_the_old_name() -> None:
    assert TOOLS == ("vitis", "vitis-2020.2", "vitis-2020.1", "vivado-hls")
    assert behaviour("vitis-2020+") is behaviour("vitis") and ALIASES == {"vitis-2020+": "vitis"}
    assert Profile.load().tool == "vitis" and Profile.load().with_tool("vitis-2020+").tool == "vitis"
    with pytest.raises(ValueError, match="unknown HLS tool 'vitis-2019'; known: vitis, vitis-2020.2"):
        behaviour("vitis-2019")


def test_a_profile_naming_an_unknown_tool_is_refused_naming_the_file(tmp_path) -> None:
    data = dict(Profile.load().data, tool={"name": "catapult", "pipeline_loops": 64})
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ValueError, match=r"profile .*mine.yaml: tool.name: unknown HLS tool 'catapult'"):
        Profile.load(path)


def test_2020_1_pipelines_nothing_and_chains_the_multiply_add() -> None:
    """ryan880718/HLS_LabA solution1 (Vitis 2020.1, no pragmas): every loop rolled; the inner
    loop 2 cycles an iteration (read, then the combinational multiply-add with the exit
    test), the outer 8 x 2 + 2 = 18, the module 8 x 18 + 1 = 145. From 2021.2 the multiply-
    add is registered (3 stages): 5 cycles an iteration (UG871 with PIPELINE off)."""
    assert cycles(dct_1d(), "vitis-2020.1") == 145
    assert cycles(dct_1d(auto_pipeline=False), "vitis") == 8 * (8 * 5 + 2) + 1
    assert "pipelined by Vitis on its own" in dct_1d().estimate((8,), SHORT, VU9P, Profile.load().with_tool(
        "vitis-2020.2")).dominant  # (2020.2 pipelines a dense layer's 10-trip loop unasked)
    assert Profile.load().with_tool("vitis-2020.1").latency("multiply") == 0
    assert Profile.load().latency("multiply") == 2


def test_a_sum_kept_in_a_local_keeps_the_outer_loop() -> None:
    """solution2 (PIPELINE on the inner loop, 2020.1): the sum's start and its store around
    the inner loop keep DCT_Outer_Loop a loop — 11 cycles an iteration, 8 x 11 + 1 = 89 —
    where UG871's sum into the output array flattens (bol-edu 2021.2: one pipeline of 27)."""
    assert cycles(dct_1d(pipeline="n"), "vitis-2020.1") == 8 * ((8 - 1) + 2 + 2) + 1
    flat = Dense("dct_1d", 8, DCT_TYPES, bias=False, directives=Directives(rom=("weight",), ports=PORTS,
                                                                           pipeline="n"))
    assert "trip 64" in flat.estimate((8,), SHORT, VU9P, Profile.load().with_tool("vitis-2020.1")).dominant
    mine = Dense("dct_1d", 8, DCT_TYPES, bias=False, directives=Directives(local_sum=True, pipeline="n"))
    with pytest.raises(NotImplementedError, match="local_sum describes C"):
        mine.cpp_source((8,), SHORT, "dct")


def test_a_pipeline_kept_under_loops_is_a_module_called_each_iteration_from_2021_2() -> None:
    """chaoNTUEE/HLS_Lab-A solution2 (Vitis 2022.1, -pipeline_loops 6): the 8-trip inner loop
    is above the threshold, so it is pipelined alone (12 cycles) and made a module; the 64
    iterations of the rows x outer loop around it take 16 cycles each: 1,024."""
    rows = Conv("row_dct", 8, (1, 1), DCT_TYPES, bias=False, order=("r", "c", "m", "n", "i", "j"),
                directives=Directives(rom=("weight",), local_sum=True, ports=PORTS))
    assert cycles(rows, "vitis", (8, 8, 1), pipeline_loops=6) == 64 * (12 + 2 + 2) + 1
    # under the default 64 the inner loop unrolls into the pipelined rows (solution1: 64 trips,
    # as here); Vitis met II 1 there by replicating the callers' buffers into RAM_1WNR memories
    # of 8 read ports, which the estimate does not model: it sees 8 reads through 2 ports
    default = rows.estimate((8, 8, 1), SHORT, VU9P, Profile.load()).dominant
    assert "r*c*m flattened, n*i*j unrolled, trip 64, II=4" in default
