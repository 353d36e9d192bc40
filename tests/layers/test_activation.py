"""hls4ml's other activations against its own C++ (``nnet_activation.h`` from the wheel,
compiled with the real headers): linear, leaky/thresholded/parametric ReLU, ELU, hard
sigmoid and hard tanh, bit for bit, over random raws and the extremes, with rounding,
saturating, unsigned and negative-fraction-bit types."""

from __future__ import annotations

import numpy as np
import pytest

from layers.activation import Activation
from quant import FixedType
from tests.oracle.hls4ml_nnet import build, needs_gxx, run

T = FixedType.parse
N = 256
# (function, input, result, param_t, parameter, extra fields)
CASES = [
    ("linear", "ap_fixed<16,6>", "ap_fixed<8,3,AP_RND,AP_SAT>", None, None, {}),
    ("leaky_relu", "ap_fixed<16,6>", "ap_fixed<12,4,AP_RND,AP_SAT>", "ap_ufixed<8,-3>", 0.1, {}),
    ("leaky_relu", "ap_fixed<10,4,AP_RND>", "ap_fixed<10,3>", "ap_fixed<6,2,AP_RND>", 0.3, {}),
    ("thresholded_relu", "ap_fixed<14,5>", "ap_ufixed<9,4,AP_RND_CONV,AP_SAT>", "ap_fixed<8,3>", 0.7, {}),
    ("elu", "ap_fixed<16,6>", "ap_fixed<12,4,AP_RND,AP_SAT>", "ap_ufixed<1,1>", 1.0, {}),
    ("elu", "ap_fixed<12,5>", "ap_fixed<10,2,AP_RND>", "ap_ufixed<8,0>", 0.5,
     {"table_size": 256, "table_type": T("ap_fixed<10,2,AP_RND>")}),
    ("prelu", "ap_fixed<16,6>", "ap_fixed<11,4,AP_RND,AP_SAT>", "ap_fixed<10,2,AP_RND>", None, {}),
    ("hard_sigmoid", "ap_fixed<16,6>", "ap_fixed<8,1,AP_RND>", None, None, {}),
    ("hard_sigmoid", "ap_fixed<9,7>", "ap_ufixed<6,0,AP_RND,AP_SAT>", None, None,
     {"slope": 0.25, "shift": 0.375, "slope_type": T("ap_ufixed<8,0>"), "shift_type": T("ap_ufixed<4,0>")}),
    ("hard_tanh", "ap_fixed<16,6>", "ap_fixed<10,2,AP_RND,AP_SAT>", None, None, {}),
]


def _source(k: int, case) -> str:
    function, x, r, param_t, param, extra = case
    head = (f"typedef {T(x).cpp()} data_t; typedef {T(r).cpp()} res_t; data_t x[{N}]; res_t y[{N}]; long long v;\n"
            f"  for (int i = 0; i < {N}; i++) {{ std::scanf(\"%lld\", &v); x[i].range() = v; }}\n")
    out = f"  for (int i = 0; i < {N}; i++) std::printf(\"%s\\n\", y[i].to_string(10).c_str());\n"
    if function in ("hard_sigmoid", "hard_tanh"):
        slope_t, shift_t = (extra.get("slope_type", T("ap_ufixed<16,0>")).cpp(),
                            extra.get("shift_type", T("ap_ufixed<2,0>")).cpp())
        config = (f"struct config{k} {{ static const unsigned n_in = {N}; static const {slope_t} slope; "
                  f"static const {shift_t} shift; static const unsigned io_type = nnet::io_parallel; "
                  f"static const unsigned reuse_factor = 1; }};\n"
                  f"const {slope_t} config{k}::slope = {extra.get('slope', 0.2)};\n"
                  f"const {shift_t} config{k}::shift = {extra.get('shift', 0.5)};\n")
        call = f"nnet::{function}<data_t, res_t, config{k}>(x, y);"
    else:
        table = extra.get("table_type", T("ap_fixed<18,8>")).cpp()
        config = (f"struct config{k} : nnet::activ_config {{ static const unsigned n_in = {N}; "
                  f"static const unsigned table_size = {extra.get('table_size', 1024)}; typedef {table} table_t; }};\n")
        if function == "linear":
            call = f"nnet::linear<data_t, res_t, config{k}>(x, y);"
        elif function == "prelu":
            head += (f"  typedef {T(param_t).cpp()} param_t; param_t a[{N}];\n"
                     f"  for (int i = 0; i < {N}; i++) {{ std::scanf(\"%lld\", &v); a[i].range() = v; }}\n")
            call = f"nnet::prelu<data_t, param_t, res_t, config{k}>(x, a, y);"
        else:
            call = f"nnet::{function}<data_t, {T(param_t).cpp()}, res_t, config{k}>(x, {param!r}, y);"
    return f"{config}void case{k}() {{\n  {head}  {call}\n{out}}}"


@needs_gxx
def test_activations_are_hls4mls_bit_for_bit(tmp_path, rng) -> None:
    exe = build(tmp_path, "nnet_activation.h", [_source(k, case) for k, case in enumerate(CASES)])
    feed, expected = [], []
    for function, x_text, r, param_t, param, extra in CASES:
        kwargs = dict(extra)
        if param_t:
            kwargs["param_type"] = T(param_t)
        if param is not None:
            kwargs["param"] = param
        layer = Activation("act", function, result=T(r), op=function, **kwargs)
        x_type = T(x_text)
        raw = rng.integers(x_type.min_raw, x_type.max_raw + 1, N)
        raw[:5] = [x_type.min_raw, x_type.max_raw, 0, -1, 1]
        if function == "thresholded_relu":  # at the threshold and either side of it: > is not >=
            at = int(T(param_t).quantize(np.array([param]))[0] * 2 ** x_type.frac)
            raw[5:8] = [at - 1, at, at + 1]
        feed += raw.tolist()
        params = None
        if function == "prelu":
            alphas = rng.uniform(-1.5, 1.5, N)
            params = layer.prepare({"weight": alphas})
            feed += (params["weight"] & ((1 << T(param_t).width) - 1)).tolist()  # the raw's low W bits
        result = layer.run_fixed(raw[None], x_type, params)
        expected.append(result.type.from_raw(result.raw)[0])
    got = run(exe, feed).reshape(len(CASES), N)
    for k, want in enumerate(expected):
        np.testing.assert_array_equal(got[k], want, err_msg=f"case {CASES[k][:3]}")


def test_the_float_references_follow_the_functions() -> None:
    x = np.linspace(-6, 6, 97)
    q = T("ap_fixed<20,6>")
    for function, param in (("leaky_relu", 0.2), ("elu", 1.0), ("hard_sigmoid", None), ("hard_tanh", None),
                            ("thresholded_relu", 0.5)):
        layer = Activation("act", function, **({"param": param, "param_type": T("ap_fixed<16,2>")} if param else {}),
                           result=T("ap_fixed<20,6>"), op=function)
        fixed = layer.run_fixed(q.to_raw(x)[None], q)
        error = np.abs(fixed.type.from_raw(fixed.raw)[0] - layer.run_float(x)).max()
        assert error < (8 / 1024 if function == "elu" else 1e-3), function  # the ELU table's step; alpha quantized
    with pytest.raises(ValueError, match="not one of"):
        Activation("act", "swish")


def test_int64_and_big_integer_arithmetic_agree(rng, monkeypatch) -> None:
    """``bits`` decides int64 (fast) or Python integers (any width): forcing the latter on
    every case above gives the same raws, and the cases above do take the int64 path."""
    import layers.activation as activation

    layers, inputs = [], []
    for function, x_text, r, param_t, param, extra in CASES:
        kwargs = dict(extra, **({"param_type": T(param_t)} if param_t else {}),
                      **({"param": param} if param is not None else {}))
        layers.append(Activation("act", function, result=T(r), op=function, **kwargs))
        x_type = T(x_text)
        inputs.append((rng.integers(x_type.min_raw, x_type.max_raw + 1, (4, 64)), x_type))
    params = {"weight": np.linspace(-1.5, 1.5, 64)}
    fast = [layer.run_fixed(x, t, layer.prepare(params)).raw for layer, (x, t) in zip(layers, inputs)]
    assert all(layer.bits(t) <= activation.NATIVE_BITS for layer, (_, t) in zip(layers, inputs))
    monkeypatch.setattr(activation, "NATIVE_BITS", 0)
    for layer, (x, t), raw in zip(layers, inputs, fast):
        np.testing.assert_array_equal(layer.run_fixed(x, t, layer.prepare(params)).raw, raw, err_msg=layer.function)
