"""One published HLS synthesis report, written as the layer it synthesized.

A ``PublicReport`` names its public source (repository @ commit : report file, the tool
release and part), the C++ it synthesized as a loop nest with its pragmas (``build``), the
tool release whose choices the estimate applies (``layers.hw.tool``), and the figures the
report gives. ``fitted`` lists the figures a rule or number of the model was read off this
very report: they are shown but never count toward the held-out goals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from layers.core.base import Layer
from layers.hw import Profile, find_device
from quant import FixedType

FIGURES = ("WorstLatency", "II", "DSP", "BRAM_18K", "LUT", "FF")

# C's integer types, as the estimator reads them: they wrap, and a product is cut to the type
CHAR = FixedType.parse("ap_fixed<8,8,AP_TRN,AP_WRAP>")
SHORT = FixedType.parse("ap_fixed<16,16,AP_TRN,AP_WRAP>")
INT32 = FixedType.parse("ap_fixed<32,32,AP_TRN,AP_WRAP>")


@dataclass(frozen=True)
class PublicReport:
    name: str
    source: str  # repository @ commit : report file (release, part, clock)
    tool: str  # the release's behaviour (layers.hw.tool.TOOLS)
    board: str  # a board or part number of layers/hw/devices.yaml
    build: Callable[[], tuple[Layer, tuple[int, ...], FixedType]]  # layer, input shape, input type
    reported: dict[str, float] = field(default_factory=dict)  # FIGURES the report gives
    note: str = ""
    fitted: frozenset[str] = frozenset()  # figures a rule or number of the model was read off this report
    kind: str = "matrix"  # matrix | dense | conv: what the kernel computes
    pipeline_loops: int = 64  # the solution's config_compile -pipeline_loops

    @property
    def project(self) -> str:
        """The repository the report comes from (``owner/name``)."""
        return self.source.split("@")[0]

    def estimate(self):
        layer, shape, in_type = self.build()
        profile = Profile.load().with_tool(self.tool).updated(tool={"pipeline_loops": self.pipeline_loops})
        return layer.estimate(shape, in_type, find_device(self.board), profile)
