"""Layer semantics against independent, naive implementations written here."""

from __future__ import annotations

import numpy as np
import pytest

from layers import LRN, Conv, Dense, Flatten, LayerTypes, LoopNest, MaxPool, ReLU
from layers.kernels import lrn_norm
from quant import FixedType

T = FixedType.parse
IN = T("ap_fixed<16,4>")
TYPES = LayerTypes(IN, IN, IN, T("ap_fixed<40,16>"), T("ap_fixed<16,4,AP_RND,AP_SAT>"))


def naive_conv(x, w, b, stride, pad, groups):
    n_img, c_in, h, wd = x.shape
    m_out, c_g, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - kh) // stride + 1, (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((n_img, m_out, oh, ow))
    m_g = m_out // groups
    for b_i in range(n_img):
        for m in range(m_out):
            g = m // m_g
            for r in range(oh):
                for c in range(ow):
                    patch = xp[b_i, g * c_g:(g + 1) * c_g, r * stride:r * stride + kh, c * stride:c * stride + kw]
                    out[b_i, m, r, c] = (patch * w[m]).sum() + b[m]
    return out


@pytest.mark.parametrize("stride, pad, groups", [(1, 0, 1), (2, 1, 2), (4, 2, 1), (1, 2, 4)])
def test_conv_float_reference_is_a_convolution(stride, pad, groups, rng) -> None:
    x = rng.normal(0, 1, (2, 8, 11, 11))
    w = rng.normal(0, 0.3, (8, 8 // groups, 3, 3))
    b = rng.normal(0, 0.3, 8)
    layer = Conv("c", 8, (3, 3), TYPES, stride=stride, padding=pad, groups=groups)
    assert np.allclose(layer.run_float(x, {"weight": w, "bias": b}), naive_conv(x, w, b, stride, pad, groups))


def test_fixed_conv_with_exact_types_equals_float_on_quantized_values(rng) -> None:
    x = IN.quantize(rng.normal(0, 1, (1, 4, 9, 9)))
    w, b = IN.quantize(rng.normal(0, 0.3, (6, 2, 3, 3))), IN.quantize(rng.normal(0, 0.3, 6))
    wide = LayerTypes(IN, IN, IN, T("ap_fixed<48,24>"), T("ap_fixed<48,24>"))
    layer = Conv("c", 6, (3, 3), wide, stride=2, padding=1, groups=2, relu=True)
    fixed = layer.run_fixed(IN.to_raw(x), IN, {"weight": w, "bias": b})
    assert fixed.values().tolist() == np.maximum(naive_conv(x, w, b, 2, 1, 2), 0).tolist()  # exact: no rounding anywhere


def test_grouped_conv_is_independent_convs_per_group(rng) -> None:
    x = IN.to_raw(rng.normal(0, 2, (1, 6, 7, 7)))
    w, b = rng.normal(0, 0.5, (4, 3, 3, 3)), rng.normal(0, 1, 4)
    narrow = LayerTypes(IN, IN, IN, T("ap_fixed<16,4,AP_TRN,AP_SAT>"), IN)
    grouped = Conv("g", 4, (3, 3), narrow, groups=2).run_fixed(x, IN, {"weight": w, "bias": b})
    for g in range(2):
        alone = Conv("a", 2, (3, 3), narrow).run_fixed(x[:, 3 * g:3 * g + 3], IN, {"weight": w[2 * g:2 * g + 2], "bias": b[2 * g:2 * g + 2]})
        assert grouped.raw[:, 2 * g:2 * g + 2].tolist() == alone.raw.tolist()


def test_dense_float_reference(rng) -> None:
    x, w, b = rng.normal(0, 1, (3, 20)), rng.normal(0, 1, (5, 20)), rng.normal(0, 1, 5)
    out = Dense("fc", 5, TYPES, relu=True).run_float(x, {"weight": w, "bias": b})
    expected = [[max(0.0, sum(w[m, n] * x[i, n] for n in range(20)) + b[m]) for m in range(5)] for i in range(3)]
    assert np.allclose(out, expected)


@pytest.mark.parametrize("kernel, stride, pad", [(3, 2, 0), (2, 2, 0), (3, 2, 1), (3, 1, 1)])
def test_maxpool_against_loops(kernel, stride, pad, rng) -> None:
    raw = IN.to_raw(rng.normal(0, 3, (2, 3, 9, 9)))
    layer = MaxPool("p", kernel, stride, pad)
    out = layer.run_fixed(raw, IN, {}).raw
    oh = (9 + 2 * pad - kernel) // stride + 1
    for b in range(2):
        for c in range(3):
            for r in range(oh):
                for col in range(oh):
                    window = [raw[b, c, y, x] for y in range(r * stride - pad, r * stride - pad + kernel)
                              for x in range(col * stride - pad, col * stride - pad + kernel) if 0 <= y < 9 and 0 <= x < 9]
                    assert out[b, c, r, col] == max(window)
    assert np.array_equal(layer.run_float(IN.from_raw(raw), {}), IN.from_raw(out))


def test_flatten_orders() -> None:
    x = np.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2)
    chw = Flatten("f", "chw").run_float(x, {})
    hwc = Flatten("f", "hwc").run_float(x, {})
    assert chw[1, (2 * 2 + 1) * 2 + 0] == x[1, 2, 1, 0]  # (c*H + h)*W + w
    assert hwc[1, (1 * 2 + 0) * 3 + 2] == x[1, 2, 1, 0]  # (h*W + w)*C + c
    with pytest.raises(ValueError, match="order 'cwh'"):
        Flatten("f", "cwh")  # type: ignore[arg-type]


def test_fused_and_separate_relu_differ_when_the_result_cast_wraps() -> None:
    # accumulator value -9.0 and +9.0 cast to a wrapping <8,3> (range [-4, 4)): -9 wraps to -1, +9 to +1
    types = LayerTypes(IN, IN, IN, T("ap_fixed<32,8>"), T("ap_fixed<8,3>"))
    x = IN.to_raw([[3.0], [-3.0]])
    params = {"weight": np.array([[3.0]]), "bias": np.array([0.0])}
    fused = Dense("fc", 1, types, relu=True).run_fixed(x, IN, params)
    plain = Dense("fc", 1, types).run_fixed(x, IN, params)
    separate = ReLU("relu").run_fixed(plain.raw, plain.type, {})
    assert fused.values().tolist() == [[1.0], [0.0]]  # relu(9) = 9 -> wraps to 1; relu(-9) = 0
    assert separate.values().tolist() == [[1.0], [0.0]]  # 9 -> 1 -> 1; -9 -> -1 -> 0
    # +-7.5: fused, 7.5 wraps to -0.5 and relu(-7.5) = 0; separate, 7.5 -> -0.5 -> 0 and -7.5 -> +0.5
    x2 = IN.to_raw([[2.5], [-2.5]])
    fused2 = Dense("fc", 1, types, relu=True).run_fixed(x2, IN, params).values()
    plain2 = Dense("fc", 1, types).run_fixed(x2, IN, params)
    separate2 = ReLU("relu").run_fixed(plain2.raw, plain2.type, {}).values()
    assert fused2.tolist() == [[-0.5], [0.0]] and separate2.tolist() == [[0.0], [0.5]]


def naive_lrn(x, size, alpha, beta, k, divide_by_n):
    out = np.empty_like(x)
    channels = x.shape[1]
    for c in range(channels):
        lo, hi = max(0, c - size // 2), min(channels - 1, c + (size - 1) // 2)
        s = (x[:, lo:hi + 1] ** 2).sum(axis=1)
        a = alpha / size if divide_by_n else alpha
        out[:, c] = x[:, c] / (k + a * s) ** beta
    return out


@pytest.mark.parametrize("convention, divide", [("pytorch", True), ("tensorflow", False)])
def test_lrn_float_reference_and_alpha_convention(convention, divide, rng) -> None:
    x = rng.normal(0, 3, (2, 7, 3, 3))
    layer = LRN("n", T("ap_fixed<16,4>"), size=5, alpha=0.5, beta=0.75, k=2.0, alpha_convention=convention)
    assert np.allclose(layer.run_float(x, {}), naive_lrn(x, 5, 0.5, 0.75, 2.0, divide))


@pytest.mark.parametrize("mode", ["exact", "linear", "pwl"])
def test_lrn_fixed_point_modes_report_both_errors(mode, rng) -> None:
    raw = IN.to_raw(np.abs(rng.normal(0, 2, (1, 16, 4, 4))))
    x = IN.from_raw(raw)
    layer = LRN("n", T("ap_fixed<16,4,AP_RND,AP_SAT>"), size=5, alpha=1e-2, beta=0.75, k=2.0, mode=mode, segments=32)
    result = layer.run_fixed(raw, IN, {})
    exact = naive_lrn(x, 5, 1e-2, 0.75, 2.0, True)
    total = np.abs(result.values() - exact).max()
    e = result.extra
    assert total <= e["approximation_max_abs"] + e["quantization_max_abs"] + 1e-12
    assert e["quantization_max_abs"] < 0.01  # ~ a few LSBs of the coefficient/norm types
    if mode == "exact":
        assert e["approximation_max_abs"] == 0.0
    else:
        assert e["approximation_max_abs"] > 0.0


def test_linear_lrn_is_the_tangent_at_the_expansion_point() -> None:
    layer = LRN("n", IN, beta=0.75, k=2.0, mode="linear")
    u = np.array([2.0, 2.0 + 1e-6])
    d = lrn_norm.approximation(layer, u, IN)
    assert d[0] == pytest.approx(2.0**-0.75)
    assert (d[1] - d[0]) / 1e-6 == pytest.approx(-0.75 * 2.0**-1.75, rel=1e-6)


@pytest.mark.parametrize("tiles, message", [({"n": 0}, "impossible"), ({"n": 9}, "impossible"), ({"q": 2}, "unknown loop")])
def test_impossible_tilings_are_named(tiles, message) -> None:
    with pytest.raises(ValueError, match=message):
        LoopNest.build({"m": 4, "n": 8}, tiles=tiles, reduction=("n",))


def test_bad_loop_order_is_named() -> None:
    with pytest.raises(ValueError, match="must name each loop once"):
        LoopNest.build({"m": 4, "n": 8}, order=("m", "m"))


def test_lrn_in_image_groups_equals_one_image_at_a_time(rng) -> None:
    from layers import lrn as lrn_module

    raw = IN.to_raw(np.abs(rng.normal(0, 3, (7, 8, 4, 4))))
    layer = LRN("n", T("ap_fixed<16,4,AP_RND,AP_SAT>"), size=5, alpha=0.02, beta=0.75, k=2.0, mode="pwl")
    whole = layer.run_fixed(raw, IN, {})
    old = lrn_module.CHUNK_ELEMENTS
    lrn_module.CHUNK_ELEMENTS = 2 * 8 * 4 * 4  # groups of two images
    try:
        grouped = layer.run_fixed(raw, IN, {})
    finally:
        lrn_module.CHUNK_ELEMENTS = old
    assert grouped.raw.tolist() == whole.raw.tolist()
    assert grouped.stats.as_dict() == whole.stats.as_dict()
    assert grouped.extra["approximation_max_abs"] == whole.extra["approximation_max_abs"]
    assert grouped.extra["quantization_mean_abs"] == pytest.approx(whole.extra["quantization_mean_abs"])
