"""Published reports of neural-network-shaped kernels: the 1-D DCT of UG871's DCT lab (an
8x8 dense layer over a constant coefficient table) and a small CNN's 3x3 convolution."""

from __future__ import annotations

from typing import Callable

from layers import Conv, Dense, Directives, LayerTypes
from layers.core.base import Layer
from public_report import INT32, SHORT, PublicReport
from quant import FixedType


def _dct_1d(**directives) -> Callable[[], tuple[Layer, tuple[int, ...], FixedType]]:
    """``for k { tmp = 0; for n: tmp += src[n] * (int)coeff[k][n]; dst[k] = DESCALE(tmp, 13); }``
    on ``short`` data: a dense layer of 8 outputs over 8 inputs without bias, its weights the
    ``const`` coefficient table (a ROM), the sum an ``int`` in a local (``local_sum``);
    ``src`` and ``dst`` are the
    caller's arrays, reached through their ports (``dct_1d`` is a module of its own)."""
    types = LayerTypes(SHORT, SHORT, INT32, INT32, SHORT, product=INT32)

    def build():
        d = Directives(rom=("weight",), local_sum=True, ports=(("input", 2), ("output", 2)), **directives)
        return Dense("dct_1d", 8, types, bias=False, directives=d), (8,), SHORT

    return build


def _row_dct(**directives) -> Callable[[], tuple[Layer, tuple[int, ...], FixedType]]:
    """``Row_DCT_Loop: for i<8: dct_1d(in_block[i], row_outbuf[i])`` with ``dct_1d`` inlined:
    the 1-D DCT of each of 8 rows, a 1x1 conv over 8 positions (r = the row, m = k, n = n),
    the sum in a local ``int`` stored after the inner loop (``local_sum``); the buffers are
    the callers' (ports of the pipeline's module)."""
    types = LayerTypes(SHORT, SHORT, INT32, INT32, SHORT, product=INT32)

    def build():
        d = Directives(rom=("weight",), local_sum=True, ports=(("input", 2), ("output", 2)), **directives)
        return Conv("row_dct", 8, (1, 1), types, bias=False, order=("r", "c", "m", "n", "i", "j"),
                    directives=d), (8, 8, 1), SHORT

    return build


def _chao(solution: str, pragmas: str) -> str:
    return (f"chaoNTUEE/HLS_Lab-A@c7c40e2: {solution}/csynth.rpt, loop Row_DCT_Loop (Vitis HLS 2022.1, xcvu9p, "
            f"10 ns; {pragmas})")


def _ryan(solution: str, module: str, pragmas: str) -> str:
    return (f"ryan880718/HLS_LabA@14f3f96: LabA/lab1/dct_prj/{solution}/syn/report/{module}_csynth.rpt "
            f"(Vitis HLS 2020.1, xcvu9p, 8 ns; directives.tcl: {pragmas})")


DCT = "the dct_1d module of UG871's DCT lab (the 2-D DCT's row and column transform)"
F85 = FixedType.parse("ap_fixed<8,5>")


def _cnn_conv2() -> tuple[Layer, tuple[int, ...], FixedType]:
    """``for co<16, h<14, w<14 { PIPELINE II=1; sum = bias[co]; for ci<8 (UNROLL factor=16),
    kh<3, kw<3: if (in bounds) sum += (fixed)(temp[..] * weight[..]); out[..] = relu(sum); }``
    with ``fixed`` = ``ap_fixed<8,5>`` everywhere (products cast to it before the add), the
    input copied first into a local ``temp`` bound to a single-port BRAM (``RESOURCE
    core=RAM_1P_BRAM``); weight, bias and output are the module's memory ports. A 3x3 conv
    with padding 1, 8 -> 16 channels on 14x14."""
    types = LayerTypes(F85, F85, F85, F85, F85, product=F85)
    d = Directives(pipeline="c", unroll=(("n", 16),), storage=(("input", "bram", "ram_1p"),),
                   ports=(("weight", 2), ("bias", 2), ("output", 2)))
    return Conv("conv2", 16, (3, 3), types, padding=1, relu=True, directives=d), (8, 14, 14), F85


LAYERS = (
    PublicReport(
        "DCT dct_1d, no pragmas (Vitis 2020.1)", _ryan("solution1", "dct_1d2", "none"),
        "vitis-2020.1", "xcvu9p", _dct_1d(),
        {"WorstLatency": 145, "DSP": 1, "BRAM_18K": 0, "LUT": 196, "FF": 85},
        f"{DCT}: nothing pipelined (2020.1 pipelines no loop unasked: every loop of the design stays rolled); "
        "DCT_Inner_Loop 2 cycles an iteration (the multiply-add combinational), the outer 18. The 8x8 "
        "table is a 64x15-bit LUT ROM: Vitis trims a ROM's words to its values (15 bits), the estimate "
        "costs the declared 16 (1,024 bits: one BRAM)",
        fitted=frozenset({"WorstLatency"}), kind="dense",
    ),
    PublicReport(
        "DCT dct_1d, PIPELINE inner (Vitis 2020.1)", _ryan("solution2", "dct_1d2", "PIPELINE DCT_Inner_Loop"),
        "vitis-2020.1", "xcvu9p", _dct_1d(pipeline="n"),
        {"WorstLatency": 89, "II": 1, "DSP": 1, "BRAM_18K": 0, "LUT": 215, "FF": 84},
        f"{DCT}: the sum kept in a local and stored after the inner loop keeps the outer loop a loop (11 "
        "cycles an outer iteration, 2 around the pipeline: 2020.1 inlines it); UG871's sum into res flattens",
        fitted=frozenset({"WorstLatency"}), kind="dense",
    ),
    PublicReport(
        "DCT dct_1d, PIPELINE outer (Vitis 2020.1)", _ryan("solution3", "dct_1d2", "PIPELINE DCT_Outer_Loop"),
        "vitis-2020.1", "xcvu9p", _dct_1d(pipeline="m"),
        {"WorstLatency": 34, "II": 4, "DSP": 8, "BRAM_18K": 0, "LUT": 318, "FF": 407},
        f"{DCT}: the inner loop unrolled, 8 reads of src through 2 ports: II 4; the coefficient table "
        "partitioned by the tool into 8 ROMs of 8 words (no pragma); iteration latency 5",
        kind="dense",
    ),
    PublicReport(
        "DCT dct_1d, PIPELINE outer, src partitioned (Vitis 2020.1)",
        _ryan("solution4", "dct_1d", "PIPELINE DCT_Outer_Loop; ARRAY_PARTITION complete dim 2 of the caller's "
              "buffers"),
        "vitis-2020.1", "xcvu9p", _dct_1d(pipeline="m", partition=(("input", "complete", 0, 1),)),
        {"WorstLatency": 11, "II": 1, "DSP": 8, "BRAM_18K": 0, "LUT": 200, "FF": 350},
        f"{DCT}: the caller's row buffer partitioned, src comes as 8 ports: II 1, iteration latency 3 "
        "(the adder tree chained within the 8 ns clock; the estimate counts a cycle a level: 5). Without the "
        "tool's partition of the coefficient ROM, 8 reads of 2 ports would hold it at II 4",
        fitted=frozenset({"II"}), kind="dense",
    ),
    PublicReport(
        "DCT rows, PIPELINE off (Vitis 2022.1)", _chao("solution1_baseline/report_nopipeline", "nothing pipelined"),
        "vitis", "xcvu9p", _row_dct(auto_pipeline=False), {"WorstLatency": 2704},
        f"{DCT}, inlined into its 8-row loop: DCT_Inner_Loop 5 cycles an iteration (the multiply-add "
        "registered: 2021.2+), DCT_Outer_Loop 42, Row_DCT_Loop 338 (the loop's own figures; the module's "
        "resources are the whole 2-D DCT's)", kind="dense",
    ),
    PublicReport(
        "DCT rows, -pipeline_loops 6 (Vitis 2022.1)", _chao("solution2_pipeline_loop/report",
                                                             "config_compile -pipeline_loops 6"),
        "vitis", "xcvu9p", _row_dct(), {"WorstLatency": 1024, "II": 1, "DSP": 1},
        f"{DCT}: the 8-trip inner loop is above the threshold 6: pipelined alone, a module of its own "
        "(dct_Pipeline_DCT_Inner_Loop: 13 cycles, 11 for its loop), under the flattened 64-trip row and "
        "outer loop of 16 cycles an iteration — where the call of a pipeline module was read off",
        fitted=frozenset({"WorstLatency"}), kind="dense", pipeline_loops=6,
    ),
    PublicReport(
        "CNN conv2 3x3, 8->16 on 14x14, <8,5> (Vivado HLS 2020.1)",
        "aa08453/CNN-on-FPGA@a7ddfb5: solution1/syn/report/conv2_csynth.rpt (Vivado HLS 2020.1, xc7z020, "
        "10 ns; src/conv.cpp)",
        "vivado-hls", "pynq-z2", _cnn_conv2,
        {"WorstLatency": 232089, "II": 73, "DSP": 0, "BRAM_18K": 1, "LUT": 12876, "FF": 4572},
        "72 products a cycle from a single-port temp: II 73 (the estimate: 72, one read a cycle); the copy "
        "loop into temp (3,136 cycles) is not part of the layer's nest; every 8x8 product in LUTs (cast "
        "to <8,5> before the add, so no DSP post-adder takes it)",
        fitted=frozenset({"DSP"}), kind="conv",
    ),
)
