"""The MAC kernel model on small nests whose cycles and resources follow by hand from
UG1399's loop formulas and the BRAM/DSP rules (the numbers in comments show the sums)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from layers.hw.devices import find_device
from layers import Conv, Dense, Directives, LayerTypes
from layers.hw import Preset, Profile
from quant import FixedType

Q16 = FixedType.parse("ap_fixed<16,4,AP_RND,AP_SAT>")
ACC = FixedType.parse("ap_fixed<40,16>")
TYPES = LayerTypes(Q16, Q16, Q16, ACC, Q16)
ULTRA96 = find_device("ultra96")
PROFILE = Profile.load()
# a MAC's pipeline depth: read, multiply (a registered DSP product), accumulate, write
DEPTH = sum(PROFILE.latency(op) for op in ("read", "multiply", "add", "write"))


def dense(directives: Directives, tiles=(), order=("m", "n"), types=TYPES, out=64) -> Dense:
    return Dense("fc", out, types, tiles=tiles, order=order, directives=directives)


def test_pipelined_nest_is_flattened_into_one_pipeline() -> None:
    est = dense(Directives(pipeline="n"), out=32).estimate((32,), Q16, ULTRA96, PROFILE)
    # m, n flattened: trip 32*32 = 1024 at II=1; depth read+mul+add+write; +1 to enter
    assert est.WorstLatency == est.BestLatency == (1024 - 1) * 1 + DEPTH + 1
    assert est.IntervalMax == est.WorstLatency + 1
    assert (est.DSP, est.parallel) == (1, 1)
    # whole arrays on chip: weight 1024x16 -> 1 BRAM; input, bias, output 32x16 (512 bits) -> LUTRAM
    assert est.BRAM_18K == 1
    assert {m.name: m.storage for m in est.memories} == {"input": "LUTRAM", "weight": "BRAM",
                                                         "bias": "LUTRAM", "output": "LUTRAM"}


def test_accumulating_into_block_ram_in_a_pipelined_reduction_costs_ii_2() -> None:
    est = dense(Directives(pipeline="n"), out=64).estimate((32,), Q16, ULTRA96, PROFILE)
    # output 64x16 = 1 Kbit -> block RAM (not under 1 Kbit): read 1 + add 1 between iterations
    assert {m.name: m.storage for m in est.memories}["output"] == "BRAM"
    assert est.BRAM_18K == 2 + 1 + 1  # weight 2048x16, bias, output
    assert est.WorstLatency == (2048 - 1) * 2 + DEPTH + 1
    assert "II raised to 2 by the carried dependence" in est.dominant


def test_unrolling_without_partitioning_raises_the_initiation_interval() -> None:
    unrolled = dense(Directives(pipeline="m", unroll=(("m", 8),)), order=("n", "m"))
    est = unrolled.estimate((32,), Q16, ULTRA96, PROFILE)
    # 8 weights a cycle from one dual-port bank -> II 4; the output's 8 read-modify-writes -> 8
    assert "II raised to 8 by output's ports" in est.dominant
    assert est.DSP == 8  # single-DSP multipliers are not shared, even at II 8
    partitioned = replace(unrolled, directives=replace(unrolled.directives, partition=(
        ("weight", "cyclic", 4), ("bias", "cyclic", 4), ("output", "complete", 0))))
    est2 = partitioned.estimate((32,), Q16, ULTRA96, PROFILE)
    # 4 banks serve 8 words a cycle (weight, bias); output: 8 banks for 8 read-modify-writes: II 1
    # n, m flattened: trip = 32 * 64/8 = 256 -> 255 + depth + 1 to enter
    assert est2.WorstLatency == 255 + DEPTH + 1
    assert est2.DSP == 8  # at II=1 every product needs its own
    assert est.WorstLatency > 3 * est2.WorstLatency


def test_adder_tree_deepens_the_pipeline_when_the_reduction_is_unrolled() -> None:
    est = dense(Directives(pipeline="m", partition=(("weight", "complete", 0), ("input", "complete", 0))),
                order=("m", "n")).estimate((32,), Q16, ULTRA96, PROFILE)
    # n (32) unrolled under m: 64 iterations, depth + log2(32)
    assert est.WorstLatency == 63 + DEPTH + 5 + 1
    assert est.DSP == 32


def test_wide_operands_take_more_dsps_and_fabric_binding_takes_none() -> None:
    q32 = FixedType.parse("ap_fixed<32,8>")
    wide = LayerTypes(Q16, q32, Q16, FixedType.parse("ap_fixed<64,24>"), Q16)
    d = Directives(pipeline="m", unroll=(("m", 4),), partition=(("weight", "complete", 0), ("output", "complete", 0)))
    est = dense(d, order=("n", "m"), types=wide).estimate((32,), Q16, ULTRA96, PROFILE)
    # 32x16 on a DSP48E2 (27x18): two slices a multiply; the 64-bit accumulator's
    # read-modify-write of output holds the II at 2, so two products share each multiplier
    assert "II raised to 2" in est.dominant and est.DSP == 2 * 2
    fabric = dense(replace(d, bind="fabric"), order=("n", "m")).estimate((32,), Q16, ULTRA96, PROFILE)
    dsp_bound = dense(d, order=("n", "m")).estimate((32,), Q16, ULTRA96, PROFILE)
    assert fabric.DSP == 0 and dsp_bound.DSP == 4
    assert fabric.LUT - dsp_bound.LUT == round(4 * 16 * 16 * 1.1)


def test_uram_storage_directive() -> None:
    est = dense(Directives(pipeline="n", storage=(("weight", "uram"),)), out=1024).estimate((512,), Q16, ULTRA96, PROFILE)
    weight = next(m for m in est.memories if m.name == "weight")
    assert (weight.storage, weight.URAM, weight.BRAM_18K) == ("URAM", 128, 0)  # 524288 words / 4096


def test_tiles_move_over_dram_and_dataflow_overlaps_them() -> None:
    d = Directives(pipeline="n", partition=(("weight", "complete", 0), ("bias", "complete", 0),
                                            ("output", "complete", 0)))
    plain = dense(d, tiles=(("m", 16), ("n", 64)), order=("n", "m"), out=256)
    flow = replace(plain, directives=replace(d, dataflow=True))
    a = plain.estimate((1024,), Q16, ULTRA96, PROFILE)
    b = flow.estimate((1024,), Q16, ULTRA96, PROFILE)
    # 16 m-tiles x 16 n-tiles; each loads 64 inputs (128 B = 16 beats of 8 B) and 16x64
    # weights (2 KiB = 256 beats); each of the 16 output tiles loads 16 biases (4 beats)
    # and stores 16 accumulators of 40 bits (10 beats); every transfer pays one burst latency
    lat = PROFILE.dram("burst_latency")
    moved = 256 * (16 + lat) + 256 * (256 + lat) + 16 * (4 + lat) + 16 * (10 + lat)
    compute = 256 * ((64 - 1) + DEPTH + 1)  # 256 tiles: a 64-trip pipeline, 16 lanes, +1 to enter
    assert a.BestLatency == a.WorstLatency == moved + compute
    # DATAFLOW: each tile's transfers overlap the previous tile's compute
    per_tile = -(-moved // 256)
    assert b.WorstLatency == 256 * max(per_tile, compute // 256) + min(per_tile, compute // 256)
    assert b.WorstLatency < a.WorstLatency
    assert {m.name: m.copies for m in b.memories} == {"input": 2, "weight": 2, "bias": 2, "output": 2}
    assert b.BRAM_18K == 2 * a.BRAM_18K


def test_rolled_kernel_follows_the_profile() -> None:
    """Under the legacy behaviour a rolled kernel costs the seed's measured cycles per MAC."""
    legacy = PROFILE.with_tool("vivado-hls")
    layer = dense(Directives(), out=4096)
    est = layer.estimate((9216,), Q16, ULTRA96, legacy, Preset.UNOPT)
    assert est.WorstLatency == 3 * 4096 * 9216 + 13 * 4096
    timed = replace(layer, directives=Directives(latency=5)).estimate((9216,), Q16, ULTRA96, PROFILE, Preset.UNOPT)
    assert timed.WorstLatency == 5 * 4096 * 9216 + 13 * 4096  # LATENCY pins the body under any tool


def test_vitis_schedules_a_rolled_nest_from_its_operation_latencies() -> None:
    """PIPELINE off on every loop (``auto_pipeline: false``): the body reads, multiplies,
    accumulates and tests its exit (1 + 2 + 1 + 1 = 5 cycles); each loop around it adds
    two states an iteration; the function one. A 3x3x3 matrix product (m=i, c=j, n=k)."""
    matmul = Conv("mm", 3, (1, 1), TYPES, bias=False, order=("m", "r", "c", "n", "i", "j"),
                  directives=Directives(auto_pipeline=False))
    est = matmul.estimate((3, 1, 3), Q16, ULTRA96, PROFILE)
    body = PROFILE.latency("read") + PROFILE.latency("multiply") + PROFILE.latency("add") + 1
    assert body == 5 and "rolled from operation latencies, 5 cycles per MAC" in est.dominant
    assert est.WorstLatency == 3 * (3 * (3 * body + 2) + 2) + 1  # 160: a public Vitis 2024.1 report's number
    assert est.DSP == 1
    states = body + 2 * 2 + 1  # a one-hot FSM: the body's states, two for each loop around it, the function's
    counters = 3 * 2 * 2  # three 2-bit loop counters and their incremented copies
    assert est.FF - sum(m.FF for m in est.memories) == states + counters + ACC.width  # and the running sum
    assert any(line.endswith("PIPELINE off") for line in matmul.cpp_pragmas((3, 1, 3)))


def test_grouped_convolution_runs_its_groups_one_after_another() -> None:
    d = Directives(pipeline="c", partition=(("input", "complete", 0), ("weight", "complete", 0),
                                            ("bias", "complete", 0), ("output", "complete", 0)))
    one = Conv("c", 8, (3, 3), TYPES, padding=1, order=("i", "j", "r", "c", "m", "n"), directives=d)
    two = replace(one, out_channels=16, groups=2)
    a = one.estimate((4, 9, 9), Q16, ULTRA96, PROFILE)
    b = two.estimate((8, 9, 9), Q16, ULTRA96, PROFILE)
    assert b.WorstLatency == 2 * a.WorstLatency
    assert a.WorstLatency == (3 * 3 * 9 * 9 - 1) + DEPTH + 2 + 1  # 32 lanes: adder tree log2(4) = 2
    assert a.DSP == b.DSP == 32




def test_preset_names_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown preset 'fast'.*config, unopt, opt"):
        Preset.parse("fast")


def test_a_partition_splits_the_dimension_it_names() -> None:
    def ii(dim: int) -> int:
        d = Directives(pipeline="m", partition=(("weight", "cyclic", 4, dim), ("input", "complete", 0)))
        est = dense(d, order=("m", "n")).estimate((32,), Q16, ULTRA96, PROFILE)
        return (est.WorstLatency - DEPTH - 5 - 1) // 63  # 64 iterations of m, depth + log2(32), +1 to enter

    # n unrolled under m reads the 32 weights of one row weight[m][0..31] a cycle. Split along
    # n (dim 2): 4 banks, 8 reads each on 2 ports -> II 4. Split along m (dim 1): the row is in
    # one bank -> II 16. dim 0 splits both: the 4 banks along n decide -> II 4.
    assert (ii(2), ii(1), ii(0)) == (4, 16, 4)


def conv7(tiles=(), order=("m", "r", "c", "n", "i", "j")) -> Conv:
    return Conv("conv", 16, (7, 7), TYPES, tiles=tiles, order=order)


def test_vitis_pipelines_a_short_innermost_loop_on_its_own() -> None:
    """No PIPELINE directive: Vivado HLS leaves the nest rolled (2 cycles a MAC, the seed's
    rows); Vitis pipelines the innermost loop (j, 7 ≤ 64) and flattens the reduction loops
    above it (n, i): one pipeline of Tn*7*7 iterations per output. The output loops around
    it cost two cycles an iteration and the call of the pipeline's module (layers.hw.tool:
    a public 2022.1 DCT, 16 cycles around a 12-cycle pipeline)."""
    layer = conv7(tiles=(("n", 4),))
    shape = (8, 14, 14)  # 16 x 8 x 8 x 8 x 7 x 7 = 401,408 MACs; 16 x 8 x 8 = 1,024 outputs
    vivado = layer.estimate(shape, Q16, ULTRA96, PROFILE.with_tool("vivado-hls"), Preset.CONFIG)
    vitis = layer.estimate(shape, Q16, ULTRA96, PROFILE, Preset.CONFIG)
    assert "rolled, 2 cycles per MAC" in vivado.dominant
    assert "pipelined by Vitis on its own: n*i*j flattened, trip 196, II=1" in vitis.dominant
    macs, call = 401_408, PROFILE.behaviour.call_overhead
    runs = macs // 196  # one run per output and input-channel tile: 2,048
    run = (196 - 1) * 1 + DEPTH  # UG1399: (trip-1)*II + depth
    compute = runs * (run + 2 + call) + PROFILE.latency("loop_entry")
    rolled = 2 * macs + PROFILE.rolled_per_outer("conv") * 1_024  # the seed's rows: 2 a MAC, 6 an output
    assert vitis.WorstLatency - vivado.WorstLatency == compute - rolled  # (the same tile transfers in both)
    per_mac = compute / macs
    assert 1.0 < per_mac < 1.1  # where the rolled profile says 2: the +77 % the issue measured on a 7x7 conv


def test_a_long_innermost_loop_is_pipelined_on_its_own() -> None:
    """UG1399's config_compile (2020.2, 2022.1): "the innermost loop with a tripcount higher
    than the threshold is pipelined, or if [it is] less than or equal to the threshold, its
    parent loop is pipelined" — a public 2022.1 DCT under ``-pipeline_loops 6`` pipelines its
    8-trip inner loop (chaoNTUEE/HLS_Lab-A solution2), under the default 64 unrolls it into
    its pipelined parent (solution1)."""
    long = Dense("fc", 256, TYPES)  # innermost n: 128 > pipeline_loops 64: pipelined itself, not unrolled
    assert "pipelined by Vitis on its own: n flattened, trip 128" in long.estimate((128,), Q16, ULTRA96, PROFILE).dominant
    assert "rolled" in long.estimate((128,), Q16, ULTRA96, PROFILE.with_tool("vivado-hls")).dominant
    assert "rolled" in long.estimate((128,), Q16, ULTRA96, PROFILE.with_tool("vitis-2020.1")).dominant
    dct = Dense("dct", 8, TYPES, bias=False)
    default, six = PROFILE, PROFILE.updated(tool={"pipeline_loops": 6})
    assert "pipelined by Vitis on its own: m flattened, n unrolled, trip 8" in dct.estimate((8,), Q16, ULTRA96,
                                                                                            default).dominant
    assert "pipelined by Vitis on its own: n flattened, trip 8" in dct.estimate((8,), Q16, ULTRA96, six).dominant
    with pytest.raises(ValueError, match="unknown HLS tool 'vivado'"):
        PROFILE.with_tool("vivado")


def test_vitis_unrolls_a_short_run_into_its_parent_and_pipelines_the_parent() -> None:
    """UG1399 (automatic loop pipelining moves up the nest): a 4x4x4 matrix product written
    as three plain loops, C[i][j] = sum_k A[i][k] * B[k][j], is a 1x1 conv over 4 positions
    (m=i, c=j, n=k). The dot product (4 <= 64) is unrolled into the column loop (4 <= 64),
    which is pipelined, flattened with the row loop: trip 16. Four reads of A and of B a
    cycle from two-port memories -> II 2; 4 multipliers. A public Vitis report of exactly
    this code (ap_fixed<16,8>, no pragmas) shows row_loop_col_loop pipelined at II=2, 4 DSPs
    and 39 cycles."""
    matmul = Conv("mm", 4, (1, 1), TYPES, order=("m", "r", "c", "n", "i", "j"))  # i, j, k
    est = matmul.estimate((4, 1, 4), Q16, ULTRA96, PROFILE, Preset.CONFIG)
    assert "m*r*c flattened, n*i*j unrolled, trip 16, II=2" in est.dominant
    assert est.DSP == 4
    depth = DEPTH + 2  # and an adder tree of 4
    assert est.WorstLatency == (16 - 1) * 2 + depth + 1  # one run, +1 to enter: 38 (the report: 39)
    assert "rolled" in matmul.estimate((4, 1, 4), Q16, ULTRA96, PROFILE.with_tool("vivado-hls")).dominant


def test_memory_ports_of_a_top_function() -> None:
    """``ports``: the arrays are the caller's memories, read through 2 (ap_memory) or 1
    (a single-port bram interface) ports: no storage in the kernel, and the II those ports
    allow — a 3-term dot product a cycle reads 3 words of each operand: II 2 on two ports,
    3 on one (a public Vitis 2024.1 report of UG871's product with bram ram_1p: II 3)."""
    def matmul(ports):
        return Conv("mm", 3, (1, 1), TYPES, bias=False, order=("m", "r", "c", "n", "i", "j"),
                    directives=Directives(pipeline="c", ports=ports))
    two = matmul((("weight", 2), ("input", 2), ("output", 2))).estimate((3, 1, 3), Q16, ULTRA96, PROFILE)
    one = matmul((("w", 1), ("in", 1), ("out", 2))).estimate((3, 1, 3), Q16, ULTRA96, PROFILE)
    assert "II=2" in two.dominant and "II=3" in one.dominant
    assert {m.storage for m in two.memories} == {"port"} and two.BRAM_18K == two.URAM == 0
    assert sum(m.LUT + m.FF for m in two.memories) == 0
    big = Dense("fc", 512, TYPES, directives=Directives(pipeline="n", ports=(("weight", 2),)))
    assert big.estimate((512,), Q16, ULTRA96, PROFILE).BRAM_18K < dense(Directives(pipeline="n"), out=512).estimate(
        (512,), Q16, ULTRA96, PROFILE).BRAM_18K  # the 512x512 weights are outside
    with pytest.raises(NotImplementedError, match="directives.ports makes its arrays the memory ports"):
        matmul((("weight", 2),)).cpp_source((3, 1, 3), Q16, "mm")
    assert any("INTERFACE mode=bram storage_type=ram_1p port=input" in line
               for line in matmul((("input", 1),)).cpp_pragmas((3, 1, 3)))


def test_an_ii_asked_above_the_iteration_latency_runs_iterations_back_to_back() -> None:
    """The shape of a public Vitis 2020.2 dense layer (nvchuyen/CNN_FPGA_HLS@cdef0e9,
    fully1_cnn: ``PIPELINE II=64`` over 196 iterations of 8 x 10 unrolled products; the report:
    iteration latency 41, II achieved 41, 8036 = 196 x 41 cycles, 80 multipliers). Vitis
    starts an iteration when the previous one ends: latency trip x depth, and with no
    overlap nothing is shared — 32-bit products of 4 DSPs each keep all 80 multipliers (a
    pipeline that overlaps at II 4 shares its multi-DSP multipliers, ``shared_multipliers``)."""
    q32 = FixedType.parse("ap_fixed<32,16>")
    types = LayerTypes(q32, q32, q32, FixedType.parse("ap_fixed<64,32>"), q32)
    split = (("weight", "complete", 0, 1), ("weight", "cyclic", 8, 2), ("input", "cyclic", 8, 1),
             ("output", "complete", 0, 1), ("bias", "complete", 0, 1))  # no port limits the II
    asked = {ii: dense(Directives(pipeline="n", ii=ii, unroll=(("n", 8),), partition=split), types=types, out=10,
                       order=("n", "m")).estimate((1568,), q32, ULTRA96, PROFILE) for ii in (1, 4, 64)}
    depth = int(asked[64].dominant.split("depth ")[1].split(")")[0])
    assert depth < 64 and f"II={depth}" in asked[64].dominant and "II 64 asked" in asked[64].dominant
    assert asked[64].WorstLatency == 196 * depth + 1  # (196 - 1) * depth + depth, +1 to enter
    assert asked[64].DSP == 80 * 4  # 32 x 32 on a DSP48E2: 4 slices a product, none shared
    assert asked[4].DSP == 20 * 4 and asked[4].WorstLatency == (196 - 1) * 4 + depth + 1  # overlapped: shared
    assert asked[1].DSP == 80 * 4
