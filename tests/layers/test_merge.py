"""``add`` and ``concatenate`` against hls4ml's own ``nnet::add`` and ``nnet::concatenate``
(``nnet_merge.h``, compiled with g++ and the real headers), and their float references."""

from __future__ import annotations

import numpy as np
import pytest

from layers import Add, Concatenate
from quant import FixedType
from tests.oracle.hls4ml_nnet import build, needs_gxx, run

T = FixedType.parse
# (input 1, input 2, result): rounding and saturating, wrapping, unsigned and mixed operands
ADDS = [
    ("ap_fixed<12,3,AP_RND,AP_SAT>", "ap_fixed<10,5>", "ap_fixed<10,4,AP_RND,AP_SAT>"),
    ("ap_fixed<16,6>", "ap_fixed<16,6>", "ap_fixed<8,3>"),
    ("ap_ufixed<8,3>", "ap_fixed<12,2,AP_TRN,AP_SAT>", "ap_fixed<9,2,AP_RND_CONV,AP_SAT_SYM>"),
]
N = 40


def add_case(k: int, a: str, b: str, r: str) -> str:
    return f"""
struct add{k} : nnet::merge_config {{ static const unsigned n_elem = {N}; static const unsigned n_elem1 = {N};
                                    static const unsigned n_elem2 = {N}; }};
void case{k}() {{
  {T(a).cpp()} x[{N}]; {T(b).cpp()} y[{N}]; {T(r).cpp()} z[{N}];
  long long v;
  for (int i = 0; i < {N}; i++) {{ std::scanf("%lld", &v); x[i].range() = v; }}
  for (int i = 0; i < {N}; i++) {{ std::scanf("%lld", &v); y[i].range() = v; }}
  nnet::add<{T(a).cpp()}, {T(b).cpp()}, {T(r).cpp()}, add{k}>(x, y, z);
  for (int i = 0; i < {N}; i++) std::printf("%s\\n", z[i].to_string(10).c_str());
}}"""


@needs_gxx
def test_add_is_hls4mls_add_bit_for_bit(tmp_path, rng) -> None:
    exe = build(tmp_path, "nnet_merge.h", [add_case(k, *case) for k, case in enumerate(ADDS)])
    feed, expected = [], []
    for a, b, r in ADDS:
        ta, tb = T(a), T(b)
        x = rng.integers(ta.min_raw, ta.max_raw + 1, (1, N))
        y = rng.integers(tb.min_raw, tb.max_raw + 1, (1, N))
        feed += [*x[0].tolist(), *y[0].tolist()]
        result = Add("add", T(r)).run_fixed((x, y), (ta, tb), {})
        assert result.stats.result.overflows > 0 or result.stats.result.rounded > 0  # the cast does something
        expected.append(result.type.from_raw(result.raw)[0])
    got = run(exe, feed).reshape(len(ADDS), N)
    for k, want in enumerate(expected):
        np.testing.assert_array_equal(got[k], want, err_msg=f"case {ADDS[k]}")


def test_an_add_without_a_result_type_is_exact(rng) -> None:
    a, b = T("ap_fixed<8,3>"), T("ap_ufixed<6,2>")
    x, y = rng.integers(a.min_raw, a.max_raw + 1, (3, 5)), rng.integers(b.min_raw, b.max_raw + 1, (3, 5))
    layer = Add("add")
    result = layer.run_fixed((x, y), (a, b), {})
    # ap_fixed RType::plus: integer bits max(3, 2 + 1 for the unsigned operand) + 1, fraction max(5, 4)
    assert str(result.type) == "ap_fixed<9,4>" and layer.output_type((a, b)) == result.type
    np.testing.assert_array_equal(result.type.from_raw(result.raw), a.from_raw(x) + b.from_raw(y))
    with pytest.raises(ValueError, match=r"layer 'add' \(add\): its inputs have shapes \(4, 2\) and \(2, 4\)"):
        layer.output_shape(((4, 2), (2, 4)))


CONCATS = [("ap_fixed<12,3,AP_RND,AP_SAT>", "ap_fixed<10,5>", "ap_fixed<8,3,AP_RND,AP_SAT>"),
           ("ap_ufixed<8,3>", "ap_fixed<16,6>", "ap_fixed<16,6>")]
C1, C2, H, W = 3, 2, 2, 4


def concat_case(k: int, a: str, b: str, r: str) -> str:
    """hls4ml's channels-last concatenate3d_2 along the channels."""
    return f"""
struct cat{k} : nnet::concat_config {{
  static const unsigned n_elem1_0 = {H}; static const unsigned n_elem1_1 = {W}; static const unsigned n_elem1_2 = {C1};
  static const unsigned n_elem2_0 = {H}; static const unsigned n_elem2_1 = {W}; static const unsigned n_elem2_2 = {C2};
  static const int axis = -1; }};
void case{k}() {{
  {T(a).cpp()} x[{H * W * C1}]; {T(b).cpp()} y[{H * W * C2}]; {T(r).cpp()} z[{H * W * (C1 + C2)}];
  long long v;
  for (int i = 0; i < {H * W * C1}; i++) {{ std::scanf("%lld", &v); x[i].range() = v; }}
  for (int i = 0; i < {H * W * C2}; i++) {{ std::scanf("%lld", &v); y[i].range() = v; }}
  nnet::concatenate3d_2<{T(a).cpp()}, {T(b).cpp()}, {T(r).cpp()}, cat{k}>(x, y, z);
  for (int i = 0; i < {H * W * (C1 + C2)}; i++) std::printf("%s\\n", z[i].to_string(10).c_str());
}}"""


@needs_gxx
def test_concatenate_is_hls4mls_concatenate_bit_for_bit(tmp_path, rng) -> None:
    exe = build(tmp_path, "nnet_merge.h", [concat_case(k, *case) for k, case in enumerate(CONCATS)])
    feed, expected = [], []
    for a, b, r in CONCATS:
        ta, tb = T(a), T(b)
        x = rng.integers(ta.min_raw, ta.max_raw + 1, (1, C1, H, W))
        y = rng.integers(tb.min_raw, tb.max_raw + 1, (1, C2, H, W))
        feed += [*x[0].transpose(1, 2, 0).reshape(-1).tolist(), *y[0].transpose(1, 2, 0).reshape(-1).tolist()]
        layer = Concatenate("cat", T(r))
        result = layer.run_fixed((x, y), (ta, tb), {})
        assert layer.output_shape(((C1, H, W), (C2, H, W))) == (C1 + C2, H, W) == result.raw.shape[1:]
        expected.append(result.type.from_raw(result.raw)[0].transpose(1, 2, 0).reshape(-1))  # channels-last
    got = run(exe, feed).reshape(len(CONCATS), -1)
    for k, want in enumerate(expected):
        np.testing.assert_array_equal(got[k], want, err_msg=f"case {CONCATS[k]}")


def test_float_references(rng) -> None:
    x, y = rng.normal(0, 1, (2, 3, 4)), rng.normal(0, 1, (2, 1, 4))
    np.testing.assert_array_equal(Concatenate("c").run_float((x, y), {}), np.concatenate([x, y], axis=1))
    np.testing.assert_array_equal(Add("a").run_float((x, x), {}), 2 * x)
    with pytest.raises(ValueError, match="they must agree in every axis but the channels"):
        Concatenate("c").output_shape(((3, 4, 4), (1, 4, 2)))
