"""Several ARRAY_PARTITION pragmas on one array, one per dimension (UG1399: each pragma splits
the dimension it names; the banks of the dimensions multiply). Expected values are derived
by hand from that meaning; the sums are in the comments."""

from __future__ import annotations

import pytest

from accel.config import network_from_dict
from layers import ConfigError
from layers.hw.memory import array_plan, bank_accesses
from tests.layers.hw.test_flatten_reshape import PROFILE, Q16, ULTRA96, matmul

OTHERS = (("input", "complete", 0, 1), ("output", "complete", 0, 1))  # B's column and C's column: no port limit
BOTH = (("weight", "cyclic", 4, 1), ("weight", "complete", 0, 2))


def test_two_partitions_of_one_array_multiply_its_banks() -> None:
    """4x4 matmul, the column loop pipelined with k unrolled inside and i unrolled by 4: each
    cycle reads A[0..3][0..3], 16 words. ``dim=1 cyclic 4`` and ``dim=2 complete`` make 16
    banks of one word: II 1. ``dim=2`` alone makes 4 banks (one per k) holding 4 rows each:
    4 words a bank a cycle over 2 ports, II 2. Latency (4 - 1) * II + depth 7 + 1."""
    both, one = (matmul(partition=p + OTHERS, unroll=(("m", 4),)) for p in (BOTH, BOTH[1:]))
    fast, slow = (layer.estimate((4, 1, 4), Q16, ULTRA96, PROFILE) for layer in (both, one))
    weight = {m.name: m for m in fast.memories}["weight"]
    assert (weight.banks, weight.storage) == (16, "registers")  # one word a bank
    assert {m.name: m for m in slow.memories}["weight"].banks == 4
    assert "II=1" in fast.dominant and "II=2" in slow.dominant and "weight's ports" in slow.dominant
    assert (fast.WorstLatency, slow.WorstLatency) == (3 * 1 + 7 + 1, 3 * 2 + 7 + 1)
    pragmas = [line for line in both.cpp_pragmas((4, 1, 4)) if "ARRAY_PARTITION variable=weight" in line]
    assert pragmas == ["weight: ARRAY_PARTITION variable=weight type=cyclic factor=4 dim=1",
                       "weight: ARRAY_PARTITION variable=weight type=complete dim=2"]
    swapped = matmul(partition=BOTH[::-1] + OTHERS, unroll=(("m", 4),)).estimate((4, 1, 4), Q16, ULTRA96, PROFILE)
    assert swapped == fast  # the order of the pragmas does not matter


def test_each_dimension_reads_its_own_kind() -> None:
    """A 64x8 array, ``block 4`` on dim 1 (runs of 16 rows) and ``cyclic 2`` on dim 2. Reading
    rows 0..3 of columns 0..3 at once: the 4 rows fall in one block (4 words of dim 1 in one
    bank), the 4 columns over 2 cyclic banks (2 each): 4 x 2 = 8 words a bank."""
    plan = array_plan((("block", 4, 1), ("cyclic", 2, 2)), (64, 8), (4, 4))
    assert plan == ((1, 4, "block"), (2, 2, "cyclic"))
    assert bank_accesses(plan, (64, 8), (4, 4)) == 4 * 2
    assert bank_accesses(array_plan((("cyclic", 4, 1),), (64, 8), (4, 4)), (64, 8), (4, 4)) == 1 * 4


def test_one_dimension_partitioned_twice_is_refused() -> None:
    with pytest.raises(ValueError, match=r"dimension 2 of the array \[64, 8\] is partitioned twice"):
        array_plan((("cyclic", 2, 2), ("block", 2, 2)), (64, 8), (1, 1))
    with pytest.raises(ValueError, match="partitioned twice"):  # dim=0 splits every dimension, dim 1 among them
        array_plan((("complete", 0, 0), ("cyclic", 2, 1)), (64, 8), (1, 1))


@pytest.mark.parametrize("entries, ok", [
    ([["weight", "cyclic", 2, 1], ["w", "complete", 0, 2]], True),
    ([["weight", "cyclic", 2, 1], ["w", "block", 2, 1]], False),  # the same dimension
    ([["weight", "cyclic", 2], ["w", "complete", 0, 2]], False),  # no dim: Vitis' first dimension, or ours?
    ([["weight", "complete", 0, 0], ["w", "cyclic", 2, 1]], False),  # dim 0 is every dimension
])
def test_the_yaml_takes_several_partitions_on_distinct_dimensions(entries, ok) -> None:
    data = {"name": "p", "input": {"shape": [4, 8, 8], "type": "ap_fixed<16,4>"},
            "defaults": {"types": {"weight": "ap_fixed<16,4>", "bias": "ap_fixed<16,4>", "accum": "ap_fixed<40,16>",
                                   "result": "ap_fixed<16,4>"}},
            "layers": [{"name": "c", "op": "conv", "out_channels": 4, "kernel": 3,
                        "directives": {"pipeline": "j", "partition": entries}}]}
    if ok:
        layer = network_from_dict(data, "p.yaml").layer("c")
        assert [split for split in layer.directives.partitions()["weight"]] == [("cyclic", 2, 1), ("complete", 0, 2)]
    else:
        with pytest.raises(ConfigError, match="p.yaml: layer 'c' \\(conv\\): directives: partition of 'weight' "
                                              "given twice for the same dimension"):
            network_from_dict(data, "p.yaml")
