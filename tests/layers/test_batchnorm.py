"""BatchNorm against hls4ml's own ``nnet::normalize`` (its C++, compiled with the real
headers), and the layer's float reference against PyTorch's formula."""

from __future__ import annotations

import numpy as np
import pytest

from layers import BatchNorm
from quant import FixedType
from tests.oracle.hls4ml_nnet import build, needs_gxx, run

T = FixedType.parse
# (input, scale, bias, result): rounding and saturating results, wrapping ones, unsigned input
CASES = [
    ("ap_fixed<12,3,AP_RND,AP_SAT>", "ap_fixed<10,3>", "ap_fixed<12,5>", "ap_fixed<14,4,AP_RND,AP_SAT>"),
    ("ap_fixed<16,6>", "ap_fixed<16,2,AP_RND_CONV>", "ap_fixed<8,4>", "ap_fixed<8,3>"),
    ("ap_ufixed<8,3>", "ap_fixed<12,4,AP_TRN,AP_SAT>", "ap_fixed<16,6>", "ap_fixed<10,2,AP_RND_ZERO,AP_SAT_SYM>"),
]
CHANNELS, POSITIONS = 6, 7


def case_sources(cases) -> list[str]:
    """One function per case: nnet::normalize on channels-last data (hls4ml's layout)."""
    parts = []
    for k, (x, s, b, r) in enumerate(cases):
        parts.append(f"""
struct config{k} : nnet::batchnorm_config {{
  typedef {T(s).cpp()} scale_t;
  typedef {T(b).cpp()} bias_t;
  static const unsigned n_in = {CHANNELS * POSITIONS};
  static const unsigned n_filt = {CHANNELS};
  static const unsigned n_scale_bias = {CHANNELS};
  static const unsigned multiplier_limit = n_in;
  template <class x_T, class y_T> using product = nnet::product::mult<x_T, y_T>;
}};
void case{k}() {{
  typedef {T(x).cpp()} data_t;
  typedef {T(r).cpp()} res_t;
  data_t x[config{k}::n_in]; res_t y[config{k}::n_in];
  config{k}::scale_t s[{CHANNELS}]; config{k}::bias_t b[{CHANNELS}];
  long long v;
  for (int i = 0; i < {CHANNELS}; i++) {{ std::scanf("%lld", &v); s[i].range() = v; }}
  for (int i = 0; i < {CHANNELS}; i++) {{ std::scanf("%lld", &v); b[i].range() = v; }}
  for (unsigned i = 0; i < config{k}::n_in; i++) {{ std::scanf("%lld", &v); x[i].range() = v; }}
  nnet::normalize<data_t, res_t, config{k}>(x, y, s, b);
  for (unsigned i = 0; i < config{k}::n_in; i++) std::printf("%s\\n", y[i].to_string(10).c_str());
}}""")
    return parts


@needs_gxx
def test_batchnorm_is_hls4mls_normalize_bit_for_bit(tmp_path, rng) -> None:
    exe = build(tmp_path, "nnet_batchnorm.h", case_sources(CASES))
    feed, expected = [], []
    for x_text, s_text, b_text, r_text in CASES:
        layer = BatchNorm("bn", T(s_text), T(b_text), T(r_text), eps=1e-3)
        params = {"weight": rng.normal(1, 0.8, CHANNELS), "bias": rng.normal(0, 2, CHANNELS),
                  "running_mean": rng.normal(0, 1, CHANNELS), "running_var": rng.uniform(0.05, 3, CHANNELS)}
        x_type = T(x_text)
        raw = rng.integers(x_type.min_raw, x_type.max_raw + 1, (1, CHANNELS, POSITIONS))
        prepared = layer.prepare(params)
        # ap_fixed's range() takes the low W bits: negative raws go in as two's complement
        feed += [*prepared.scale.tolist(), *prepared.bias.tolist(), *raw[0].T.reshape(-1).tolist()]
        result = layer.run_fixed(raw, x_type, params)
        expected.append(result.type.from_raw(result.raw)[0].T.reshape(-1))  # channels-last, as hls4ml
        assert result.stats.result.overflows > 0 or result.stats.result.rounded > 0  # the cast does something
    values = run(exe, feed)
    got = values.reshape(len(CASES), -1)
    for k, want in enumerate(expected):
        np.testing.assert_array_equal(got[k], want, err_msg=f"case {CASES[k]}")


def test_float_reference_is_pytorchs_formula(rng) -> None:
    layer = BatchNorm("bn", T("ap_fixed<16,4>"), T("ap_fixed<16,6>"), T("ap_fixed<16,6>"), eps=1e-5)
    params = {"weight": rng.normal(1, 0.2, 4), "bias": rng.normal(0, 1, 4), "running_mean": rng.normal(0, 1, 4),
              "running_var": rng.uniform(0.5, 2, 4)}
    x = rng.normal(0, 1, (3, 4, 5, 5))
    want = ((x - params["running_mean"][:, None, None]) / np.sqrt(params["running_var"][:, None, None] + 1e-5)
            * params["weight"][:, None, None] + params["bias"][:, None, None])
    np.testing.assert_allclose(layer.run_float(x, params), want, rtol=1e-12, atol=1e-12)
    flat = rng.normal(0, 1, (3, 4))  # after flatten: one channel per feature
    assert layer.run_float(flat, params).shape == (3, 4)
    with pytest.raises(ValueError, match="running_var has negative entries"):
        layer.run_float(x, {**params, "running_var": -params["running_var"]})
