"""1-D layers: conv1d against PyTorch's Conv1d (float) and an exact integer convolution
(fixed point with an exact accumulator), maxpool1d against a plain window maximum; shapes
and errors. (Bit for bit against hls4ml's conv_1d_cl and pooling1d_cl, compiled:
tests/accel/test_hls4ml_conv1d.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from layers import Conv1D, MaxPool1D, kinds
from layers.config.fields import Fields
from layers.config.registry import BuildContext
from quant import FixedType

T = FixedType.parse
TYPES = {"weight": "ap_fixed<8,2>", "bias": "ap_fixed<8,2>", "accum": "ap_fixed<40,16>", "result": "ap_fixed<24,10>"}


def conv1d(**entry) -> Conv1D:
    fields = Fields({"out_channels": 4, "kernel": 3, **entry}, "test: layer 'c' (conv1d)")
    return kinds()["conv1d"].build(fields, BuildContext("c", fields.where, TYPES, T("ap_fixed<8,3>")))


@pytest.mark.parametrize("stride, padding, groups", [(1, 1, 1), (2, 0, 1), (1, 2, 2)])
def test_conv1d_is_pytorchs_conv1d_and_exact_in_fixed_point(rng, stride, padding, groups) -> None:
    torch = pytest.importorskip("torch")
    layer = conv1d(stride=stride, padding=padding, groups=groups)
    x_type = T("ap_fixed<8,3>")
    raw = rng.integers(x_type.min_raw, x_type.max_raw + 1, (2, 6, 11))
    params = {"weight": rng.normal(0, 0.5, (4, 6 // groups, 3)), "bias": rng.normal(0, 0.5, 4)}
    assert layer.param_shapes((6, 11))["weight"] == (4, 6 // groups, 3)
    x = x_type.from_raw(raw)
    with torch.no_grad():
        want = torch.nn.functional.conv1d(torch.from_numpy(x), torch.from_numpy(params["weight"]),
                                          torch.from_numpy(params["bias"]), stride=stride, padding=padding,
                                          groups=groups).numpy()
    np.testing.assert_allclose(layer.run_float(x, params), want, rtol=1e-12, atol=1e-12)
    result = layer.run_fixed(raw, x_type, params)
    assert result.raw.shape == (2, *layer.output_shape((6, 11))) == want.shape
    # the accumulator holds every sum exactly and the result every value: the quantized
    # parameters' exact convolution, computed here with PyTorch in float64
    w_q, b_q = T(TYPES["weight"]), T(TYPES["bias"])
    with torch.no_grad():
        exact = torch.nn.functional.conv1d(torch.from_numpy(x), torch.from_numpy(w_q.from_raw(w_q.to_raw(params["weight"]))),
                                           torch.from_numpy(b_q.from_raw(b_q.to_raw(params["bias"]))), stride=stride,
                                           padding=padding, groups=groups).numpy()
    np.testing.assert_array_equal(result.type.from_raw(result.raw), exact)


def test_maxpool1d_is_the_window_maximum_then_its_casts(rng) -> None:
    x_type = T("ap_fixed<10,4>")
    raw = rng.integers(x_type.min_raw, x_type.max_raw + 1, (3, 2, 9))
    layer = MaxPool1D("p", kernel=3, stride=2, padding=1, result=T("ap_fixed<6,2,AP_RND,AP_SAT>"))
    assert layer.output_shape((2, 9)) == (2, 5)
    padded = np.pad(raw, ((0, 0), (0, 0), (1, 1)), constant_values=x_type.min_raw - 1)
    best = np.stack([padded[:, :, 2 * r:2 * r + 3].max(axis=2) for r in range(5)], axis=2)
    result = layer.run_fixed(raw, x_type, {})
    np.testing.assert_array_equal(result.raw, layer.result.cast(best, x_type))
    assert result.stats.result.overflows > 0
    np.testing.assert_array_equal(layer.run_float(x_type.from_raw(raw), {}), x_type.from_raw(best))


def test_1d_layers_say_what_they_take() -> None:
    with pytest.raises(ValueError, match=r"layer 'c' \(conv1d\) takes a \[channels, length\] sequence"):
        conv1d().output_shape((3, 8, 8))
    with pytest.raises(ValueError, match="window 4 does not fit"):
        MaxPool1D("p", kernel=4, stride=1).output_shape((2, 3))
