"""Zhang et al. (FPGA 2015): the estimator's opt preset against their cycle model, and the
roofline formulas against hand-worked numbers."""

from __future__ import annotations

import pytest

from layers.hw.devices import find_device
from layers import Conv, LayerTypes
from layers.hw import Preset, Profile
from layers.hw.roofline import ConvShape, attainable_gops, computational_roof_gops, ctc_ratio, zhang_cycles
from quant import FixedType

# AlexNet as Zhang et al. implement it: two groups in conv2, conv4, conv5 (per-group M, N)
ZHANG_ALEXNET = {  # name: (M, N, R, C, K, S, groups, padding, input H)
    "conv1": (96, 3, 55, 55, 11, 4, 1, 0, 227),
    "conv2": (128, 48, 27, 27, 5, 1, 2, 2, 27),
    "conv3": (384, 256, 13, 13, 3, 1, 1, 1, 13),
    "conv4": (192, 192, 13, 13, 3, 1, 2, 1, 13),
    "conv5": (128, 192, 13, 13, 3, 1, 2, 1, 13),
}
TM, TN = 64, 7  # their unified unroll factors on the VC707


def test_cycle_formula_by_hand() -> None:
    # conv1 per group in Zhang's table: M=48, N=3 -> one tile: 55*55*121 cycles
    assert zhang_cycles(ConvShape(48, 3, 55, 55, 11, 4), TM, TN, 55, 55) == 55 * 55 * 121
    # conv3: ceil(384/64)=6 x ceil(256/7)=37 tiles of 13*13*9, plus depth P per tile
    assert zhang_cycles(ConvShape(384, 256, 13, 13, 3), TM, TN, 13, 13, P=5) == 6 * 37 * (1521 + 5)
    # rows tiled in halves: ceil(13/7)=2 row tiles of Tr=7
    assert zhang_cycles(ConvShape(384, 256, 13, 13, 3), TM, TN, 7, 13) == 6 * 37 * 2 * (7 * 13 * 9)


def test_ctc_and_roofs_by_hand() -> None:
    shape = ConvShape(48, 3, 55, 55, 11, 4)
    words = 7 * 227 * 227 + 64 * 7 * 121 + 64 * 55 * 55  # input tile, weight tile, output tile
    assert ctc_ratio(shape, TM, TN, 55, 55, 4) == pytest.approx(2 * 48 * 3 * 55 * 55 * 121 / (4 * words))
    roof = computational_roof_gops(shape, TM, TN, 55, 55, clock_ns=10)
    assert roof == pytest.approx(2 * 48 * 3 / 10)  # every cycle: 48*3 of the 64*7 lanes busy, 2 ops each
    assert attainable_gops(shape, TM, TN, 55, 55, 10, bandwidth_gbs=0.1) == pytest.approx(0.1 * ctc_ratio(shape, TM, TN, 55, 55))


def _zhang_layer(name: str) -> tuple[Conv, tuple[int, int, int]]:
    m, n, r, c, k, s, groups, pad, height = ZHANG_ALEXNET[name]
    q = FixedType.parse("ap_fixed<16,4>")
    types = LayerTypes(q, q, q, FixedType.parse("ap_fixed<40,16>"), q)
    layer = Conv(name, m * groups, (k, k), types, stride=s, padding=pad, groups=groups,
                 tiles=(("m", min(TM, m)), ("n", min(TN, n)), ("r", r), ("c", c)))
    return layer, (n * groups, height, height)


def test_opt_preset_reproduces_zhang_cycles_when_compute_bound() -> None:
    """With DRAM made free, the estimator's opt preset is Zhang's model: per tile one pass
    of the pipelined Tr·Tc·K² loop plus its depth (P) and a cycle to enter it."""
    profile = Profile.load().updated(dram={"bytes_per_cycle": 1 << 30, "burst_latency": 0})
    vc707 = find_device("vc707")
    total_ours, total_formula = 0, 0
    for name, (m, n, r, c, k, s, groups, _, _) in ZHANG_ALEXNET.items():
        layer, shape = _zhang_layer(name)
        est = layer.estimate(shape, layer.types.input, vc707, profile, Preset.OPT)
        formula = groups * zhang_cycles(ConvShape(m, n, r, c, k, s), TM, TN, r, c)
        assert est.parallel == min(TM, m) * min(TN, n)
        assert est.WorstLatency == pytest.approx(formula, rel=0.01)  # P and loop entry: < 1 %
        total_ours += est.WorstLatency
        total_formula += formula
    assert total_formula == 2_005_892  # the five layers, summed by hand from the formula
    # Zhang et al. measured 61.62 GFLOPS on 1.33 GFLOP (21.61 ms at 100 MHz): a roof must
    # not be slower than the measurement, and theirs sits within 10 % of it.
    assert 0.90 * 21.61 < total_ours * 1e-5 < 21.61


def test_bandwidth_bound_layers_follow_the_transfer_model() -> None:
    layer, shape = _zhang_layer("conv1")
    vc707 = find_device("vc707")
    fast = layer.estimate(shape, layer.types.input, vc707, Profile.load(), Preset.OPT)
    slow_profile = Profile.load().updated(dram={"bytes_per_cycle": 1})
    slow = layer.estimate(shape, layer.types.input, vc707, slow_profile, Preset.OPT)
    assert slow.WorstLatency > fast.WorstLatency
    assert slow.dominant.startswith("DRAM transfers")
