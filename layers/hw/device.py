"""``Device``: an FPGA part's resources, as the estimator needs them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DspSlice = Literal["DSP48E1", "DSP48E2", "DSP58"]
DEFAULT_CLOCK_NS = 10.0  # 100 MHz: the clock the seed design and most reports use


@dataclass(frozen=True)
class Device:
    """Resources of one part (full device; platform shells are not subtracted)."""

    part: str  # part-number prefix, e.g. "xczu3eg"
    family: str
    LUT: int
    FF: int
    BRAM_18K: int
    URAM: int
    DSP: int
    dsp_slice: DspSlice
    boards: tuple[str, ...] = ()
    dram_gbs: float = 0.0  # peak external memory bandwidth of the board (GB/s), 0 = unknown
    part_number: str = ""  # the full part of its boards (speed grade, package), as set_part takes it

    def available(self) -> dict[str, int]:
        """The resources by the names Vitis reports use."""
        return {"BRAM_18K": self.BRAM_18K, "DSP": self.DSP, "FF": self.FF, "LUT": self.LUT, "URAM": self.URAM}
