"""The estimator against the seed design's per-layer Vitis HLS table (ARCHITECTURE.md; AlexNet-227,
ap_fixed<16,4>, xczu3eg, 10 ns). The seed's numbers are typed in below from the paper; the
tolerances say how close the model comes, and README "Estimator" explains each gap."""

from __future__ import annotations

from dataclasses import replace

import pytest

from accel.config import load_network
from accel.estimator import estimate_network
from accel.network import Network
from accel.shipped import shipped_config
from layers.hw import Preset, Profile, find_device
from quant import FixedType

# seed 002, UNOPT column: latency in ms at 100 MHz, BRAM_18K
SEED_UNOPT_MS = {"conv2": 8969, "conv3": 3001, "fc1": 1133, "fc3": 1.23, "lrn1": 8.713,
                 "pool1": 4.304, "pool2": 2.732, "pool5": 0.617, "flatten": 0.277}
VIVADO_HLS = Profile.load().with_tool("vivado-hls")  # the seed's UNOPT rows: nothing pipelined unasked
SEED_UNOPT_BRAM = {"conv1": 414, "conv2": 828, "conv3": 973, "lrn1": 536, "fc1": 34581}
BRAM_TOLERANCE = {"conv1": 0.15, "conv2": 0.04, "conv3": 0.01, "lrn1": 0.07, "fc1": 0.07}


@pytest.fixture(scope="module")
def alexnet() -> Network:
    return load_network(shipped_config("alexnet227"))


@pytest.fixture(scope="module")
def unopt(alexnet):
    return estimate_network(alexnet, "ultra96", Preset.UNOPT, VIVADO_HLS)


@pytest.mark.parametrize("layer", sorted(SEED_UNOPT_MS))
def test_unoptimized_latency_within_one_percent(unopt, layer) -> None:
    assert unopt.layer(layer).latency_ms(10.0) == pytest.approx(SEED_UNOPT_MS[layer], rel=0.01)


@pytest.mark.parametrize("layer", sorted(SEED_UNOPT_BRAM))
def test_unoptimized_bram(unopt, layer) -> None:
    assert unopt.layer(layer).BRAM_18K == pytest.approx(SEED_UNOPT_BRAM[layer], rel=BRAM_TOLERANCE[layer])


def test_the_8004_percent_fc1(unopt) -> None:
    """The number that motivates the estimator: fc1's weights alone need 80x the Ultra96's BRAM."""
    percent = 100 * unopt.layer("fc1").BRAM_18K / 432
    assert percent == pytest.approx(8004, rel=0.07)
    assert ("fc1", "BRAM_18K") in unopt.over_budget()


def test_fc2_matches_when_its_weights_are_32_bits(alexnet) -> None:
    """29,720 blocks hold 32.6 bits a weight: the seed's FC2 stored 32-bit words."""
    wide = FixedType.parse("ap_fixed<32,8>")
    layers = tuple(replace(layer, types=replace(layer.types, weight=wide)) if layer.name == "fc2" else layer
                   for layer in alexnet.layers)
    est = estimate_network(replace(alexnet, layers=layers), "ultra96", Preset.UNOPT, VIVADO_HLS)
    assert est.layer("fc2").BRAM_18K == pytest.approx(29720, rel=0.11)


def test_conv1_needs_its_latency_constraint(alexnet, unopt) -> None:
    """The seed's conv1 took 8 cycles per MAC where conv2/conv3 took 2; with the LATENCY
    directive the model reproduces it."""
    assert SEED_UNOPT_MS_CONV1 / unopt.layer("conv1").latency_ms(10.0) == pytest.approx(3.97, rel=0.01)
    conv1 = alexnet.layer("conv1")
    slow = replace(conv1, directives=replace(conv1.directives, latency=8))
    est = estimate_network(replace(alexnet, layers=(slow,) + alexnet.layers[1:]), "ultra96", Preset.UNOPT, VIVADO_HLS)
    assert est.layer("conv1").latency_ms(10.0) == pytest.approx(SEED_UNOPT_MS_CONV1, rel=0.01)


SEED_UNOPT_MS_CONV1 = 8441


def test_known_outliers_stay_documented(unopt) -> None:
    """Rows no single rule fits (README lists them): fc2 at 2 cycles per MAC, lrn2 at 6 per element."""
    assert 336 / unopt.layer("fc2").latency_ms(10.0) == pytest.approx(2 / 3, rel=0.01)
    assert 11.213 / unopt.layer("lrn2").latency_ms(10.0) == pytest.approx(2.0, rel=0.01)


def test_integrated_unoptimized_design_on_the_xqvu7p(alexnet) -> None:
    """Seed Fig. 5: all 14 unoptimized layers on an xqvu7p: BRAM 58,650 (2036 %), DSP 67,
    FF 14,971, LUT 30,294."""
    est = estimate_network(alexnet, "xqvu7p-flra2104-1-i", Preset.UNOPT, VIVADO_HLS)
    total = est.total
    assert total.BRAM_18K == pytest.approx(58650, rel=0.03)
    assert est.utilization()["BRAM_18K"] == pytest.approx(2036, rel=0.03)
    assert total.FF == pytest.approx(14971, rel=0.05)
    assert total.LUT == pytest.approx(30294, rel=0.07)
    assert total.DSP == pytest.approx(67, rel=0.25)
    assert ("total", "BRAM_18K") in est.over_budget()
    assert est.latency_ms() > 15_000  # the seed: 15.6 s unoptimized


def test_optimized_design_fits_where_the_unoptimized_cannot(alexnet) -> None:
    opt = estimate_network(alexnet, "xqvu7p", Preset.OPT)
    assert opt.over_budget() == []
    unopt = estimate_network(alexnet, "xqvu7p", Preset.UNOPT, VIVADO_HLS)
    assert unopt.latency_ms() / opt.latency_ms() > 8.3  # the seed's speedup was 8.3x


def test_totals_add_layers_and_dataflow_sets_the_interval(alexnet) -> None:
    est = estimate_network(alexnet, "ultra96", Preset.OPT)
    layers = [row.estimate for row in est.layers]
    assert est.total.BRAM_18K == sum(e.BRAM_18K for e in layers)
    assert est.total.DSP == sum(e.DSP for e in layers)
    assert est.total.WorstLatency == sum(e.WorstLatency for e in layers)
    assert est.total.IntervalMax == max(e.IntervalMax for e in layers)
    assert est.throughput() == pytest.approx(1e9 / (est.total.IntervalMax * 10.0))
    sequential = estimate_network(alexnet, "ultra96", Preset.UNOPT, VIVADO_HLS)
    assert sequential.total.IntervalMax == sequential.total.WorstLatency + 1


def test_clock_and_device_errors(alexnet) -> None:
    with pytest.raises(ValueError, match="unknown device 'ultra69'.*ultra96"):
        estimate_network(alexnet, "ultra69")
    with pytest.raises(ValueError, match="clock period"):
        estimate_network(alexnet, "ultra96", clock_ns=0)


def test_a_slow_board_memory_caps_the_transfers(alexnet) -> None:
    """One 64-bit port moves 8 bytes a cycle; a board memory slower than that (here 0.2 GB/s
    at 10 ns = 2 bytes a cycle) sets the pace of the DRAM-bound fc layers instead."""
    fast = estimate_network(alexnet, "ultra96", Preset.OPT)
    slow = estimate_network(alexnet, "ultra96", Preset.OPT, bandwidth_gbs=0.2)
    assert fast.to_dict()["dram_bytes_per_cycle"] == 8 and slow.to_dict()["dram_bytes_per_cycle"] == 2
    assert slow.layer("fc1").WorstLatency > 3.5 * fast.layer("fc1").WorstLatency
    # conv3 stays compute-bound while its transfers overlap at their best
    assert slow.layer("conv3").BestLatency == pytest.approx(fast.layer("conv3").BestLatency, rel=0.01)


def test_alexnet227_workload_matches_the_hand_count() -> None:
    from layers.core.workload import workload

    net = load_network(shipped_config("alexnet227"))
    macs = {layer.name: workload(layer, shape).macs for layer, shape, _ in net.shapes()}
    assert macs["conv1"] == 55 * 55 * 96 * 3 * 11 * 11 == 105_415_200
    assert macs["conv2"] == 27 * 27 * 256 * 96 * 5 * 5
    assert macs["conv4"] == 13 * 13 * 384 * 384 * 9
    assert macs["fc1"] == 9216 * 4096 and macs["fc3"] == 4096 * 10 and macs["pool1"] == 0
    assert sum(macs.values()) == 1_131_201_056
    fc1 = workload(net.layer("fc1"), (9216,))
    assert fc1.params == 9216 * 4096 + 4096
    # a dense layer at batch 1 moves its weights for 2 operations each: intensity ~0.5/byte at fp32
    assert abs(fc1.intensity(32, 1) - 2 * fc1.macs / ((9216 + 4096 + fc1.params) * 4)) < 1e-12
    assert fc1.intensity(16, 64) > 30 * fc1.intensity(16, 1)  # batching amortizes the weights


@pytest.mark.parametrize("preset", list(Preset))
def test_every_layer_kind_estimates_under_every_preset(preset) -> None:
    network = load_network(shipped_config("alexnet32"))
    for (layer, shape, _), (_, in_type, _) in zip(network.shapes(), network.io_types()):
        est = layer.estimate(shape, in_type, find_device("ultra96"), Profile.load(), preset)
        assert est.WorstLatency >= est.BestLatency > 0
        assert min(est.resources().values()) >= 0


def test_the_interface_width_sets_the_port_tiles_move_over(alexnet) -> None:
    """``interface: {kind: m_axi, width: 512, max_burst: 64}``: tiles move 64 bytes a cycle
    (where the profile's port moves 8), in bursts of 64 beats; a wider port shortens only
    the transfer-bound layers, and a width that is not a power of two is refused."""
    from accel.config import network_from_dict
    from accel.shipped import shipped_config
    import yaml

    data = yaml.safe_load(open(shipped_config("alexnet227")).read())
    narrow = estimate_network(alexnet, "zcu104", Preset.OPT)
    wide_net = network_from_dict({**data, "interface": {"kind": "m_axi", "width": 512, "max_burst": 64}}, "wide.yaml")
    wide = estimate_network(wide_net, "zcu104", Preset.OPT)
    assert wide.profile.dram("bytes_per_cycle") == 64 and wide.profile.dram("burst_beats") == 64
    assert narrow.profile.dram("bytes_per_cycle") == 8
    assert wide.layer("fc1").WorstLatency < narrow.layer("fc1").WorstLatency  # weights stream: transfer-bound
    assert all(w.estimate.WorstLatency <= n.estimate.WorstLatency for w, n in zip(wide.layers, narrow.layers))
    with pytest.raises(ValueError, match="interface: 'width' must be a power of two"):
        network_from_dict({**data, "interface": {"width": 100}}, "bad.yaml")
    with pytest.raises(ValueError, match="describe an m_axi port, not axis"):
        network_from_dict({**data, "interface": {"kind": "axis", "width": 64}}, "bad.yaml")


def test_the_interface_latency_sets_the_cycles_to_a_bursts_first_beat(alexnet) -> None:
    """``interface: {latency: N}`` (UG1399: INTERFACE m_axi ``latency``, ``config_interface
    -m_axi_latency``): N cycles before each burst's first beat instead of the profile's 64.
    64 changes nothing; 256 lengthens the transfer-bound layers by 192 cycles a burst."""
    from accel.config import network_from_dict
    from accel.shipped import shipped_config
    import yaml

    data = yaml.safe_load(open(shipped_config("alexnet227")).read())
    by_latency = {n: estimate_network(network_from_dict({**data, "interface": {"latency": n}}, f"l{n}.yaml"),
                                      "zcu104", Preset.OPT) for n in (64, 256)}
    default = estimate_network(alexnet, "zcu104", Preset.OPT)
    assert by_latency[256].profile.dram("burst_latency") == 256 and default.profile.dram("burst_latency") == 64
    assert [l.estimate for l in by_latency[64].layers] == [l.estimate for l in default.layers]
    slow, fast = by_latency[256].layer("fc1"), default.layer("fc1")
    assert slow.WorstLatency > fast.WorstLatency and (slow.WorstLatency - fast.WorstLatency) % 192 == 0
    with pytest.raises(ValueError, match="interface: 'latency' must be 1 to 4096 cycles, got 0"):
        network_from_dict({**data, "interface": {"latency": 0}}, "bad.yaml")
