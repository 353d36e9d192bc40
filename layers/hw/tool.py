"""What each HLS tool release does on its own, as rules read off public reports.

The estimate models a tool's *choices* — which loops it pipelines unasked, how it binds a
multiply-add, what a pipelined loop kept under other loops costs them — not only the pragmas. Those choices changed between releases; each rule below names the
public reports it was read from (the repositories and files are in
``bench/public_reports.py``, which checks every release against its own reports).

::

    tool          pipelines      multiply-add    a pipelined loop     partitions a ROM   read from
                  loops unasked  (DSP)           kept under loops     read in parallel
    vitis         yes (<= 64)    3 registers     a module: +2 a call  yes                2021.2, 2022.1, 2024.1
    vitis-2020.2  yes (<= 64)    combinational   inline               yes                2020.2
    vitis-2020.1  no             combinational   inline               yes                2020.1
    vivado-hls    no             the profile's   inline               no                 the seed (UNOPT rows)

- *Pipelines loops unasked*: Vitis HLS 2020.2 pipelined a 10-trip initialisation loop of a
  dense layer without a pragma (nvchuyen/CNN_FPGA_HLS, ``fc_layer1``: ``VITIS_LOOP_17_1``
  pipelined), and 2024.1 pipelines UG871's matrix product with no pragma; a 2020.1 DCT
  (ryan880718/HLS_LabA, solution1) has every loop of every module left rolled.
- *Multiply-add*: the 2020.1 DCT's ``mac_muladd`` module is combinational (its Verilog
  has no register: ``_1_1``), so a rolled MAC body takes 2 cycles (read, then multiply-add
  and the exit test: 16 cycles for 8 iterations); 2020.2's dense layer binds
  ``mul_..._1_1`` alike. From 2021.2 Vitis binds ``mac_muladd_..._4_1`` (latency 3:
  bol-edu 2021.2, sssh311318 2022.1, nightt5879 2024.1 ``autopilot.rtl.models``), and the
  rolled body is 5 cycles (UG871 with PIPELINE off: 5 a ``Product`` iteration).
- *A pipelined loop kept under loops* (not flattened into them): Vitis 2022.1 makes it a
  module of its own (``<function>_Pipeline_<loop>``, its latency the loop's + 2) and each
  iteration of the loop around it costs the loop's latency + 4, where UG1399's rule (and
  2020.1: the DCT's solution2, 11 cycles around a 9-cycle pipeline) counts + 2. Read off
  chaoNTUEE/HLS_Lab-A's 2022.1 DCT (16 cycles around a 12-cycle ``DCT_Inner_Loop``);
  sssh311318/HLS_LAB_A's 2022.1 UG871 (11 around 7) is held out. 2021.2 is assumed to do the
  same (no report with such a nest was found). Whether the loops flatten at all depends on
  the code, not the release: a sum kept in a local and stored after the reduction loop
  (``directives.local_sum``) keeps them (the DCT, 2020.1 and 2022.1); a sum into the output
  array flattens (UG871, 2021.2: one pipeline of 27 iterations; this project's own C++).
- *ROMs*: a constant table read several words a cycle is partitioned without a pragma —
  the 2020.1 DCT's 8x8 coefficients as 8 ROMs of 8 words once 8 products are unrolled
  (solutions 3 and 4), the 2020.2 dense layer's weights as 10 ROMs. No Vivado HLS report
  with a ROM read in parallel was found: under ``vivado-hls`` a ROM keeps the pragmas' banks.

    >>> behaviour("vitis-2020+").name, behaviour("vitis-2020.1").pipelines_unasked
    ('vitis', False)
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ToolBehaviour:
    """One release's choices (see the module's table)."""

    name: str
    description: str
    pipelines_unasked: bool  # config_compile -pipeline_loops: Vitis pipelines short loops on its own
    schedules_operations: bool  # a rolled nest costed from its operations' latencies (else the profile's per-kind cycles)
    partitions_roms: bool  # a constant table read several words a cycle partitioned without a pragma
    call_overhead: int  # cycles a pipelined loop made a module of its own adds to each iteration around it
    latency: dict[str, int] = field(default_factory=dict)  # operation latencies overriding the profile's


_COMBINATIONAL_MAC = {"multiply": 0, "add": 0}  # the multiply-add in one DSP without registers

BEHAVIOURS = {
    "vitis": ToolBehaviour("vitis", "Vitis HLS 2021.2 and later", True, True, True, 2),
    "vitis-2020.2": ToolBehaviour("vitis-2020.2", "Vitis HLS 2020.2", True, True, True, 0, _COMBINATIONAL_MAC),
    "vitis-2020.1": ToolBehaviour("vitis-2020.1", "Vitis HLS 2020.1", False, True, True, 0, _COMBINATIONAL_MAC),
    "vivado-hls": ToolBehaviour("vivado-hls", "Vivado HLS (the seed's rolled rows)", False, False, False, 0),
}
ALIASES = {"vitis-2020+": "vitis"}  # the name profiles written before the releases were told apart carry
TOOLS = tuple(BEHAVIOURS)


def behaviour(tool: str) -> ToolBehaviour:
    """The behaviour of ``tool`` (a name of ``TOOLS`` or an alias); a clear error otherwise."""
    name = ALIASES.get(tool, tool)
    if name not in BEHAVIOURS:
        raise ValueError(f"unknown HLS tool {tool!r}; known: {', '.join(TOOLS)}")
    return BEHAVIOURS[name]
