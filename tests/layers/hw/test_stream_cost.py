"""Element-wise kernels: rolled cycles from the profile, streaming at II=1, window buffers."""

from __future__ import annotations

import pytest

from layers.hw.devices import find_device
from layers import LRN, Flatten, MaxPool, ReLU
from layers.hw import Preset, Profile
from quant import FixedType

Q16 = FixedType.parse("ap_fixed<16,4,AP_RND,AP_SAT>")
DEVICE = find_device("ultra96")
PROFILE = Profile.load()


def test_lrn_rolled_and_streaming() -> None:
    lrn = LRN("lrn", Q16, mode="linear")
    shape = (96, 55, 55)
    rolled = lrn.estimate(shape, Q16, DEVICE, PROFILE, Preset.UNOPT)
    assert rolled.WorstLatency == 3 * 96 * 55 * 55  # profile: 3 cycles an element, no row overhead
    # whole input and output on chip: 290,400 words of 16 bits -> 284 blocks each
    assert rolled.BRAM_18K == 2 * 284
    stream = lrn.estimate(shape, Q16, DEVICE, PROFILE, Preset.OPT)
    assert stream.WorstLatency == (96 * 55 * 55 - 1) + 8  # II=1, depth 8 (linear)
    assert stream.BRAM_18K == 0 and stream.DSP == 3  # the 5-channel window lives in registers
    assert {m.storage for m in stream.memories} == {"registers"}


def test_maxpool_rolled_rows_and_line_buffer() -> None:
    pool = MaxPool("pool", kernel=3, stride=2)
    rolled = pool.estimate((96, 55, 55), Q16, DEVICE, PROFILE, Preset.UNOPT)
    assert rolled.WorstLatency == 6 * 96 * 27 * 27 + 4 * 96 * 27  # 6 an output, 4 a row
    stream = pool.estimate((96, 55, 55), Q16, DEVICE, PROFILE, Preset.CONFIG)
    window = stream.memories[0]
    assert (window.depth, window.storage, stream.BRAM_18K) == (3 * 55, "BRAM", 1)  # 2640 bits


@pytest.mark.parametrize("order, reorder_words", [("chw", 0), ("hwc", 256 * 6 * 6)])
def test_flatten_reordering_needs_the_whole_array(order, reorder_words) -> None:
    est = Flatten("flat", order).estimate((256, 6, 6), Q16, DEVICE, PROFILE, Preset.OPT)
    assert sum(m.depth for m in est.memories) == reorder_words
    assert est.WorstLatency == 9216 - 1 + 2


def test_relu_streams_one_element_a_cycle() -> None:
    est = ReLU("relu").estimate((10, 4, 4), Q16, DEVICE, PROFILE)
    assert est.WorstLatency == 160 and est.DSP == 0 and est.BRAM_18K == 0
