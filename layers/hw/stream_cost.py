"""Cost of an element-wise kernel (LRN, max-pool, flatten, ReLU).

Rolled (``unopt``): whole input and output arrays on chip, the profile's cycles per
output element plus an overhead per output row. Streaming (``opt``/``config``): one
pipelined loop over the outputs at II=1, ``lanes`` outputs a cycle, only the window the
kernel looks back over kept on chip (the LRN channel window, the max-pool line buffer).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from .device import Device
from .estimate import Estimate
from .latency import pipelined
from .memory import place_array
from .profile import Profile


@dataclass(frozen=True)
class StreamKernel:
    kind: str  # lrn | maxpool | flatten | relu
    outputs: int  # output elements per image
    rows: int  # outer (row) iterations of the rolled nest
    input_words: int
    width: int  # bits per element (in and out)
    window_words: int = 0  # words kept on chip while streaming
    window_banks: int = 1  # banks of that window (registers when every word is its own bank)
    dsp_per_lane: int = 0
    depth: int = 3
    lanes: int = 1
    rolled: bool = False


def estimate_stream(kernel: StreamKernel, device: Device, profile: Profile) -> Estimate:
    lut_bits = int(profile.value("lutram_bits_per_lut"))
    if kernel.rolled:
        memories = (place_array("input", kernel.width, kernel.input_words, lutram_bits_per_lut=lut_bits),
                    place_array("output", kernel.width, kernel.outputs, lutram_bits_per_lut=lut_bits))
        cycles = profile.rolled_per_body(kernel.kind) * kernel.outputs + profile.rolled_per_outer(kernel.kind) * kernel.rows
        logic = {res: profile.rolled_logic(res, kernel.kind) for res in ("DSP", "LUT", "FF")}
        dominant = f"{kernel.kind} loop (rolled, {profile.rolled_per_body(kernel.kind)} cycles per output)"
    else:
        memories = ()
        if kernel.window_words:
            memories = (place_array("window", kernel.width, kernel.window_words, kernel.window_banks,
                                    lutram_bits_per_lut=lut_bits),)
        trip = ceil(kernel.outputs / kernel.lanes)
        cycles = pipelined(trip, 1, kernel.depth)
        logic = {"DSP": kernel.lanes * kernel.dsp_per_lane,
                 "LUT": profile.pipelined_logic("LUT", kernel.kind), "FF": profile.pipelined_logic("FF", kernel.kind)}
        dominant = f"{kernel.kind} loop (pipelined, II=1, trip {trip})"
    return Estimate(
        BRAM_18K=sum(m.BRAM_18K for m in memories), DSP=logic["DSP"],
        FF=logic["FF"] + sum(m.FF for m in memories), LUT=logic["LUT"] + sum(m.LUT for m in memories),
        URAM=sum(m.URAM for m in memories), BestLatency=cycles, WorstLatency=cycles,
        IntervalMin=cycles + 1, IntervalMax=cycles + 1, dominant=dominant, memories=memories, parallel=kernel.lanes,
    )
