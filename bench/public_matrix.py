"""Published reports of matrix products (UG871's 3x3 lab from five projects, a 128x128
``int`` product), written as 1x1 convolutions: m = i (rows of A), c = j (columns of B),
n = k (the sum); weight = A (m, n), input = B (n, r, c), output = C (m, r, c)."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from layers import Conv, Directives, LayerTypes
from layers.core.base import Layer
from public_report import CHAR, INT32, SHORT, PublicReport
from quant import FixedType


def _matmul_128() -> tuple[Layer, tuple[int, ...], FixedType]:
    """``C[i][j] = sum_k A[i][k] * B[k][j]`` on 128x128 ``int`` matrices, the (i, j) loop
    ``PIPELINE II=1`` with k unrolled inside it, A/B/C ``ARRAY_PARTITION block factor=16``
    along k (A dim 2, B dim 1) and j (C dim 2). As a 1x1 conv over one row of 128
    positions: m = i, c = j, n = k; weight = A (m, n), input = B (n, r, c), output = C (m, r, c)."""
    types = LayerTypes(INT32, INT32, INT32, INT32, INT32, product=INT32)
    directives = Directives(pipeline="c", ii=1, partition=(("weight", "block", 16, 2), ("input", "block", 16, 1),
                                                            ("output", "block", 16, 3)))
    layer = Conv("matmul", 128, (1, 1), types, bias=False, order=("m", "r", "c", "n", "i", "j"),
                 directives=directives)
    return layer, (128, 1, 128), INT32


AP_MEMORY = (("weight", 2), ("input", 2), ("output", 2))  # a, b, res: the top function's ap_memory ports


def _ug871_matrixmul(directives: Directives, ports=AP_MEMORY) -> Callable[[], tuple[Layer, tuple[int, ...], FixedType]]:
    """UG871's lab: ``res[i][j] = 0; for k: res[i][j] += a[i][k] * b[k][j]`` on 3x3 ``char``
    matrices into ``short`` — a 1x1 conv over 3 positions without bias: m = i, c = j, n = k;
    a, b and res are the top function's memory ports."""
    types = LayerTypes(CHAR, CHAR, SHORT, SHORT, SHORT)
    directives = replace(directives, ports=ports)

    def build():
        layer = Conv("matrixmul", 3, (1, 1), types, bias=False, order=("m", "r", "c", "n", "i", "j"),
                     directives=directives)
        return layer, (3, 1, 3), CHAR

    return build


def _bol_edu(solution: str) -> str:
    """Where a solution of bol-edu's UG871 lab (Vitis HLS 2021.2) published its report."""
    return (f"bol-edu/2022-spring-nthu@88b29de: Lab_A_UG871/Design_Optimization/HLS_Design_Optimization/LABA1/"
            f"{solution}/syn/report/csynth.rpt (Vitis HLS 2021.2, xc7z020, 10 ns)")


UG871 = "the 3x3 char matrix product of UG871's design-optimization lab"
MATRIX = (
    PublicReport(
        "UG871 matrixmul, no pragmas (Vitis 2024.1)",
        "nightt5879/FPGA@de37fd7: ZedBoard/HLS_lab/lab1/matrixmul/matrixmul/hls/syn/report/csynth.rpt "
        "(Vitis HLS 2024.1, xc7z020, 10 ns, 'No pragmas found')",
        "vitis", "zedboard", _ug871_matrixmul(Directives()),
        {"WorstLatency": 24, "II": 2, "DSP": 2, "BRAM_18K": 0, "LUT": 376, "FF": 126},
        f"{UG871}: the tool pipelines Row_Col on its own with Product unrolled (trip 9, II 2 on two-port "
        "memories); one 8x8 product in LUTs. Its register table (.autopilot/db/matrixmul.verbose.rpt): 64 FF "
        "for a 1-bit exit flag delayed down the pipeline, 24 operands held a cycle, 10 control, 28 indices",
    ),
    PublicReport(
        "UG871 matrixmul, PIPELINE off (Vitis 2024.1)",
        "jambakhtiar/FPGA_Erosion_Dilation_Filters_using_HLS@605fd79: src/HLS_workspace/v1_MM_no_opt/matrixmul/"
        "hls/syn/report/matrixmul_csynth.rpt (Vitis HLS 2024.1, xczu7ev, 10 ns; hls_config.cfg: PIPELINE off "
        "on Col and Product)",
        "vitis", "zcu104", _ug871_matrixmul(Directives(auto_pipeline=False)),
        {"WorstLatency": 160, "DSP": 1, "BRAM_18K": 0, "LUT": 189, "FF": 46},  # (no II: nothing pipelined)
        f"{UG871}, rolled: Product 5 cycles an iteration (read, DSP mac of latency 3, exit), Col 17, Row 53; "
        "its 8-bit one-hot ap_CS_fsm is where a rolled nest's FSM cost (a register a state) was read",
        fitted=frozenset({"WorstLatency", "FF"}),
    ),
    PublicReport(
        "UG871 matrixmul, PIPELINE Col, single-port a, b (2024.1)",
        "jambakhtiar/FPGA_Erosion_Dilation_Filters_using_HLS@605fd79: src/HLS_workspace/MM_ColPipeline/"
        "MM_ColPipeline/hls/syn/report/matrixmul_csynth.rpt (Vitis HLS 2024.1, xczu7ev, 10 ns; a and b "
        "through bram interfaces of one port)",
        "vitis", "zcu104",
        _ug871_matrixmul(Directives(pipeline="c"), ports=(("weight", 1), ("input", 1), ("output", 2))),
        {"WorstLatency": 31, "II": 3, "DSP": 2, "BRAM_18K": 0, "LUT": 314, "FF": 29},
        f"{UG871}: three reads of a and of b through one port each: II 3",
    ),
    PublicReport(
        "UG871 matrixmul, PIPELINE Product (2021.2)",
        _bol_edu("solution2"),
        "vitis", "pynq-z2", _ug871_matrixmul(Directives(pipeline="n")),
        {"WorstLatency": 34, "II": 1, "DSP": 1, "BRAM_18K": 0, "LUT": 387, "FF": 249},
        f"{UG871}: Row_Col_Product flattened, trip 27", fitted=frozenset({"WorstLatency"}),
    ),
    PublicReport(
        "UG871 matrixmul, PIPELINE Col (2021.2)",
        _bol_edu("solution3"),
        "vitis", "pynq-z2", _ug871_matrixmul(Directives(pipeline="c")),
        {"WorstLatency": 24, "II": 2, "DSP": 2, "BRAM_18K": 0, "LUT": 393, "FF": 117},
        f"{UG871}: Product unrolled, three reads of a and b from two ports: II 2",
        fitted=frozenset({"WorstLatency", "DSP"}),
    ),
    PublicReport(
        "UG871 matrixmul, PIPELINE Col + reshape (2021.2)",
        _bol_edu("solution4"),
        "vitis", "pynq-z2",
        _ug871_matrixmul(Directives(pipeline="c", reshape=(("weight", "complete", 0, 2), ("input", "complete", 0, 1)))),
        {"WorstLatency": 15, "II": 1, "DSP": 2, "BRAM_18K": 0, "LUT": 273, "FF": 201},
        f"{UG871}: ARRAY_RESHAPE complete of a (dim 2) and b (dim 1): a row of a and a column of b in one "
        "24-bit word each (the report's a_q0, b_q0), one read a cycle",
        fitted=frozenset({"DSP"}),
    ),
    PublicReport(
        "128x128 int matmul, k unrolled under a pipelined (i, j)",
        "S1ddharthhh/Pynq-Z2-Matrix-Acceleration@5fcf469: matmul-ip/matmul/matmul_hls/hls/syn/report/"
        "matmul_hls_Pipeline_VITIS_LOOP_51_5_VITIS_LOOP_52_6_csynth.rpt (Vitis HLS 2024.1, xc7z020, 10 ns)",
        "vitis", "pynq-z2", _matmul_128,
        # latency: the loop's 65,545 plus the module's call; BRAM: the parent's A, B, C (48 banks x 2)
        {"WorstLatency": 65547, "II": 4, "DSP": 96, "BRAM_18K": 96, "LUT": 9554, "FF": 13688},
        "II 4: 128 reads of A and B a cycle from 16 two-port banks each; 32 shared 3-DSP multipliers",
        fitted=frozenset({"WorstLatency", "DSP", "LUT", "FF"}),
    ),
    *(PublicReport(
        f"UG871 matrixmul, {what} (Vitis 2022.1)",
        f"sssh311318/HLS_LAB_A@9fb64c3: matrixmul/{solution}/syn/report/csynth.rpt (Vitis HLS 2022.1, xcu50, "
        f"13.33 ns; directives.tcl: {pragmas})",
        "vitis", "u50", _ug871_matrixmul(directives), reported, f"{UG871}: {note}")
      for what, solution, pragmas, directives, reported, note in (
        ("PIPELINE off, LOOP_FLATTEN off", "solution1", "PIPELINE off on Col, LOOP_FLATTEN off on Row",
         Directives(auto_pipeline=False, flatten=False),
         {"WorstLatency": 160, "DSP": 1, "BRAM_18K": 0, "LUT": 186, "FF": 46},
         "Product 5 cycles an iteration, Col 17, Row 53, as 2024.1's"),
        ("PIPELINE Product, LOOP_FLATTEN off", "solution2", "PIPELINE on Product, LOOP_FLATTEN off on Col",
         Directives(pipeline="n", flatten=False),
         {"WorstLatency": 106, "II": 1, "DSP": 1, "BRAM_18K": 0, "LUT": 238, "FF": 114},
         "the pipelined Product becomes a module of its own (matrixmul_Pipeline_Product, 8 cycles), called "
         "from a Col iteration of 11 cycles: 4 around the pipeline where UG1399's rule counts 2"),
        ("PIPELINE Col", "solution3", "PIPELINE on Col, LOOP_FLATTEN on Row",
         Directives(pipeline="c"),
         {"WorstLatency": 23, "II": 2, "DSP": 2, "BRAM_18K": 0, "LUT": 306, "FF": 48},
         "Row_Col flattened (9 trips), Product unrolled: II 2 from the two-port a and b"),
        ("PIPELINE Col + reshape", "solution4", "PIPELINE on Col, ARRAY_RESHAPE complete a dim 2, b dim 1",
         Directives(pipeline="c", reshape=(("weight", "complete", 0, 2), ("input", "complete", 0, 1))),
         {"WorstLatency": 15, "II": 1, "DSP": 2, "BRAM_18K": 0, "LUT": 245, "FF": 199},
         "a row of a and a column of b one word each: II 1"),
    )),
    PublicReport(
        "UG871 matrixmul, no pragmas (Vivado HLS 2019.2)",
        "MukulSingh105/Accelerated-Matrix-Multiplication@ae4ecd6: solution1/syn/report/matrixmul_csynth.rpt "
        "(Vivado HLS 2019.2, xc7a35t, 10 ns; directives.tcl empty)",
        "vivado-hls", "arty-a7-35", _ug871_matrixmul(Directives()),
        {"WorstLatency": 106, "DSP": 1, "BRAM_18K": 0, "LUT": 189, "FF": 61},
        f"{UG871}: Vivado HLS pipelines nothing unasked; Product 3 cycles an iteration (res read, written "
        "back), Col 11, Row 35. The vivado-hls behaviour's rolled logic is the seed's per-kind numbers "
        "(an AlexNet conv's index arithmetic: 12 DSPs), which a 3x3 product does not have",
    ),
)
