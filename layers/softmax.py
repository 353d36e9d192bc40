"""Softmax as hls4ml computes it (``stable``, its default, and ``latency``): two tables.

Over the last axis (the ``n`` classes of a dense layer's output)::

    x_max = max(in[0..n));                                   // stable only
    for (i..) d[i] = (inp_norm_t)(x_max - in[i]);            // latency: d[i] = in[i]
    for (i..) e[i] = (accum_t) exp_table[top_bits(d[i])];    // exp(-d) (latency: exp(d))
    inv_inp_t sum = tree_sum<accum_t>(e);                    // a balanced tree, each + in accum_t
    inv_table_t inv = invert_table[top_bits(sum)];           // 1 / sum
    for (i..) out[i] = (result_t)(e[i] * inv);

A table is addressed by the top ``log2(size)`` bits of its input's raw bits, and filled
with the value those bits stand for (``expf`` in single precision; ``1/x`` in float, so the
entry for 0 is +inf: the largest value of a saturating ``inv_table_t``, 0 of a wrapping one).
The defaults are hls4ml 1.3.0's: ``exp_table`` and ``inv_table`` ``ap_fixed<18,8,AP_RND,AP_SAT>``,
``inv_inp`` the exp table's type, ``accum`` the exp table's type with ``ceil(log2 n)`` more
integer bits, ``inp_norm`` the input type unsigned (one bit fewer), and an exp table no
larger than ``2**(W-1)`` entries for a signed W-bit input.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from quant import FixedType, Overflow, arith

from . import cpp
from .config.fields import ConfigError, Fields
from .config.registry import BuildContext, register
from .core.base import Layer, LayerResult, OptionalResult, Shape
from .core.types import StageStats
from .hw import Estimate, Preset
from .hw.stream_cost import StreamKernel, estimate_stream

Implementation = Literal["stable", "latency", "argmax"]
TABLE_DEFAULT = FixedType.parse("ap_fixed<18,8,AP_RND,AP_SAT>")


@dataclass(frozen=True)
class SoftmaxTypes:
    exp_table: FixedType
    inv_table: FixedType
    inp_norm: FixedType  # stable: x_max - x; latency: the input type
    inv_inp: FixedType
    accum: FixedType
    exp_size: int
    inv_size: int


@dataclass(frozen=True)
class Softmax(OptionalResult, Layer):
    name: str
    implementation: Implementation = "stable"
    table_size: int = 1024  # the inverse table's entries (and the exp table's, at most)
    exp_scale: float = 1.0
    exp_table: FixedType = TABLE_DEFAULT
    inv_table: FixedType = TABLE_DEFAULT
    inp_norm: FixedType | None = None
    inv_inp: FixedType | None = None
    accum: FixedType | None = None
    result: FixedType | None = None
    op: str = "softmax"

    def __post_init__(self) -> None:
        if self.implementation not in ("stable", "latency", "argmax"):
            raise ValueError(f"implementation {self.implementation!r} must be stable, latency or argmax")
        if self.table_size < 2 or self.table_size & (self.table_size - 1):
            raise ValueError(f"layer {self.name!r} (softmax): table_size {self.table_size} must be a power of two")

    def output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def output_type(self, in_type: FixedType) -> FixedType:
        """The result type; a table indexed by more bits than its index type has is refused
        (hls4ml slices ``x(W - 1, W - N)`` below bit 0 there: undefined)."""
        if self.implementation == "latency" and self.table_size > 2 ** in_type.width:
            raise ValueError(f"layer {self.name!r} (softmax latency): a table of {self.table_size} entries is indexed "
                             f"by the top {self.table_size.bit_length() - 1} bits of the input, which has {in_type.width} "
                             f"({in_type}); hls4ml's C++ then slices below bit 0 (undefined). Give table_size at most "
                             f"{2 ** in_type.width}")
        return super().output_type(in_type)

    def resolved(self, in_type: FixedType, n: int) -> SoftmaxTypes:
        """The types and table sizes the C++ uses, hls4ml's defaults filled in."""
        exp_size = self.table_size
        if self.implementation == "stable":
            inp_norm = self.inp_norm
            if inp_norm is None:
                signed = int(in_type.signed)
                inp_norm = FixedType(in_type.width - signed, in_type.integer - signed, False)
                if in_type.signed:
                    exp_size = min(exp_size, 2 ** (in_type.width - 1))
        else:
            inp_norm = in_type
        grow = math.ceil(math.log2(n)) if n > 1 else 0
        accum = self.accum or FixedType(self.exp_table.width + grow, self.exp_table.integer + grow, self.exp_table.signed)
        return SoftmaxTypes(self.exp_table, self.inv_table, inp_norm, self.inv_inp or self.exp_table, accum, exp_size,
                            self.table_size)

    def tables(self, t: SoftmaxTypes) -> tuple[np.ndarray, np.ndarray]:
        """(exp table, invert table) as raws of their types, as the C++ fills them."""
        exp_f = _libm("expf")
        exp_values = [exp_f(_scaled(_top_value(t.inp_norm, i, t.exp_size) * self.exp_scale, self.implementation))
                      for i in range(t.exp_size)]
        inverse = [_float_reciprocal(_top_value(t.inv_inp, i, t.inv_size)) for i in range(t.inv_size)]
        return _to_raw_with_inf(t.exp_table, exp_values), _to_raw_with_inf(t.inv_table, inverse)

    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params=None) -> LayerResult:
        if self.implementation == "argmax":
            return self._argmax(raw, in_type)
        n = raw.shape[-1]
        t, stats = self.resolved(in_type, n), StageStats()
        exp_table, inv_table = self.tables(t)
        if self.implementation == "stable":
            difference, difference_t = arith.subtract(raw.max(axis=-1, keepdims=True), in_type, raw, in_type)
            norm = t.inp_norm.cast(difference, difference_t, stats.accumulation)
        else:
            norm = raw
        e = t.accum.cast(exp_table[_top_bits(norm, t.inp_norm, t.exp_size)], t.exp_table, stats.accumulation)
        total = t.inv_inp.cast(_tree_sum(e, t.accum, stats), t.accum, stats.accumulation)
        inv = inv_table[_top_bits(total, t.inv_inp, t.inv_size)][..., None]
        product, product_t = arith.multiply(e, t.accum, inv, t.inv_table)
        out_type = self.output_type(in_type)
        return LayerResult(out_type.cast(product, product_t, stats.result), out_type, stats)

    def _argmax(self, raw: np.ndarray, in_type: FixedType) -> LayerResult:
        """hls4ml's ``softmax_argmax``: ``(result_t)1`` at the first largest input, 0 elsewhere."""
        out_type, stats = self.output_type(in_type), StageStats()
        rows = raw.reshape(-1, raw.shape[-1])
        ones = out_type.to_raw(np.ones(len(rows)), stats.result)  # a type that cannot hold 1 overflows here
        out = np.zeros(rows.shape, dtype=np.int64)
        out[np.arange(len(rows)), rows.argmax(axis=-1)] = ones  # argmax: the first of equal maxima
        stats.result.record(out.size - len(rows), 0, 0, 0)  # the zeros
        return LayerResult(out.reshape(raw.shape), out_type, stats)

    def run_float(self, x: np.ndarray, params=None) -> np.ndarray:
        if self.implementation == "argmax":
            out = np.zeros_like(x)
            np.put_along_axis(out, x.argmax(axis=-1)[..., None], 1.0, axis=-1)
            return out
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        """Table reads, an adder tree and a multiply per element, streamed at II=1."""
        n = int(np.prod(input_shape))
        kernel = StreamKernel("table", n, 1, n, in_type.width, dsp_per_lane=int(self.implementation != "argmax"), depth=4 + math.ceil(math.log2(max(n, 2))),
                              rolled=Preset.parse(preset) is Preset.UNOPT)
        return estimate_stream(kernel, device, profile)

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        n, p = int(np.prod(input_shape)), prefix
        if self.implementation == "argmax":
            return f"""// {p}: softmax as argmax over {n} values (hls4ml's): 1 at the first largest input, 0 elsewhere
inline void {p}_layer(const {p}_input_t in[{n}], {p}_output_t out[{n}]) {{
  {cpp.KEEP_FUNCTION}
  {p}_input_t best = in[0];
  int index = 0;
  loop_max: for (int i = 1; i < {n}; i++) if (in[i] > best) {{ best = in[i]; index = i; }}
  loop_out: for (int i = 0; i < {n}; i++) out[i] = ({p}_output_t)(i == index ? 1 : 0);
}}
"""
        t = self.resolved(in_type, n)
        exp_table, inv_table = self.tables(t)
        exp_bits, inv_bits = t.exp_size.bit_length() - 1, t.inv_size.bit_length() - 1
        norm = "x_max - in[i]" if self.implementation == "stable" else "in[i]"
        stable = (f"  {p}_input_t x_max = in[0];\n  loop_max: for (int i = 1; i < {n}; i++) if (in[i] > x_max) x_max = in[i];\n"
                  if self.implementation == "stable" else "")
        return f"""// {p}: softmax over {n} values ({self.implementation}), hls4ml's tables: exp {t.exp_size}, inverse {t.inv_size}
typedef {t.exp_table.cpp()} {p}_exp_table_t;
typedef {t.inv_table.cpp()} {p}_inv_table_t;
typedef {t.inp_norm.cpp()} {p}_inp_norm_t;
typedef {t.inv_inp.cpp()} {p}_inv_inp_t;
typedef {t.accum.cpp()} {p}_accum_t;
static const {p}_exp_table_t {p}_exp_table[{t.exp_size}] = {cpp.initializer(t.exp_table.from_raw(exp_table))};
static const {p}_inv_table_t {p}_inv_table[{t.inv_size}] = {cpp.initializer(t.inv_table.from_raw(inv_table))};
// the sum in hls4ml's balanced tree: the left part the largest power of two below n
template <int N> {p}_accum_t {p}_tree_sum(const {p}_accum_t* x) {{
  const int left = N <= 2 ? 1 : 1 << (31 - __builtin_clz(N - 1));
  return ({p}_accum_t)({p}_tree_sum<left>(x) + {p}_tree_sum<N - left>(x + left));
}}
template <> inline {p}_accum_t {p}_tree_sum<1>(const {p}_accum_t* x) {{ return x[0]; }}
inline void {p}_layer(const {p}_input_t in[{n}], {p}_output_t out[{n}]) {{
  {cpp.KEEP_FUNCTION}
{stable}  {p}_accum_t e[{n}];
  loop_exp: for (int i = 0; i < {n}; i++) {{
    #pragma HLS UNROLL
    {p}_inp_norm_t d = {norm};
    e[i] = {p}_exp_table[d.range({t.inp_norm.width - 1}, {t.inp_norm.width - exp_bits}).to_uint64()];
  }}
  {p}_inv_inp_t sum = {p}_tree_sum<{n}>(e);
  {p}_inv_table_t inv = {p}_inv_table[sum.range({t.inv_inp.width - 1}, {t.inv_inp.width - inv_bits}).to_uint64()];
  loop_out: for (int i = 0; i < {n}; i++) {{
    #pragma HLS UNROLL
    out[i] = e[i] * inv;
  }}
}}
"""

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        if Preset.parse(preset) is Preset.UNOPT:
            return ()
        return ("loop_out: UNROLL",) if self.implementation == "argmax" else ("loop_exp: UNROLL", "loop_out: UNROLL")


def _libm(name: str):
    f = getattr(ctypes.CDLL(ctypes.util.find_library("m")), name)
    f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
    return f


def _top_value(t: FixedType, index: int, size: int) -> float:
    """The value of ``t`` whose top ``log2(size)`` bits are ``index`` (the rest 0), as a float."""
    bits = size.bit_length() - 1
    raw = index << (t.width - bits)
    if t.signed and raw >= 1 << (t.width - 1):
        raw -= 1 << t.width
    return float(np.float32(raw * 2.0 ** -t.frac))


def _scaled(x: float, implementation: str) -> float:
    """The exp table's argument: the float product, negated for ``stable`` (exp(x - x_max))."""
    return float(-np.float32(x)) if implementation == "stable" else float(np.float32(x))


def _float_reciprocal(x: float) -> float:
    """``1 / x`` in single precision; +inf for 0, as the C++ gets."""
    return math.inf if x == 0 else float(np.float32(1.0) / np.float32(x))


def _to_raw_with_inf(t: FixedType, values: list[float]) -> np.ndarray:
    """Raws of ``values`` in ``t``; +inf becomes what ``ap_fixed`` makes of it: the
    largest value when the type saturates (0 under AP_SAT_ZERO), 0 when it wraps."""
    finite = np.array([0.0 if math.isinf(v) else v for v in values])
    raws = np.asarray(t.to_raw(finite)).copy()
    saturating = t.overflow in (Overflow.SAT, Overflow.SAT_SYM)
    for k, v in enumerate(values):
        if math.isinf(v):
            raws[k] = t.max_raw if saturating else 0
    return raws


def _top_bits(raw: np.ndarray, t: FixedType, size: int) -> np.ndarray:
    bits = size.bit_length() - 1
    unsigned = np.asarray(raw, dtype=np.int64) & ((1 << t.width) - 1)
    return (unsigned >> (t.width - bits)) & (size - 1)


def _tree_sum(e: np.ndarray, accum: FixedType, stats: StageStats) -> np.ndarray:
    """hls4ml's ``reduce``: the left part the largest power of two below n, each sum in ``accum``."""
    n = e.shape[-1]
    if n == 1:
        return e[..., 0]
    left = 1 if n <= 2 else 1 << ((n - 1).bit_length() - 1)
    total, total_t = arith.add(_tree_sum(e[..., :left], accum, stats), accum, _tree_sum(e[..., left:], accum, stats), accum)
    return accum.cast(total, total_t, stats.accumulation)


@register("softmax", type_keys=("exp_table", "inv_table", "inp_norm", "inv_inp", "accum", "result"),
          inherits_defaults=False)
def build_softmax(f: Fields, ctx: BuildContext) -> Softmax:
    """``{name: prob, op: softmax, implementation: stable|latency|argmax, table_size: 1024, exp_scale: 1.0,
    types: {exp_table, inv_table, inp_norm, inv_inp, accum, result}}`` (hls4ml's defaults)."""
    try:
        return Softmax(ctx.name, f.get("implementation", str, "stable"), f.count("table_size", 1024),
                       f.get("exp_scale", float, 1.0), ctx.type("exp_table", TABLE_DEFAULT),
                       ctx.type("inv_table", TABLE_DEFAULT), ctx.type("inp_norm"), ctx.type("inv_inp"),
                       ctx.type("accum"), ctx.type("result"))
    except ValueError as err:
        raise ConfigError(f"{f.where}: {err}") from None
