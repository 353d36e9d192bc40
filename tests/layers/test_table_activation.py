"""Sigmoid and tanh against hls4ml's own ``nnet::sigmoid`` and ``nnet::tanh`` (its C++,
compiled with the real headers): the same tables, the same indices, the same casts."""

from __future__ import annotations

import numpy as np
import pytest

from layers import TableActivation
from quant import FixedType
from tests.oracle.hls4ml_nnet import build, needs_gxx, run

T = FixedType.parse
# (function, input, table_t, table_size, result): hls4ml's default table; a fine table in
# which float and double evaluation would differ; a coarse one with a narrow rounding result
CASES = [
    ("sigmoid", "ap_fixed<16,6>", "ap_fixed<18,8>", 1024, "ap_fixed<16,6>"),
    ("tanh", "ap_fixed<12,4,AP_RND,AP_SAT>", "ap_fixed<40,2>", 1024, "ap_fixed<24,2>"),
    ("sigmoid", "ap_fixed<10,5>", "ap_ufixed<12,1,AP_RND>", 256, "ap_fixed<8,2,AP_RND,AP_SAT>"),
    ("tanh", "ap_ufixed<8,3>", "ap_fixed<18,8>", 64, "ap_fixed<6,1,AP_RND_CONV,AP_SAT>"),
]
N = 300


def case_sources(cases) -> list[str]:
    parts = []
    for k, (function, x, table, size, r) in enumerate(cases):
        parts.append(f"""
struct config{k} : nnet::activ_config {{
  static const unsigned n_in = {N};
  static const unsigned table_size = {size};
  typedef {T(table).cpp()} table_t;
}};
void case{k}() {{
  typedef {T(x).cpp()} data_t;
  typedef {T(r).cpp()} res_t;
  data_t x[{N}]; res_t y[{N}];
  long long v;
  for (int i = 0; i < {N}; i++) {{ std::scanf("%lld", &v); x[i].range() = v; }}
  nnet::{function}<data_t, res_t, config{k}>(x, y);
  for (int i = 0; i < {N}; i++) std::printf("%s\\n", y[i].to_string(10).c_str());
}}""")
    return parts


@needs_gxx
def test_tables_are_hls4mls_bit_for_bit(tmp_path, rng) -> None:
    exe = build(tmp_path, "nnet_activation.h", case_sources(CASES))
    feed, expected = [], []
    for function, x_text, table, size, r in CASES:
        layer = TableActivation("act", function, size, T(table), T(r), op=function)
        x_type = T(x_text)
        raw = rng.integers(x_type.min_raw, x_type.max_raw + 1, N)
        raw[:4] = [x_type.min_raw, x_type.max_raw, 0, -1 if x_type.signed else 1]  # both clamps, the centre
        feed += raw.tolist()
        result = layer.run_fixed(raw, x_type)
        expected.append(result.type.from_raw(result.raw))
    values = run(exe, feed)
    got = values.reshape(len(CASES), N)
    for k, want in enumerate(expected):
        np.testing.assert_array_equal(got[k], want, err_msg=f"case {CASES[k]}")


def test_the_table_follows_the_function(rng) -> None:
    x = np.linspace(-7, 7, 101)
    q = T("ap_fixed<16,4>")
    for function, exact in (("sigmoid", 1 / (1 + np.exp(-x))), ("tanh", np.tanh(x))):
        layer = TableActivation("act", function, 1024, T("ap_fixed<18,2>"), op=function)
        result = layer.run_fixed(q.to_raw(x), q)
        step = (16 if function == "sigmoid" else 8) / 1024  # the table's input step bounds the error
        assert np.abs(result.type.from_raw(result.raw) - exact).max() < step
        np.testing.assert_allclose(layer.run_float(x), exact)
    with pytest.raises(ValueError, match="table_size 1000 must be a power of two"):
        TableActivation("act", "tanh", 1000)
