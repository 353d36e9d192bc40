"""The Synthesis Summary Report (``syn/report/csynth.rpt`` of Vitis HLS 2022.1 and later),
read as Vitis writes it.

The fixture has the layout and the figures of a public Vitis 2023.2 report: PolyBench's
syr2k (gct02/AHLS @ 1107c9221d340688ecb2f86f0f068b33a997868b,
hls/vitis_projects/jianyicheng/syr2k/solution1/syn/report/csynth.rpt) — a top module with
a sub-module per pipelined loop, two of them inside rolled loops, and modules whose
resources the table gives as ``-``.
"""

from __future__ import annotations

import json

import pytest

from accel.cli import main
from accel.csynth import read_reports
from tests.accel.test_csynth import module_xml

BORDER = "    +" + "+".join("-" * w for w in (50, 8, 7, 9, 11, 10, 9, 6, 10, 11, 11, 13, 13, 5)) + "+"
HEADER = """    |                      Modules                     |  Issue |       | Latency |  Latency  | Iteration|         | Trip |          |           |           |             |             |     |
    |                      & Loops                     |  Type  | Slack | (cycles)|    (ns)   |  Latency | Interval| Count| Pipelined|   BRAM    |    DSP    |      FF     |     LUT     | URAM|"""
ROWS = """    |+ main                                            |  Timing|  -1.35|    32709|  1.636e+05|         -|    32710|     -|        no|  124 (44%)|  131 (59%)|  45894 (43%)|  35642 (66%)|    -|
    | + main_Pipeline_VITIS_LOOP_31_1_VITIS_LOOP_32_2  |  Timing|  -1.17|     2050|  1.025e+04|         -|     2050|     -|        no|          -|          -|     58 (~0%)|    197 (~0%)|    -|
    |  o VITIS_LOOP_31_1_VITIS_LOOP_32_2               |      II|   3.65|     2048|  1.024e+04|         3|        2|  1024|       yes|          -|          -|            -|            -|    -|
    | o VITIS_LOOP_45_3                                |       -|   3.65|    15328|  7.666e+04|       479|        -|    32|        no|          -|          -|            -|            -|    -|
    |  + main_Pipeline_VITIS_LOOP_47_4                 |  Timing|  -1.35|      475|  2.375e+03|         -|      475|     -|        no|          -|          -|  16611 (15%)|   7459 (14%)|    -|
    |   o VITIS_LOOP_47_4                              |      II|   3.65|      473|  2.365e+03|       350|        4|    32|       yes|          -|          -|            -|            -|    -|
    | o VITIS_LOOP_11_1                                |       -|   3.65|    15328|  7.666e+04|       479|        -|    32|        no|          -|          -|            -|            -|    -|
    |  + main_Pipeline_VITIS_LOOP_13_2                 |  Timing|  -1.35|      475|  2.375e+03|         -|      475|     -|        no|          -|          -|  16611 (15%)|   7459 (14%)|    -|
    |   o VITIS_LOOP_13_2                              |      II|   3.65|      473|  2.365e+03|       350|        4|    32|       yes|          -|          -|            -|            -|    -|"""


def summary(header: str = HEADER, rows: str = ROWS, end: bool = True) -> str:
    return f"""

================================================================
== Synthesis Summary Report of 'main'
================================================================
+ General Information: 
    * Date:           Mon Aug 12 18:57:17 2024
    * Version:        2023.2 (Build 4023990 on Oct 11 2023)
    * Project:        syr2k
    * Solution:       solution1 (Vivado IP Flow Target)
    * Product family: zynq
    * Target device:  xc7z020-clg400-1
    

+ Performance & Resource Estimates: 
    
    PS: '+' for module; 'o' for loop; '*' for dataflow
{BORDER}
{header}
{BORDER}
{rows}
{BORDER if end else ""}


================================================================
== HW Interfaces
================================================================
"""


@pytest.fixture
def report(tmp_path):
    folder = tmp_path / "solution1" / "syn" / "report"
    folder.mkdir(parents=True)
    (folder / "csynth.rpt").write_text(summary())
    return folder


def test_every_module_and_loop_of_the_summary(report) -> None:
    modules = read_reports(report)
    assert set(modules) == {"main", "main_Pipeline_VITIS_LOOP_31_1_VITIS_LOOP_32_2", "main_Pipeline_VITIS_LOOP_47_4",
                            "main_Pipeline_VITIS_LOOP_13_2"}
    main_ = modules["main"]
    assert (main_.best_latency, main_.worst_latency, main_.interval) == (32709, 32709, 32710)
    assert main_.resources == {"BRAM_18K": 124, "DSP": 131, "FF": 45894, "LUT": 35642, "URAM": 0}
    assert (main_.part, main_.version, main_.clock_ns, main_.from_summary) == ("xc7z020-clg400-1", "2023.2", None, True)
    rolled = {loop.name: loop for loop in main_.loops}
    assert set(rolled) == {"VITIS_LOOP_45_3", "VITIS_LOOP_11_1"}  # the pipelined ones belong to their modules
    assert (rolled["VITIS_LOOP_45_3"].trip_count, rolled["VITIS_LOOP_45_3"].latency,
            rolled["VITIS_LOOP_45_3"].iteration_latency, rolled["VITIS_LOOP_45_3"].ii) == (32, 15328, 479, None)
    (loop,) = modules["main_Pipeline_VITIS_LOOP_47_4"].loops
    assert (loop.name, loop.trip_count, loop.latency, loop.iteration_latency, loop.ii) == (
        "VITIS_LOOP_47_4", 32, 473, 350, 4)
    assert modules["main_Pipeline_VITIS_LOOP_47_4"].resources == {"BRAM_18K": 0, "DSP": 0, "FF": 16611, "LUT": 7459,
                                                                   "URAM": 0}


def test_columns_are_found_by_name(tmp_path) -> None:
    """A release whose table has no Slack column reads the same."""
    def drop(line: str, k: int = 3) -> str:
        cells = line.split("|")
        return "|".join(cells[:k] + cells[k + 1:])
    header = "\n".join(drop(line) for line in HEADER.splitlines())
    rows = "\n".join(drop(line) for line in ROWS.splitlines())
    (tmp_path / "csynth.rpt").write_text(summary(header, rows))
    modules = read_reports(tmp_path)
    assert modules["main"].worst_latency == 32709 and modules["main"].loops[0].iteration_latency == 479


def test_a_modules_own_report_wins_over_the_summary(report) -> None:
    resources = {"BRAM_18K": 124, "DSP": 131, "FF": 45894, "LUT": 35642, "URAM": 0}
    (report / "main_csynth.xml").write_text(module_xml("main", 32700, 32709, 32710, resources))
    modules = read_reports(report)
    assert modules["main"].best_latency == 32700 and not modules["main"].from_summary
    assert modules["main_Pipeline_VITIS_LOOP_13_2"].from_summary


@pytest.mark.parametrize("text, fragment", [
    (summary(end=False).split("== HW Interfaces")[0].rstrip().rsplit("\n", 1)[0], "estimates table is cut short"),
    (summary(rows=ROWS.replace("|+ main ", "|# main ")), "summary row '# main' is neither a module"),
    (summary(rows=ROWS.split("\n", 1)[1].replace("| + main_Pipeline_VITIS_LOOP_31_1", "|+ x").split("\n", 1)[1]),
     "loop 'VITIS_LOOP_31_1_VITIS_LOOP_32_2' outside any module"),
    (summary().replace("+ Performance & Resource Estimates", "+ Estimates"), "without its 'Performance & Resource"),
])
def test_a_broken_summary_names_the_file(tmp_path, text, fragment) -> None:
    (tmp_path / "csynth.rpt").write_text(text)
    with pytest.raises(ValueError, match="csynth.rpt: ") as err:
        read_reports(tmp_path)
    assert fragment in str(err.value)


def test_calibrate_reads_a_solution_folder(tmp_path, report, capsys) -> None:
    """``accel calibrate --reports solution1/syn/report`` on a folder holding only the
    summary (the issue's case: it failed at once); --match names the layer's module."""
    (tmp_path / "net.yaml").write_text("""
name: syr2k
input: {shape: [32], type: "ap_fixed<32,16>"}
defaults: {types: {weight: "ap_fixed<32,16>", bias: "ap_fixed<32,16>", accum: "ap_fixed<32,16>", result: "ap_fixed<32,16>"}}
layers:
  - {name: fc, op: dense, out_features: 32, directives: {pipeline: n}}
""")
    assert main(["calibrate", "--config", str(tmp_path / "net.yaml"), "--reports", str(report), "--match",
                 "fc=main_Pipeline_VITIS_LOOP_47_4", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["part"] == "xc7z020-clg400-1"
    assert {(r["figure"], r["reported"]) for r in data["rows"]} >= {("WorstLatency", 475), ("LUT", 7459), ("FF", 16611)}
