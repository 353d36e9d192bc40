"""Conv and dense kernels against C++ layers written with the real ap_fixed headers."""

from __future__ import annotations

import numpy as np
import pytest

from layers import Conv, Dense, LayerTypes
from layers.kernels import jit_loop
from quant import FixedType
from tests.oracle.ap_oracle import Program, cpp_type, encode

T = FixedType.parse
IN = T("ap_fixed<16,4>")
CONFIGS = {  # name: (product, accum, partial, result); weight = bias = input = <16,4>
    "hls4ml-default": ("accum", T("ap_fixed<24,8>"), "accum", T("ap_fixed<16,4,AP_RND,AP_SAT>")),
    "narrow-sat": ("accum", T("ap_fixed<16,4,AP_TRN,AP_SAT>"), "accum", T("ap_fixed<16,4>")),
    "rounding-partials": ("full", T("ap_fixed<20,6,AP_RND,AP_SAT>"), T("ap_fixed<16,6,AP_RND_CONV,AP_SAT>"), T("ap_fixed<12,4,AP_RND,AP_SAT>")),
    "wide-exact": ("accum", T("ap_fixed<40,16>"), "accum", T("ap_fixed<16,4,AP_RND,AP_SAT>")),
    "order-dependent": ("full", T("ap_fixed<18,5,AP_RND_CONV,AP_SAT_SYM>"), "accum", T("ap_fixed<16,4,AP_RND_INF,AP_WRAP>")),
}
CONVS = [  # (C, H, W, M, K, stride, pad, Tn, order flag, relu)
    (5, 8, 8, 4, 3, 1, 1, 2, 1, True),
    (3, 9, 9, 6, 5, 2, 2, 3, 0, False),
]
DENSES = [(300, 16, 64, True), (50, 7, 50, False)]  # (N, M, Tn, relu)
ORDERS = {0: ("m", "r", "c", "n", "i", "j"), 1: ("m", "r", "c", "i", "j", "n")}


def layer_types(name: str) -> LayerTypes:
    product, accum, partial, result = CONFIGS[name]
    return LayerTypes(input=IN, weight=IN, bias=IN, accum=accum, result=result, product=product, partial=partial)


def cpp_types(types: LayerTypes) -> str:
    parts = [types.input, types.weight, types.bias, types.product_type, types.accum, types.partial_type, types.result]
    return ", ".join(cpp_type(t) for t in parts)


@pytest.fixture(scope="module")
def program() -> Program:
    cases = [f"conv<{cpp_types(layer_types(n))}>" for n in CONFIGS]
    cases += [f"dense<{cpp_types(layer_types(n))}>" for n in CONFIGS]
    return Program(cases)


def test_conv_matches_cpp(program: Program, rng) -> None:
    requests, expected = [], []
    for name in CONFIGS:
        types = layer_types(name)
        for c, h, w, m, k, stride, pad, tn, order, relu in CONVS:
            x = IN.to_raw(np.clip(rng.normal(0.5, 1.5, (1, c, h, w)), -8, 7.9))
            weight = rng.normal(0, 0.7, (m, c, k, k))
            bias = rng.normal(0, 1.0, m)
            layer = Conv("conv", m, (k, k), types, stride=stride, padding=pad, relu=relu,
                         tiles=(("n", tn),), order=ORDERS[order])
            result = layer.run_fixed(x, IN, {"weight": weight, "bias": bias})
            header = np.array([c, h, w, m, k, k, stride, pad, tn, order, int(relu)], dtype=np.uint64)
            words = np.concatenate([header, encode(x, IN).ravel(), encode(IN.to_raw(weight), IN).ravel(),
                                    encode(IN.to_raw(bias), IN).ravel()])
            requests.append((f"conv<{cpp_types(types)}>", result.raw.size, words))
            expected.append((name, result))
    for (name, ours), theirs in zip(expected, program.run(requests)):
        assert ours.raw.reshape(-1).tolist() == theirs.raw.tolist(), f"conv {name} via {ours.path}"
    seen = {p for _, r in expected for p in r.path.split("+")}
    assert {"blas", "loop"} <= seen, seen
    if jit_loop.available():  # the compiled kernels, order-free and ordered, against the headers too
        assert {"elementwise-jit", "loop-jit"} <= seen, seen


def test_dense_matches_cpp(program: Program, rng) -> None:
    requests, expected = [], []
    for name in CONFIGS:
        types = layer_types(name)
        for n, m, tn, relu in DENSES:
            x = IN.to_raw(np.clip(rng.normal(0.5, 1.5, (1, n)), -8, 7.9))
            weight = rng.normal(0, 0.5, (m, n))
            bias = rng.normal(0, 1.0, m)
            layer = Dense("fc", m, types, relu=relu, tiles=(("n", tn),))
            result = layer.run_fixed(x, IN, {"weight": weight, "bias": bias})
            words = np.concatenate([np.array([n, tn, int(relu)], dtype=np.uint64), encode(x, IN).ravel(),
                                    encode(IN.to_raw(weight), IN).ravel(), encode(IN.to_raw(bias), IN).ravel()])
            requests.append((f"dense<{cpp_types(types)}>", m, words))
            expected.append((name, result))
    for (name, ours), theirs in zip(expected, program.run(requests)):
        assert ours.raw.reshape(-1).tolist() == theirs.raw.tolist(), f"dense {name} via {ours.path}"
    assert any(r.stats.accumulation.overflows for _, r in expected)  # narrow accumulators did saturate
