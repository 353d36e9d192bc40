"""Zhang et al.'s optima (FPGA'15, AlexNet on a VC707), found by the DSE of ``accel dse``.

    python bench/zhang_dse.py

Their Table 4 costs AlexNet's five conv layers *per group* (one of the two GPUs' halves of
Krizhevsky's network: conv1 48 maps, conv3 reading both groups' 256 channels) under a
budget of 480 processing elements (``Tm·Tn ≤ 480``) with DRAM free: 963,804 cycles with
the best ``<Tm, Tn>`` per layer, 1,008,246 with one ``<64, 7>`` for all. Those five
layers are not a chain — conv3 takes both groups' outputs, 256 channels, where conv2 of
one group gives 128 — so they are not a network file ``accel dse --config`` can read
until networks are graphs with a ``concatenate``; this script costs each layer on the
input its row gives, as ``tests/accel/test_dse.py`` does, and prints what ``accel dse``
prints for a network: per layer the tiles chosen and the cycles.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accel.dse import FREE, Budget, explore_layers  # noqa: E402
from layers import Conv, LayerTypes  # noqa: E402
from quant import FixedType  # noqa: E402

Q = FixedType.parse("ap_fixed<16,4>")
TYPES = LayerTypes(Q, Q, Q, FixedType.parse("ap_fixed<40,16>"), Q)
# name: (M output maps, N input channels, K kernel, S stride, padding, input H = W), one group
ZHANG = {"conv1": (48, 3, 11, 4, 0, 227), "conv2": (128, 48, 5, 1, 2, 27), "conv3": (192, 256, 3, 1, 1, 13),
         "conv4": (192, 192, 3, 1, 1, 13), "conv5": (128, 192, 3, 1, 1, 13)}
REPORTED = {"per-layer": 963_804, "unified": 1_008_246}  # Zhang et al., Table 4


def zhang_rows() -> list:
    """(layer, input shape, input type) per conv layer of one group."""
    return [(Conv(name, m, (k, k), TYPES, stride=s, padding=p), (n, h, h), Q)
            for name, (m, n, k, s, p, h) in ZHANG.items()]


def main() -> None:
    for mode in ("per-layer", "unified"):
        choices = explore_layers(zhang_rows(), "vc707", mode, budget=Budget(share=None, pe=480), bandwidth_gbs=FREE)
        total = sum(c.WorstLatency for c in choices)
        print(f"== {mode}: {total:,} cycles (Zhang et al.: {REPORTED[mode]:,}; {total / REPORTED[mode] - 1:+.1%})")
        for c in choices:
            tiles = dict(c.tiles)
            print(f"  {c.layer:6s} Tm={tiles['m']:<4d} Tn={tiles['n']:<4d} {c.WorstLatency:>10,} cycles")


if __name__ == "__main__":
    main()
