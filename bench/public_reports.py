"""Published Vitis/Vivado HLS synthesis reports of designs the estimator was not fitted to,
written as the layers they synthesize.

Each entry names the public source (repository, commit, report file), the C++ it
synthesized (as a loop nest with its pragmas), and the figures the report gives. The
estimator costs the same nest; ``bench/bench_estimator.py`` prints estimate, report and
error, and ``tests/layers/hw/test_public_reports.py`` holds the held-out goals (latency
within 10 %, BRAM_18K within 15 %, DSP exact).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from layers import Conv, Directives, LayerTypes
from layers.core.base import Layer
from layers.hw import Profile, find_device
from quant import FixedType


@dataclass(frozen=True)
class PublicReport:
    name: str
    source: str  # repository @ commit : report file
    tool: str  # vitis-2020+ | vivado-hls
    board: str
    build: Callable[[], tuple[Layer, tuple[int, ...], FixedType]]  # layer, input shape, input type
    reported: dict[str, float] = field(default_factory=dict)  # WorstLatency, II, DSP, BRAM_18K, LUT, FF
    note: str = ""
    fitted: frozenset[str] = frozenset()  # figures a rule or number of the model was read off this report

    def estimate(self):
        layer, shape, in_type = self.build()
        profile = Profile.load().with_tool(self.tool)
        return layer.estimate(shape, in_type, find_device(self.board), profile)


INT32 = FixedType.parse("ap_fixed<32,32,AP_TRN,AP_WRAP>")  # C's int: wraps, products truncated to 32 bits


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


CHAR = FixedType.parse("ap_fixed<8,8,AP_TRN,AP_WRAP>")  # C's char
SHORT = FixedType.parse("ap_fixed<16,16,AP_TRN,AP_WRAP>")  # C's short


AP_MEMORY = (("weight", 2), ("input", 2), ("output", 2))  # a, b, res: the top function's ap_memory ports


def _ug871_matrixmul(directives: Directives, ports=AP_MEMORY) -> Callable[[], tuple[Layer, tuple[int, ...], FixedType]]:
    """UG871's lab: ``res[i][j] = sum_k a[i][k] * b[k][j]`` on 3x3 ``char`` matrices, the
    sum in a ``short`` started from 0 (``tmp = 0; for k: tmp += a*b; res = tmp``) — a 1x1
    conv over 3 positions without bias: m = i, c = j, n = k; a, b and res are the top
    function's memory ports."""
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
REPORTS = (
    PublicReport(
        "UG871 matrixmul, no pragmas (Vitis 2024.1)",
        "nightt5879/FPGA@de37fd7: ZedBoard/HLS_lab/lab1/matrixmul/matrixmul/hls/syn/report/csynth.rpt "
        "(Vitis HLS 2024.1, xc7z020, 10 ns, 'No pragmas found')",
        "vitis-2020+", "zedboard", _ug871_matrixmul(Directives()),
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
        "vitis-2020+", "zcu104", _ug871_matrixmul(Directives(auto_pipeline=False)),
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
        "vitis-2020+", "zcu104",
        _ug871_matrixmul(Directives(pipeline="c"), ports=(("weight", 1), ("input", 1), ("output", 2))),
        {"WorstLatency": 31, "II": 3, "DSP": 2, "BRAM_18K": 0, "LUT": 314, "FF": 29},
        f"{UG871}: three reads of a and of b through one port each: II 3",
    ),
    PublicReport(
        "UG871 matrixmul, PIPELINE Product (2021.2)",
        _bol_edu("solution2"),
        "vitis-2020+", "pynq-z2", _ug871_matrixmul(Directives(pipeline="n")),
        {"WorstLatency": 34, "II": 1, "DSP": 1, "BRAM_18K": 0, "LUT": 387, "FF": 249},
        f"{UG871}: Row_Col_Product flattened, trip 27", fitted=frozenset({"WorstLatency"}),
    ),
    PublicReport(
        "UG871 matrixmul, PIPELINE Col (2021.2)",
        _bol_edu("solution3"),
        "vitis-2020+", "pynq-z2", _ug871_matrixmul(Directives(pipeline="c")),
        {"WorstLatency": 24, "II": 2, "DSP": 2, "BRAM_18K": 0, "LUT": 393, "FF": 117},
        f"{UG871}: Product unrolled, three reads of a and b from two ports: II 2",
        fitted=frozenset({"WorstLatency", "DSP"}),
    ),
    PublicReport(
        "UG871 matrixmul, PIPELINE Col + reshape (2021.2)",
        _bol_edu("solution4"),
        "vitis-2020+", "pynq-z2",
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
        "vitis-2020+", "pynq-z2", _matmul_128,
        # latency: the loop's 65,545 plus the module's call; BRAM: the parent's A, B, C (48 banks x 2)
        {"WorstLatency": 65547, "II": 4, "DSP": 96, "BRAM_18K": 96, "LUT": 9554, "FF": 13688},
        "II 4: 128 reads of A and B a cycle from 16 two-port banks each; 32 shared 3-DSP multipliers",
        fitted=frozenset({"WorstLatency", "DSP", "LUT", "FF"}),
    ),
)
