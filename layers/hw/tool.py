"""What each HLS tool release does on its own, as rules read off public reports.

The estimate models a tool's *choices* — which loops it pipelines unasked, how it binds a
multiply-add, whether it flattens a pipelined loop into a loop with statements around it
— not only the pragmas. Those choices changed between releases; each rule below names the
public reports it was read from (the repositories and files are in
``bench/public_reports.py``, which checks every release against its own reports).

::

    tool          pipelines      multiply-add    flattens a pipelined   partitions a ROM   read from
                  loops unasked  (DSP)           loop under statements  read in parallel
    vitis         yes (<= 64)    3 registers     yes                    yes                2021.2, 2022.1, 2024.1
    vitis-2020.2  yes (<= 64)    combinational   yes                    yes                2020.2
    vitis-2020.1  no             combinational   no                     yes                2020.1
    vivado-hls    no             the profile's   yes                    no                 the seed (UNOPT rows)

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
- *Flattening*: with ``PIPELINE`` on the inner loop of ``for k { tmp = 0; for n {..}; dst[k]
  = tmp; }``, 2020.1 keeps the outer loop (the DCT's solution2: 11 cycles an outer
  iteration, 89 in all), where 2021.2 flattens UG871's same shape into one pipeline of 27
  iterations (bol-edu solution2).
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
    flattens_semi_perfect: bool  # a pipelined reduction loop flattened into the output loops around it
    partitions_roms: bool  # a constant table read several words a cycle partitioned without a pragma
    latency: dict[str, int] = field(default_factory=dict)  # operation latencies overriding the profile's


_COMBINATIONAL_MAC = {"multiply": 0, "add": 0}  # the multiply-add in one DSP without registers

BEHAVIOURS = {
    "vitis": ToolBehaviour("vitis", "Vitis HLS 2021.2 and later", True, True, True, True),
    "vitis-2020.2": ToolBehaviour("vitis-2020.2", "Vitis HLS 2020.2", True, True, True, True, _COMBINATIONAL_MAC),
    "vitis-2020.1": ToolBehaviour("vitis-2020.1", "Vitis HLS 2020.1", False, True, False, True, _COMBINATIONAL_MAC),
    "vivado-hls": ToolBehaviour("vivado-hls", "Vivado HLS (the seed's rolled rows)", False, False, True, False),
}
ALIASES = {"vitis-2020+": "vitis"}  # the name profiles written before the releases were told apart carry
TOOLS = tuple(BEHAVIOURS)


def behaviour(tool: str) -> ToolBehaviour:
    """The behaviour of ``tool`` (a name of ``TOOLS`` or an alias); a clear error otherwise."""
    name = ALIASES.get(tool, tool)
    if name not in BEHAVIOURS:
        raise ValueError(f"unknown HLS tool {tool!r}; known: {', '.join(TOOLS)}")
    return BEHAVIOURS[name]
