"""Hardware cost primitives against numbers from Vitis reports and data sheets."""

from __future__ import annotations

import pytest

from layers.hw.devices import devices, find_device
from layers.hw.dsp import dsps_per_multiply
from layers.hw.latency import around, pipelined, rolled
from layers.hw.memory import bram_18k, uram


@pytest.mark.parametrize(
    "width, depth, sdp, expected",
    [
        (64, 1024, False, 4),  # Vitis: 1024x64 two-port array -> 4 BRAM_18K
        (64, 1025, False, 8),  # one word more -> 8
        (32, 4096, True, 8),  # 4096x32, one read and one write port -> 8
        (16, 512, False, 1),  # 8 Kbit: one block
        (8, 64, False, 0),  # 512 bits: LUTRAM
        (36, 512, True, 1),  # the simple-dual-port shape
        (36, 512, False, 2),  # ... which a true dual port cannot use
    ],
)
def test_bram_aspect_ratios(width, depth, sdp, expected) -> None:
    assert bram_18k(width, depth, simple_dual_port=sdp) == expected


def test_partitioning_rounds_each_bank() -> None:
    assert bram_18k(16, 4096, banks=4) == 4 * bram_18k(16, 1024)
    assert bram_18k(16, 3000, banks=3) == 3 * bram_18k(16, 1000)
    # banks that do not divide the depth: each bank holds ceil(depth / banks) words
    assert bram_18k(18, 2049, banks=2) == 4  # 1025 words x 18 bits: 2 blocks a bank
    assert bram_18k(18, 2048, banks=2) == 2
    assert bram_18k(36, 1025, banks=2) == 2 * bram_18k(36, 513) == 4
    assert uram(72, 8193, banks=2) == 4 and uram(72, 8192, banks=2) == 2  # 4097 words a bank: 2 URAMs
    assert uram(72, 4096) == 1 and uram(64, 4097) == 2


@pytest.mark.parametrize(
    "a, b, slice_, out, expected",
    [
        (16, 16, "DSP48E2", None, 1),
        (18, 18, "DSP48E1", None, 1),
        (25, 18, "DSP48E1", None, 1),
        (27, 18, "DSP48E2", None, 1),
        (32, 32, "DSP48E2", 32, 3),  # int*int -> int in Vitis: 3 DSP48E2
        (32, 32, "DSP48E2", None, 4),  # 32x32 -> 64: 4
    ],
)
def test_dsps_per_multiply(a, b, slice_, out, expected) -> None:
    assert dsps_per_multiply(a, b, slice_, out) == expected


def test_loop_latency_formulas() -> None:
    assert pipelined(255, 1, 3) == 257  # UG1399: (trip - 1) * II + depth
    assert pipelined(100, 2, 5) == 203
    assert rolled(255, 2) == 511  # 255 iterations of a 2-cycle body, plus the exit
    assert rolled(10, around(rolled(4, 1))) == 10 * (5 + 1) + 1


def test_device_database() -> None:
    ultra96 = find_device("Ultra96-V2")
    assert ultra96.available() == {"BRAM_18K": 432, "DSP": 360, "FF": 141120, "LUT": 70560, "URAM": 0}
    seed = find_device("xqvu7p-flra2104-1-i")  # the seed's part: its report's "Available" row
    assert seed.available() == {"BRAM_18K": 2880, "DSP": 4560, "FF": 1576320, "LUT": 788160, "URAM": 640}
    assert find_device("pynq-z2").dsp_slice == "DSP48E1" and find_device("u280").URAM == 960
    assert {d.part for d in devices()} >= {"xc7z020", "xczu3eg", "xczu7ev", "xczu9eg", "xc7vx485t", "xc7vx690t",
                                           "xcvu9p", "xcvu7p", "xqvu7p", "xcu50", "xcu250", "xcu280"}
    with pytest.raises(ValueError, match="unknown device 'kintex'; boards: .*ultra96"):
        find_device("kintex")


def test_seven_series_parts_resolve_from_the_part_numbers_reports_name() -> None:
    """Artix-7, Kintex-7 and the smaller and larger Zynq-7000 (DSP48E1), found from part
    numbers public reports give (Vivado/Vitis ``Device``/``Target device`` lines); their
    resources as public Vivado utilization reports list them as "Available"."""
    for name, part in (("xc7a100tcsg324-1", "xc7a100t"), ("xc7k160tfbg484-1", "xc7k160t"),
                       ("xc7z020-clg400-1", "xc7z020"), ("kc705", "xc7k325t"), ("arty-a7-35", "xc7a35t"),
                       ("zc706", "xc7z045"), ("xc7a200tfbg484-2", "xc7a200t"), ("zybo-z7-10", "xc7z010")):
        device = find_device(name)
        assert (device.part, device.dsp_slice, device.URAM) == (part, "DSP48E1", 0), name
    assert (find_device("xc7a35t").LUT, find_device("xc7a35t").FF) == (20800, 41600)
    assert find_device("arty-a7-100").available() == {"BRAM_18K": 2 * 135, "DSP": 240, "FF": 126800, "LUT": 63400,
                                                      "URAM": 0}

