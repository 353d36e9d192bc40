"""LOOP_FLATTEN off and ARRAY_RESHAPE, as UG1399 defines them: expected values are derived
by hand from the pragmas' stated meaning (the sums are in the comments)."""

from __future__ import annotations

import pytest

from layers import Conv, Dense, Directives, LayerTypes
from layers.hw import Profile
from layers.hw.devices import find_device
from layers.hw.latency import pipeline_nest, pipelined
from layers.hw.memory import bram_18k
from quant import FixedType

Q16 = FixedType.parse("ap_fixed<16,4,AP_RND,AP_SAT>")
Q8 = FixedType.parse("ap_fixed<8,2,AP_RND,AP_SAT>")
ACC = FixedType.parse("ap_fixed<40,16>")
TYPES = LayerTypes(Q16, Q16, Q16, ACC, Q16)
ULTRA96 = find_device("ultra96")
PROFILE = Profile.load()
PORTS = (("weight", 2), ("input", 2), ("output", 2))  # the caller's two-port memories


def matmul(**directives) -> Conv:
    """``C[i][j] = sum_k A[i][k] * B[k][j]`` on 4x4 matrices: a 1x1 conv over 4 positions
    (m = i, c = j, n = k), the column loop pipelined with the dot product unrolled inside."""
    return Conv("mm", 4, (1, 1), TYPES, bias=False, order=("m", "r", "c", "n", "i", "j"),
                directives=Directives(pipeline="c", **directives))


def test_pipeline_nest_counts_a_cycle_into_and_out_of_every_loop_left_unflattened() -> None:
    assert pipeline_nest([3, 3], True, 1, 6) == pipelined(9, 1, 6) == 14  # one pipeline of 9
    assert pipeline_nest([3, 3], False, 1, 6) == 3 * ((3 - 1) + 6 + 2) == 30  # drains every row
    assert pipeline_nest([2, 1, 3], False, 2, 5) == 2 * ((3 - 1) * 2 + 5 + 2)  # (a trip-1 loop is no loop)
    assert pipeline_nest([5], False, 1, 4) == pipeline_nest([5], True, 1, 4) == 8


def test_loop_flatten_off_keeps_the_loops_around_the_pipeline() -> None:
    """The row loop stays a loop: each of its 4 iterations enters the pipelined column loop
    (4 iterations at II 2: four reads of A and of B from two ports), waits for it to drain
    and leaves it (UG1399: one cycle each way; 2020.x inlines the pipeline, 2021.2+ calls it
    as a module of its own, two cycles more: layers.hw.tool); the function adds its cycle."""
    for profile in (PROFILE, PROFILE.with_tool("vitis-2020.2")):
        flat, kept = (matmul(ports=PORTS, flatten=f).estimate((4, 1, 4), Q16, ULTRA96, profile) for f in (True, False))
        depth = sum(profile.latency(op) for op in ("read", "multiply", "add", "write")) + 2  # + a 4-term adder tree
        entry, call = profile.latency("loop_entry"), profile.behaviour.call_overhead
        assert flat.WorstLatency == (16 - 1) * 2 + depth + entry
        assert kept.WorstLatency == 4 * ((4 - 1) * 2 + depth + 2 + call) + entry
    assert (PROFILE.behaviour.call_overhead, PROFILE.with_tool("vitis-2020.2").behaviour.call_overhead) == (2, 0)
    assert "trip 4" in kept.dominant and "trip 16" in flat.dominant
    assert kept.DSP == flat.DSP  # the datapath is the same
    assert any(line.endswith("LOOP_FLATTEN off") for line in matmul(flatten=False).cpp_pragmas((4, 1, 4)))
    assert not any("LOOP_FLATTEN" in line for line in matmul().cpp_pragmas((4, 1, 4)))


def test_loop_flatten_off_applies_to_the_pipeline_vitis_chooses_itself() -> None:
    """No PIPELINE: Vitis pipelines the column loop (the dot product unrolled into it); with
    LOOP_FLATTEN off the row loop is not merged into it."""
    layer = Conv("mm", 4, (1, 1), TYPES, bias=False, order=("m", "r", "c", "n", "i", "j"),
                 directives=Directives(flatten=False, ports=PORTS))
    est = layer.estimate((4, 1, 4), Q16, ULTRA96, PROFILE)
    assert "c alone (LOOP_FLATTEN off), n*i*j unrolled, trip 4, II=2" in est.dominant
    assert est.WorstLatency == matmul(ports=PORTS, flatten=False).estimate((4, 1, 4), Q16, ULTRA96, PROFILE).WorstLatency


def test_array_reshape_reads_a_row_as_one_word() -> None:
    """ARRAY_RESHAPE complete on A's column dimension (dim 2) and B's row dimension (dim 1):
    the four words the unrolled dot product reads come in one access of a 64-bit word, so
    two-port memories allow II 1 (II 2 without: 4 reads on 2 ports). UG871's lab with Vitis
    2021.2 (bench/public_reports.py) reports II 1 and 24-bit a_q0/b_q0 ports for 3x3 chars."""
    plain = matmul(ports=PORTS).estimate((4, 1, 4), Q16, ULTRA96, PROFILE)
    shaped = matmul(ports=PORTS, reshape=(("weight", "complete", 0, 2), ("input", "complete", 0, 1))).estimate(
        (4, 1, 4), Q16, ULTRA96, PROFILE)
    assert "II=2" in plain.dominant and "II=1" in shaped.dominant and "raised" not in shaped.dominant
    memory = {m.name: m for m in shaped.memories}
    assert (memory["weight"].width, memory["weight"].depth, memory["weight"].banks) == (4 * 16, 4, 1)
    assert (memory["input"].width, memory["input"].depth, memory["input"].banks) == (4 * 16, 4, 1)
    assert (memory["output"].width, memory["output"].depth) == (16, 16)  # not reshaped


def test_array_reshape_packs_shallow_banks_into_fewer_block_rams() -> None:
    """A 4x512 dense layer with 8-bit weights reading 4 consecutive inputs' weights a cycle:
    ARRAY_PARTITION cyclic 4 makes 4 banks of 512 x 8 bits, each a BRAM_18K of its own
    (2Kx9 is the narrowest shape; a quarter of it used); ARRAY_RESHAPE cyclic 4 makes one
    memory of 512 words of 32 bits — the same reads in one access, in 2 blocks (1Kx18)."""
    types = LayerTypes(Q16, Q8, Q16, ACC, Q16)

    def dense(**split):
        return Dense("fc", 4, types, directives=Directives(pipeline="n", unroll=(("n", 4),), **split))

    split = (("weight", "cyclic", 4, 2), ("input", "cyclic", 4, 1))
    banked = dense(partition=split).estimate((512,), Q16, ULTRA96, PROFILE)
    packed = dense(reshape=split).estimate((512,), Q16, ULTRA96, PROFILE)
    weight = {m.name: m for m in packed.memories}["weight"]
    assert (weight.width, weight.depth, weight.banks) == (32, 4 * 512 // 4, 1)
    assert {m.name: m for m in banked.memories}["weight"].BRAM_18K == 4 * bram_18k(8, 512) == 4
    assert weight.BRAM_18K == bram_18k(32, 512) == 2
    assert "II=1" in packed.dominant and "II=1" in banked.dominant  # 4 weights a cycle either way
    cpp = dense(reshape=split).cpp_pragmas((512,))
    assert any("ARRAY_RESHAPE variable=weight type=cyclic factor=4 dim=2" in line for line in cpp)
    assert not any("ARRAY_PARTITION variable=weight" in line for line in cpp)


def test_an_array_is_either_partitioned_or_reshaped() -> None:
    with pytest.raises(ValueError, match="'weight' is both partitioned and reshaped"):
        matmul(partition=(("w", "complete", 0, 2),), reshape=(("weight", "cyclic", 2, 2),)).estimate(
            (4, 1, 4), Q16, ULTRA96, PROFILE)
