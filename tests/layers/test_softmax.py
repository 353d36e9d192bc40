"""Softmax against hls4ml's own ``nnet::softmax`` (``stable`` and ``latency``; its C++,
compiled with the real headers): the same tables, the same tree sum, the same casts."""

from __future__ import annotations

import numpy as np
import pytest

from layers import Softmax
from quant import FixedType
from tests.oracle.hls4ml_nnet import build, needs_gxx, run

T = FixedType.parse
# (implementation, n, input, table_size, exp_table, inv_table, accum or None, result): hls4ml's
# defaults on 10 classes; 5 classes (an uneven tree) with a narrow saturating accumulator; the
# latency variant; a wrapping inverse table (its entry for 0, +inf, becomes 0)
CASES = [
    ("stable", 10, "ap_fixed<16,6>", 1024, "ap_fixed<18,8,AP_RND,AP_SAT>", "ap_fixed<18,8,AP_RND,AP_SAT>", None,
     "ap_fixed<16,6>"),
    ("stable", 5, "ap_fixed<10,4,AP_RND,AP_SAT>", 256, "ap_ufixed<10,1,AP_RND>", "ap_fixed<14,4,AP_RND,AP_SAT>",
     "ap_ufixed<8,2,AP_TRN,AP_SAT>", "ap_ufixed<9,1,AP_RND,AP_SAT>"),
    ("latency", 7, "ap_fixed<12,3,AP_RND,AP_SAT>", 512, "ap_fixed<18,8,AP_RND,AP_SAT>", "ap_fixed<18,8,AP_RND,AP_SAT>",
     None, "ap_fixed<12,2,AP_RND,AP_SAT>"),
    ("stable", 3, "ap_fixed<8,3>", 64, "ap_fixed<18,8,AP_RND,AP_SAT>", "ap_fixed<18,8>", None, "ap_fixed<10,2>"),
]
ROWS = 40


def case_sources(cases) -> list[str]:
    parts = []
    for k, (impl, n, x, size, exp_t, inv_t, acc, r) in enumerate(cases):
        t = Softmax("s", impl, size, exp_table=T(exp_t), inv_table=T(inv_t), accum=T(acc) if acc else None,
                    result=T(r)).resolved(T(x), n)
        parts.append(f"""
struct config{k} : nnet::activ_config {{
  static const unsigned n_in = {n}, n_slice = {n}, n_outer = 1, n_inner = 1, axis = -1;
  static const int parallelization_factor = -1;
  static const unsigned exp_table_size = {t.exp_size}, inv_table_size = {t.inv_size};
  static const nnet::softmax_implementation implementation = nnet::softmax_implementation::{impl};
  static constexpr float exp_scale = 1.0;
  typedef {t.exp_table.cpp()} exp_table_t;
  typedef {t.inv_table.cpp()} inv_table_t;
  typedef {t.accum.cpp()} accum_t;
  typedef {t.inv_inp.cpp()} inv_inp_t;
  typedef {t.inp_norm.cpp() if impl == "stable" else "ap_fixed<1,0>"} inp_norm_t;
}};
void case{k}() {{
  typedef {T(x).cpp()} data_t;
  typedef {T(r).cpp()} res_t;
  for (int row = 0; row < {ROWS}; row++) {{
    data_t x[{n}]; res_t y[{n}];
    long long v;
    for (int i = 0; i < {n}; i++) {{ std::scanf("%lld", &v); x[i].range() = v; }}
    nnet::softmax<data_t, res_t, config{k}>(x, y);
    for (int i = 0; i < {n}; i++) std::printf("%s\\n", y[i].to_string(10).c_str());
  }}
}}""")
    return parts


@needs_gxx
def test_softmax_is_hls4mls_bit_for_bit(tmp_path, rng) -> None:
    exe = build(tmp_path, "nnet_activation.h", case_sources(CASES))
    feed, expected = [], []
    for impl, n, x_text, size, exp_t, inv_t, acc, r in CASES:
        layer = Softmax("s", impl, size, exp_table=T(exp_t), inv_table=T(inv_t), accum=T(acc) if acc else None,
                        result=T(r))
        x_type = T(x_text)
        raw = rng.integers(x_type.min_raw, x_type.max_raw + 1, (ROWS, n))
        raw[0] = 0  # equal logits
        feed += raw.reshape(-1).tolist()
        result = layer.run_fixed(raw, x_type)
        expected.append(result.type.from_raw(result.raw).reshape(-1))
    values = run(exe, feed)
    got = iter(values)
    for case, want in zip(CASES, expected):
        np.testing.assert_array_equal([next(got) for _ in range(want.size)], want, err_msg=f"case {case}")


def test_softmax_approximates_the_function(rng) -> None:
    q = T("ap_fixed<16,6>")
    logits = rng.normal(0, 2, (20, 10))
    layer = Softmax("s")
    result = layer.run_fixed(q.to_raw(logits), q)
    probabilities = layer.run_float(logits)
    assert np.allclose(probabilities.sum(axis=1), 1)
    # hls4ml's tables are coarse (the inverse is indexed by the sum's top 10 bits): close, not exact
    assert np.abs(result.type.from_raw(result.raw) - probabilities).max() < 0.2
    assert (result.raw.argmax(axis=1) == probabilities.argmax(axis=1)).mean() >= 0.9
    with pytest.raises(ValueError, match="implementation 'legacy' must be stable, latency or argmax"):
        Softmax("s", "legacy")
