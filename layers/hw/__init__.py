"""Hardware cost model: what a layer's loop nest costs on an FPGA (Vitis HLS style).

Primitives (``Device``, BRAM/URAM mapping, DSPs per multiply, loop latency formulas),
the calibration ``Profile``, the per-kernel models (``mac_cost`` for conv/dense,
``stream_cost`` for element-wise layers), ``Preset`` and the Zhang et al. roofline
(``roofline``). Layers call these from their ``estimate`` method; the database of real
devices and the network-level report live in ``accel``.
"""

from .device import Device
from .estimate import Estimate, MemoryCost, dataflow, sequential
from .preset import Preset
from .profile import Profile

__all__ = ["Device", "Estimate", "MemoryCost", "Preset", "Profile", "dataflow", "sequential"]
