"""Vitis synthesis reports read as Vitis writes them (``accel.csynth``): per-module XML,
the top ``csynth.xml`` with ``ModuleInformation``, the ``.rpt`` text tables.

The fixtures are written here in the structure of real reports (learned from public Vitis
HLS 2023.1 projects); the first carries the numbers of a published LeNet conv1 (a rolled
channel loop of 3 around a pipelined II=15 pixel loop).
"""

from __future__ import annotations

import pytest

from accel.csynth import read_reports


def module_xml(name: str, best: int, worst: int, interval: int, resources: dict, loops: str = "",
               part: str = "xczu3eg-sbva484-1-e") -> str:
    area = "".join(f"<{k}>{v}</{k}>" for k, v in resources.items())
    return f"""<profile>

<ReportVersion>
<Version>2023.1</Version>
</ReportVersion>

<UserAssignments>
<unit>ns</unit>
<ProductFamily>zynquplus</ProductFamily>
<Part>{part}</Part>
<TopModelName>{name}</TopModelName>
<TargetClockPeriod>10.00</TargetClockPeriod>
<ClockUncertainty>2.70</ClockUncertainty>
<FlowTarget>vivado</FlowTarget>
</UserAssignments>

<PerformanceEstimates>
<PipelineType>no</PipelineType>
<SummaryOfTimingAnalysis>
<unit>ns</unit>
<EstimatedClockPeriod>6.765</EstimatedClockPeriod>
</SummaryOfTimingAnalysis>
<SummaryOfOverallLatency>
<unit>clock cycles</unit>
<Best-caseLatency>{best}</Best-caseLatency>
<Average-caseLatency>{worst}</Average-caseLatency>
<Worst-caseLatency>{worst}</Worst-caseLatency>
<Best-caseRealTimeLatency>0.177 ms</Best-caseRealTimeLatency>
<Interval-min>{interval}</Interval-min>
<Interval-max>{interval}</Interval-max>
</SummaryOfOverallLatency>
<SummaryOfLoopLatency>{loops}
</SummaryOfLoopLatency>
</PerformanceEstimates>

<AreaEstimates>
<Resources>
{area}
</Resources>
</AreaEstimates>

</profile>
"""


LENET_LOOPS = """
<VITIS_LOOP_117_1>
<Slack>7.30</Slack>
<TripCount>3</TripCount>
<Latency>17670</Latency>
<AbsoluteTimeLatency>176700</AbsoluteTimeLatency>
<IterationLatency>5890</IterationLatency>
<InstanceList>
</InstanceList>
</VITIS_LOOP_117_1>"""

LENET_RPT = """

================================================================
== Vitis HLS Report for 'conv1_pragma_Pipeline_VITIS_LOOP_118_2_VITIS_LOOP_119_3'
================================================================
* Version:        2023.1 (Build 3854077 on May  4 2023)
* Target device:  xc7z010-clg400-1

================================================================
== Performance Estimates
================================================================
+ Timing:
    * Summary:
    +--------+----------+----------+------------+
    |  Clock |  Target  | Estimated| Uncertainty|
    +--------+----------+----------+------------+
    |ap_clk  |  10.00 ns|  6.765 ns|     2.70 ns|
    +--------+----------+----------+------------+

+ Latency:
    * Summary:
    +---------+---------+-----------+-----------+------+------+---------+
    |  Latency (cycles) |   Latency (absolute)  |   Interval  | Pipeline|
    |   min   |   max   |    min    |    max    |  min |  max |   Type  |
    +---------+---------+-----------+-----------+------+------+---------+
    |     5887|     5887|  58.870 us|  58.870 us|  5887|  5887|       no|
    +---------+---------+-----------+-----------+------+------+---------+

    + Detail:
        * Instance:
        N/A

        * Loop:
        +-------------------------------------+---------+---------+----------+-----------+-----------+------+----------+
        |                                     |  Latency (cycles) | Iteration|  Initiation Interval  | Trip |          |
        |              Loop Name              |   min   |   max   |  Latency |  achieved |   target  | Count| Pipelined|
        +-------------------------------------+---------+---------+----------+-----------+-----------+------+----------+
        |- VITIS_LOOP_118_2_VITIS_LOOP_119_3  |     5885|     5885|        21|         15|          1|   392|       yes|
        +-------------------------------------+---------+---------+----------+-----------+-----------+------+----------+

================================================================
== Utilization Estimates
================================================================
* Summary:
+-----------------+---------+----+-------+-------+-----+
|       Name      | BRAM_18K| DSP|   FF  |  LUT  | URAM|
+-----------------+---------+----+-------+-------+-----+
|DSP              |        -|  32|      -|      -|    -|
|Expression       |        -|   -|      0|   1203|    -|
|Register         |        -|   -|   1178|      -|    -|
+-----------------+---------+----+-------+-------+-----+
|Total            |        0|  32|   1178|   1998|    0|
+-----------------+---------+----+-------+-------+-----+
|Available        |      120|  80|  35200|  17600|    0|
+-----------------+---------+----+-------+-------+-----+
"""


def test_reports_are_read_as_vitis_writes_them(tmp_path) -> None:
    (tmp_path / "conv1_pragma_csynth.xml").write_text(module_xml(
        "conv1_pragma", 17671, 17671, 17671, {"BRAM_18K": 0, "DSP": 32, "FF": 1586, "LUT": 2111, "URAM": 0},
        LENET_LOOPS, part="xc7z010-clg400-1"))
    (tmp_path / "conv1_pragma_Pipeline_csynth.rpt").write_text(LENET_RPT)
    modules = read_reports(tmp_path)
    conv = modules["conv1_pragma"]
    assert (conv.worst_latency, conv.interval, conv.part, conv.clock_ns, conv.version) == (
        17671, 17671, "xc7z010-clg400-1", 10.0, "2023.1")
    assert conv.resources == {"BRAM_18K": 0, "DSP": 32, "FF": 1586, "LUT": 2111, "URAM": 0}
    (loop,) = conv.loops
    assert (loop.name, loop.trip_count, loop.latency, loop.iteration_latency) == ("VITIS_LOOP_117_1", 3, 17670, 5890)
    pipe = modules["conv1_pragma_Pipeline_VITIS_LOOP_118_2_VITIS_LOOP_119_3"]
    assert (pipe.best_latency, pipe.worst_latency, pipe.interval, pipe.part, pipe.clock_ns) == (
        5887, 5887, 5887, "xc7z010-clg400-1", 10.0)
    assert pipe.resources == {"BRAM_18K": 0, "DSP": 32, "FF": 1178, "LUT": 1998, "URAM": 0}
    (loop,) = pipe.loops
    assert (loop.name, loop.trip_count, loop.latency, loop.iteration_latency, loop.ii) == (
        "VITIS_LOOP_118_2_VITIS_LOOP_119_3", 392, 5885, 21, 15)


def test_bad_reports_are_refused_by_name(tmp_path) -> None:
    bomb = tmp_path / "bomb_csynth.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><profile>&a;</profile>')
    with pytest.raises(ValueError, match="bomb_csynth.xml: a report has no DTD or entities"):
        read_reports(bomb)
    other = tmp_path / "x_csynth.xml"
    other.write_text("<html></html>")
    with pytest.raises(ValueError, match="x_csynth.xml: not a csynth XML report"):
        read_reports(other)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no csynth.xml or csynth.rpt report under"):
        read_reports(empty)
