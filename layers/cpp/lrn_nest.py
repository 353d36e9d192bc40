"""The C++ of the LRN layer, in its three modes: the loop of ``layers.lrn``'s docstring.

Every constant is written as the double the simulator quantizes (``K``, ``ALPHA``, the
linear coefficients ``A``, ``B`` and the PWL table ``U``, ``A``, ``B``), so the C++
quantizes it to the same ``ap_fixed`` value; every intermediate is a typedef of the
layer's types. The PWL segment index is computed on the raw integers of ``u``, as
the simulator does: ``s = (raw(u) - raw(U[0])) / raw(U[1] - U[0])``, clamped.
"""

from __future__ import annotations

from quant import FixedType

from . import writer as cpp
from ..kernels.lrn_norm import LrnParameters, linear_coefficients, pwl_table

PIPELINED = "loop_c"


def lrn_source(layer: LrnParameters, input_shape: tuple[int, ...], in_type: FixedType, prefix: str) -> str:
    c, h, w = input_shape
    t, lo = prefix, layer.size // 2
    sum_t, alpha_t = layer.internal_types(in_type)
    types = {"sum": sum_t, "alpha": alpha_t, "scale": layer.scale_type, "coef": layer.coef_type,
             "norm": layer.norm_type}
    typedefs = "".join(f"typedef {ty.cpp()} {t}_{key}_t;\n" for key, ty in types.items())
    convention = f"alpha / {layer.size}" if layer.alpha_convention == "pytorch" else "alpha"
    constants = [f"const {t}_scale_t K = {cpp.literal(layer.k)};",
                 f"const {t}_alpha_t ALPHA = {cpp.literal(layer.alpha_prime)};  // {convention}"]
    constants += _norm_constants(layer, in_type, t)
    body = f"""{t}_sum_t S = 0;
loop_window: for (int k = 0; k < {layer.size}; k++) {{
  int ch = c - {lo} + k;
  if (ch >= 0 && ch < {c}) {{
    {t}_input_t x = in[(ch * {h} + h) * {w} + w];
    {t}_sum_t square = x * x;
    S = S + square;
  }}
}}
{t}_scale_t u = K + ALPHA * S;
{_norm(layer, t)}
out[(c * {h} + h) * {w} + w] = in[(c * {h} + h) * {w} + w] * d;"""
    loops = [cpp.Loop("loop_h", "h", h), cpp.Loop("loop_w", "w", w),
             cpp.Loop(PIPELINED, "c", c, pragmas=(cpp.Pragma(PIPELINED, "PIPELINE II=1"),))]
    n = c * h * w
    include = "#include <cmath>\n" if layer.mode == "exact" else ""
    return (f"{include}// {t}: LRN across {layer.size} channels, {layer.mode} d = u^-{layer.beta!r}, "
            f"u = {layer.k!r} + alpha' * S ({layer.alpha_convention} alpha)\n{typedefs}"
            f"inline void {t}_layer(const {t}_input_t in[{n}], {t}_output_t out[{n}]) {{\n{cpp.INDENT}{cpp.KEEP_FUNCTION}\n"
            + "\n".join(cpp.INDENT + line for line in constants) + "\n"
            + cpp.nest(loops, body) + "\n}\n")


def _norm_constants(layer: LrnParameters, in_type: FixedType, t: str) -> list[str]:
    if layer.mode == "linear":
        a, b = linear_coefficients(layer)
        return [f"const {t}_coef_t A = {cpp.literal(a)}, B = {cpp.literal(b)};  // tangent at u0"]
    if layer.mode == "exact":
        return [f"const double MINUS_BETA = {cpp.literal(-layer.beta)};"]
    starts, a, b = pwl_table(layer, in_type)
    scale = layer.scale_type
    if scale.width > 62:
        raise NotImplementedError(f"layer {layer.name!r} (lrn): a PWL table on a scale_t of {scale.width} bits "
                                  f"has no C++ yet (the segment index takes 62-bit raws)")
    raws = scale.to_raw(starts)
    delta = max(1, int(raws[1] - raws[0])) if len(starts) > 1 else 1
    segments = len(starts)
    return [f"static const {t}_scale_t U[{segments}] = {_inline(starts)};",
            f"static const {t}_coef_t A[{segments}] = {_inline(a)};",
            f"static const {t}_coef_t B[{segments}] = {_inline(b)};",
            f"const long long U0 = {int(raws[0])}LL, DELTA = {delta}LL;  // raws of U[0] and U[1] - U[0]"]


def _norm(layer: LrnParameters, t: str) -> str:
    if layer.mode == "linear":
        return f"{t}_norm_t d = A + B * u;"
    if layer.mode == "exact":
        return f"{t}_norm_t d = std::pow(u.to_double(), MINUS_BETA);"
    segments, top = layer.segments, layer.scale_type.width - 1
    return (f"long long raw = (long long)u.range({top}, 0).to_uint64();  // u > 0\n"
            f"long long s = raw < U0 ? 0 : (raw - U0) / DELTA;\n"
            f"if (s > {segments - 1}) s = {segments - 1};\n"
            f"{t}_norm_t d = A[s] + B[s] * (u - U[s]);")


def _inline(values) -> str:
    return "{" + ", ".join(cpp.literal(v) for v in values) + "}"
