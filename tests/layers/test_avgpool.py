"""AvgPool against hls4ml's own ``nnet::pooling2d_cl`` with ``Average`` (its C++, compiled
with the real headers), and the float reference against PyTorch's ``avg_pool2d``."""

from __future__ import annotations

import numpy as np
import pytest

from layers import AvgPool
from quant import FixedType
from tests.oracle.hls4ml_nnet import build, needs_gxx, run

T = FixedType.parse
CHANNELS, SIZE = 3, 7
# (input, accum, result, kernel, stride, padding, count_pad): an exact sum, a narrow saturating
# one, unsigned data with the padding counted
CASES = [
    ("ap_fixed<12,3,AP_RND,AP_SAT>", "ap_fixed<16,6>", "ap_fixed<10,3,AP_RND,AP_SAT>", 3, 2, 1, False),
    ("ap_fixed<16,6>", "ap_fixed<12,4,AP_TRN,AP_SAT>", "ap_fixed<8,3>", 2, 2, 0, False),
    ("ap_ufixed<8,3>", "ap_ufixed<12,5>", "ap_fixed<10,4,AP_RND_CONV>", 3, 1, 1, True),
]


def case_sources(cases) -> list[str]:
    parts = []
    for n, (x, acc, r, k, s, p, count_pad) in enumerate(cases):
        out = (SIZE + 2 * p - k) // s + 1
        parts.append(f"""
struct config{n} : nnet::pooling2d_config {{
  static const unsigned in_height = {SIZE}, in_width = {SIZE}, n_filt = {CHANNELS};
  static const unsigned stride_height = {s}, stride_width = {s}, pool_height = {k}, pool_width = {k};
  static const unsigned out_height = {out}, out_width = {out};
  static const unsigned pad_top = {p}, pad_bottom = {p}, pad_left = {p}, pad_right = {p};
  static const bool count_pad = {str(count_pad).lower()};
  static const nnet::Pool_Op pool_op = nnet::Average;
  static const unsigned reuse_factor = 1;
  typedef {T(acc).cpp()} accum_t;
}};
void case{n}() {{
  typedef {T(x).cpp()} data_t;
  typedef {T(r).cpp()} res_t;
  data_t x[{SIZE * SIZE * CHANNELS}]; res_t y[{out * out * CHANNELS}];
  long long v;
  for (int i = 0; i < {SIZE * SIZE * CHANNELS}; i++) {{ std::scanf("%lld", &v); x[i].range() = v; }}
  nnet::pooling2d_cl<data_t, res_t, config{n}>(x, y);
  for (int i = 0; i < {out * out * CHANNELS}; i++) std::printf("%s\\n", y[i].to_string(10).c_str());
}}""")
    return parts


@needs_gxx
def test_avgpool_is_hls4mls_average_pooling_bit_for_bit(tmp_path, rng) -> None:
    exe = build(tmp_path, "nnet_pooling.h", case_sources(CASES))
    feed, expected = [], []
    for x_text, acc, r, k, s, p, count_pad in CASES:
        layer = AvgPool("pool", k, s, p, count_pad, T(acc), T(r))
        x_type = T(x_text)
        raw = rng.integers(x_type.min_raw, x_type.max_raw + 1, (1, CHANNELS, SIZE, SIZE))
        feed += raw[0].transpose(1, 2, 0).reshape(-1).tolist()  # channels-last, as hls4ml
        result = layer.run_fixed(raw, x_type)
        expected.append(result.type.from_raw(result.raw)[0].transpose(1, 2, 0).reshape(-1))
        assert result.stats.accumulation.rounded + result.stats.accumulation.overflows > 0  # the division rounds
    values = run(exe, feed)
    got = iter(values)
    for case, want in zip(CASES, expected):
        np.testing.assert_array_equal([next(got) for _ in range(want.size)], want, err_msg=f"case {case}")


def test_float_reference_is_pytorchs_avg_pool(rng) -> None:
    torch = pytest.importorskip("torch")
    x = rng.normal(0, 1, (2, 3, 9, 9))
    for count_pad in (False, True):
        layer = AvgPool("pool", 3, 2, 1, count_pad)
        want = torch.nn.functional.avg_pool2d(torch.from_numpy(x), 3, 2, 1, count_include_pad=count_pad).numpy()
        np.testing.assert_allclose(layer.run_float(x), want, rtol=1e-12)
    with pytest.raises(ValueError, match="padding 3 must be below the kernel 3"):
        AvgPool("pool", 3, 1, 3)
