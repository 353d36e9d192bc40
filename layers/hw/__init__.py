"""Hardware cost model: what a layer's loop nest costs on an FPGA (Vitis HLS style).

Primitives (``Device``, BRAM/URAM mapping, DSPs per multiply, loop latency formulas),
the calibration ``Profile``, the per-kernel models (``mac_cost`` for conv/dense,
``stream_cost`` for element-wise layers), ``Preset`` and the Zhang et al. roofline
(``roofline``), and the database of real devices (``devices``: boards and part numbers,
``devices.yaml``). Layers call these from their ``estimate`` method; the network-level
report lives in ``accel.estimator``.
"""

from .device import DEFAULT_CLOCK_NS, Device
from .devices import find_device
from .estimate import Estimate, MemoryCost, dataflow, sequential
from .preset import Preset
from .profile import Profile

__all__ = ["DEFAULT_CLOCK_NS", "Device", "find_device", "Estimate", "MemoryCost", "Preset", "Profile", "dataflow", "sequential"]
