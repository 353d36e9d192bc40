"""hls4ml's own implementations costed (``layers.hw.hls4ml_cost``): the rules its templates
imply, and hls4ml's published Vivado HLS report of a Dense 16→5 layer."""

from __future__ import annotations

from math import ceil

import pytest

from accel.config import network_from_dict
from accel.estimator import estimate_network
from layers.hw import find_device
from layers.hw.hls4ml_cost import Hls4mlImpl, IoType, Strategy, estimate_conv, estimate_dense, read_impl

Q16 = "ap_fixed<16,6>"
# hls4ml's test/pytest/test_report/Vivado/myproject_csynth.rpt (Vivado HLS 2020.1, xc7z020, 5 ns):
# Keras Dense(5, input_shape=(16,), relu), model precision <16,6>, io_stream, Strategy Latency, RF 1
PUBLISHED = {"DSP": 73, "FF": 7860, "LUT": 2134, "WorstLatency": 7, "IntervalMax": 7}


def dense_16_to_5(**impl) -> dict:
    return {"name": "fc", "input": {"shape": [16, 1, 1], "type": Q16}, "layers": [
        {"name": "flat", "op": "flatten"},
        {"name": "fc1", "op": "dense", "out_features": 5, "hls4ml": {"io_type": "io_stream", **impl},
         "types": {"weight": Q16, "bias": Q16, "accum": Q16, "result": Q16}}]}


def test_the_published_dense_report_is_reproduced() -> None:
    fc1 = estimate_network(network_from_dict(dense_16_to_5(), "fc.yaml"), "pynq-z2").layer("fc1")
    assert (fc1.WorstLatency, fc1.IntervalMax) == (PUBLISHED["WorstLatency"], PUBLISHED["IntervalMax"])
    assert fc1.DSP == 80  # one per product; HLS turned 7 constant multiplies into LUTs (we see no weights)
    assert abs(fc1.DSP - PUBLISHED["DSP"]) / PUBLISHED["DSP"] < 0.10
    for figure in ("FF", "LUT"):  # the constants were set from this report: a check of the form, within 15 %
        assert abs(getattr(fc1, figure) - PUBLISHED[figure]) / PUBLISHED[figure] < 0.15, figure


@pytest.mark.parametrize("reuse", [1, 2, 4, 5, 8, 16, 80])
def test_multipliers_follow_the_reuse_factor(reuse) -> None:
    """hls4ml's ``multiplier_limit = ceil(n_in·n_out / RF)``; one DSP48E1 per 16×16 product;
    the Resource strategy's pipeline takes RF cycles more or less, the Latency one RF - 1 more."""
    device = find_device("pynq-z2")
    for strategy in Strategy:
        est = estimate_dense(Hls4mlImpl(strategy, reuse, IoType.PARALLEL), 16, 5, 16, 16, 16, device)
        assert est.DSP == ceil(80 / reuse) and est.parallel == ceil(80 / reuse)
        assert est.IntervalMax == reuse  # io_parallel: a new vector every RF cycles
        assert est.WorstLatency >= reuse
    wide = estimate_dense(Hls4mlImpl(Strategy.LATENCY, reuse, IoType.PARALLEL), 16, 5, 27, 18, 40, device)
    assert wide.DSP == 2 * ceil(80 / reuse)  # a 27×18 product spans two DSP48E1 (25×18)


def test_the_line_buffer_convolution() -> None:
    """io_stream conv: a pixel a cycle at RF 1 (every RF cycles above), the window's product
    on ceil(kh·kw·cin·cout / RF) multipliers, (kh - 1) rows of the input kept."""
    device = find_device("pynq-z2")
    one = estimate_conv(Hls4mlImpl(Strategy.LATENCY, 1, IoType.STREAM), (3, 32, 32), (3, 3), 8, 16, 16, 16, device, 64)
    four = estimate_conv(Hls4mlImpl(Strategy.RESOURCE, 4, IoType.STREAM), (3, 32, 32), (3, 3), 8, 16, 16, 16, device, 64)
    assert one.DSP == 27 * 8 and four.DSP == ceil(27 * 8 / 4)
    assert one.WorstLatency - 32 * 32 == estimate_dense(Hls4mlImpl(), 27, 8, 16, 16, 16, device).WorstLatency
    assert four.WorstLatency > 4 * 32 * 32
    assert one.memories[0].depth == 2 * 32 * 3 and one.memories[0].width == 16


def test_the_yaml_field_is_checked() -> None:
    assert read_impl(None, "w") is None
    assert read_impl({"strategy": "Resource", "reuse_factor": 4}, "w") == Hls4mlImpl(Strategy.RESOURCE, 4)
    for bad in ({"strategy": "fast"}, {"reuse_factor": 0}, {"reuse": 2}, "latency"):
        with pytest.raises(ValueError, match="w: hls4ml"):
            read_impl(bad, "w")


@pytest.mark.parametrize("n_in, n_out", [(16, 5), (64, 12), (27, 4), (36, 5), (7, 3), (1, 10), (10, 1)])
def test_valid_reuse_factors_are_hls4mls(n_in, n_out) -> None:
    """The reuse factors hls4ml allows and the one it takes for an invalid choice, against
    its own backend (``get_valid_reuse_factors``, ``get_closest_reuse_factor``)."""
    hls4ml = pytest.importorskip("hls4ml", reason="hls4ml is in the test extra")
    from layers.hw.hls4ml_cost import closest_reuse_factor, valid_reuse_factors

    backend = hls4ml.backends.get_backend("Vivado")
    theirs = backend.get_valid_reuse_factors(n_in, n_out)
    assert valid_reuse_factors(n_in, n_out) == theirs
    for chosen in range(1, n_in * n_out + 3):
        assert closest_reuse_factor(n_in, n_out, chosen) == backend.get_closest_reuse_factor(theirs, chosen)
