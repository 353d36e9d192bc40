"""The other element-wise activations hls4ml writes, computed as its C++ computes them.

Each is one loop over the ``N`` values of a tensor (``nnet_activation.h``, hls4ml 1.3.0)::

    linear            out[i] = (result_t) x;
    leaky_relu        out[i] = x > 0 ? (result_t) x : (result_t)(alpha * x);      // alpha: param_t
    thresholded_relu  out[i] = x > theta ? (result_t) x : 0;                      // theta: param_t
    prelu             out[i] = x > 0 ? (result_t) x : (result_t)(alpha[i] * x);   // alpha[N]: param_t
    elu               out[i] = x >= 0 ? (result_t) x
                             : (result_t)(alpha * table[min((int)(x * N_TABLE / -8), N_TABLE - 1)]);
    hard_sigmoid      auto v = slope * x + shift; v = clip(v, 0, 1); out[i] = (result_t) v;
    hard_tanh         ... out[i] = (result_t)(2 * v - 1);                          // slope_t, shift_t

Every product and sum before the final assignment is exact (``ap_fixed``'s full-precision
result types); constants (``alpha``, ``theta``, ``slope``, ``shift``) are first assigned to
their own types, as the C++ passes them. The ELU table holds ``expf(-8 i / N) - 1`` for
``i < N`` (in ``float``), assigned to ``table_t``. These are hls4ml's semantics, which are
not always the framework's: hls4ml's hard sigmoid is ``clip(0.2 x + 0.5)`` (Keras 3's is
``x / 6 + 0.5``), and ``thresholded_relu`` is PyTorch's ``Threshold(theta, 0)``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from quant import FixedType, OverflowStats

from . import cpp
from .config.fields import ConfigError, Fields
from .config.registry import BuildContext, register
from .core.base import Layer, LayerResult, OptionalResult, Shape
from .core.types import StageStats
from .hw import Estimate, Preset
from .hw.stream_cost import StreamKernel, estimate_stream

FUNCTIONS = ("linear", "leaky_relu", "thresholded_relu", "prelu", "elu", "hard_sigmoid", "hard_tanh")
PARAMETER = {"leaky_relu": "alpha", "elu": "alpha", "thresholded_relu": "theta"}  # the constant each passes
DEFAULTS = {"param": "ap_fixed<16,6>", "slope": "ap_ufixed<16,0>", "shift": "ap_ufixed<2,0>", "table": "ap_fixed<18,8>"}


@dataclass(frozen=True)
class Activation(OptionalResult, Layer):
    name: str
    function: str
    param: float = 0.0  # alpha (leaky_relu, elu) or theta (thresholded_relu)
    param_type: FixedType = FixedType.parse(DEFAULTS["param"])  # param_t: the constant's, prelu's alphas'
    slope: float = 0.2  # hard_sigmoid / hard_tanh (hls4ml's defaults)
    shift: float = 0.5
    slope_type: FixedType = FixedType.parse(DEFAULTS["slope"])
    shift_type: FixedType = FixedType.parse(DEFAULTS["shift"])
    table_size: int = 1024  # elu
    table_type: FixedType = FixedType.parse(DEFAULTS["table"])
    result: FixedType | None = None  # None: keep the input type
    op: str = "linear"

    def __post_init__(self) -> None:
        if self.function not in FUNCTIONS:
            raise ValueError(f"layer {self.name!r}: activation {self.function!r} is not one of {FUNCTIONS}")
        if self.table_size < 1:
            raise ValueError(f"layer {self.name!r} ({self.function}): table_size must be at least 1")

    def output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def param_shapes(self, input_shape: Shape) -> dict[str, Shape]:
        return {"weight": tuple(input_shape)} if self.function == "prelu" else {}  # one alpha per value, as hls4ml

    def prepare(self, params) -> dict:
        if self.function != "prelu":
            return {}
        return {"weight": self.param_type.to_raw(np.asarray(params["weight"], np.float64))}

    def parameter_stats(self, params) -> OverflowStats:
        stats = OverflowStats()
        if self.function == "prelu":
            self.param_type.to_raw(np.asarray(params["weight"], np.float64), stats)
        return stats

    def param_raws(self, params) -> dict:
        return {"weight": (self.prepare(params)["weight"], self.param_type)} if self.function == "prelu" else {}

    # ------------------------------------------------------------------ arithmetic
    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params=None) -> LayerResult:
        value, kind = self.exact(np.asarray(raw), in_type, params)
        out_type, stats = self.output_type(in_type), StageStats()
        out = out_type.cast(value, kind, stats.result)
        return LayerResult(np.asarray(out).astype(out_type.raw_dtype), out_type, stats)

    def bits(self, in_type: FixedType) -> int:
        """The widest intermediate ``exact`` forms (products and sums aligned to a common
        fraction), in bits: up to ``NATIVE_BITS`` it computes in int64, beyond in Python
        integers (exact at any width, ~100 times slower)."""
        f, p = self.function, self.param_type
        if f in ("hard_sigmoid", "hard_tanh"):
            s, h = self.slope_type, self.shift_type
            frac = max(s.frac + in_type.frac, h.frac, 0)
            return max(in_type.width + s.width + frac - s.frac - in_type.frac, h.width + frac - h.frac) + 3
        if f == "thresholded_relu":
            frac = max(in_type.frac, p.frac)
            return max(in_type.width + frac - in_type.frac, p.width + frac - p.frac) + 1
        other = self.table_type if f == "elu" else in_type
        frac = max(p.frac + other.frac, in_type.frac)
        index = in_type.width + self.table_size.bit_length() + max(-in_type.frac, 0) + 1 if f == "elu" else 0
        return max(p.width + other.width + 1 + frac - p.frac - other.frac, in_type.width + frac - in_type.frac,
                   index) + 1

    def exact(self, x: np.ndarray, in_type: FixedType, params=None) -> tuple[np.ndarray, FixedType]:
        """What the C++ assigns to ``result_t``, exactly, and its type."""
        f = self.function
        if f == "linear":
            return x, in_type
        _wide = _int64 if self.bits(in_type) <= NATIVE_BITS else _objects
        if f in ("hard_sigmoid", "hard_tanh"):
            return self._hard(_wide(x), in_type)
        if f == "thresholded_relu":
            theta = _raw(self.param, self.param_type)
            return np.where(_compare(_wide(x), in_type.frac, theta, self.param_type.frac), _wide(x), 0), in_type
        if f == "elu":  # index = (int)(x * N / -8): the quotient truncated toward zero, then to int
            index = _floor_div(-_wide(x) * self.table_size, 8 << max(in_type.frac, 0), max(-in_type.frac, 0))
            index = np.clip(index, 0, self.table_size - 1)
            other, other_type = _table(self.table_size, self.table_type)[index], self.table_type
        else:
            other, other_type = x, in_type
        factor = (params or {}).get("weight") if f == "prelu" else _raw(self.param, self.param_type)
        if f == "prelu":
            factor = np.broadcast_to(factor, x.shape[1:])
        product, kind = _product(_wide(factor) if np.ndim(factor) else int(factor), self.param_type, _wide(other),
                                 other_type)
        frac = max(kind.frac, in_type.frac)  # both branches in one type that holds either exactly
        product, positive = product * _pow2(frac - kind.frac), _wide(x) * _pow2(frac - in_type.frac)
        width = max(kind.width + frac - kind.frac, in_type.width + frac - in_type.frac) + 1
        kind = FixedType(width, width - frac, True)
        keep = (x >= 0) if f == "elu" else (x > 0)
        return np.where(keep, positive, product), kind

    def _hard(self, x: np.ndarray, in_type: FixedType) -> tuple[np.ndarray, FixedType]:
        """``clip(slope * x + shift, 0, 1)`` (times 2, minus 1 for tanh), exactly (``x``: raws
        as int64 or Python integers, as ``bits`` allows)."""
        slope, shift = _raw(self.slope, self.slope_type), _raw(self.shift, self.shift_type)
        frac = max(self.slope_type.frac + in_type.frac, self.shift_type.frac, 0)
        value = x * slope * _pow2(frac - self.slope_type.frac - in_type.frac) + \
            shift * _pow2(frac - self.shift_type.frac)
        one = _pow2(frac)
        value = np.minimum(np.maximum(value, 0), one)
        if self.function == "hard_tanh":
            value = 2 * value - one
        width = in_type.width + self.slope_type.width + self.shift_type.width + 4
        return value, FixedType(width, width - frac, True)

    def run_float(self, x: np.ndarray, params=None) -> np.ndarray:
        f = self.function
        if f == "linear":
            return x
        if f == "leaky_relu":
            return np.where(x > 0, x, self.param * x)
        if f == "thresholded_relu":
            return np.where(x > self.param, x, 0.0)
        if f == "prelu":
            return np.where(x > 0, x, np.asarray(params["weight"], np.float64) * x)
        if f == "elu":
            return np.where(x >= 0, x, self.param * np.expm1(np.minimum(x, 0)))
        v = np.clip(self.slope * x + self.shift, 0.0, 1.0)
        return v if f == "hard_sigmoid" else 2 * v - 1

    # ------------------------------------------------------------------ hardware
    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        """One value a cycle (hls4ml pipelines the loop): costed as the profile's ``relu``
        (a compare and a select: linear, thresholded_relu) or ``batchnorm`` kernel (a multiply
        and an add: the others). No public report has these kernels; ``accel calibrate``
        fits the profile to one."""
        elements = int(np.prod(input_shape))
        kind = "relu" if self.function in ("linear", "thresholded_relu") else "batchnorm"
        kernel = StreamKernel(kind, elements, 1, elements, in_type.width, depth=3,
                              rolled=Preset.parse(preset) is Preset.UNOPT)
        return estimate_stream(kernel, device, profile)

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        n, t, f = int(np.prod(input_shape)), prefix, self.function
        lines = [f"// {t}: {f} on {n} values (hls4ml's nnet::{f})", f"typedef {self.param_type.cpp()} {t}_param_t;"]
        head = f"inline void {t}_layer(const {t}_input_t in[{n}], "
        if f == "prelu":
            head += f"const {t}_param_t w[{n}], "
        lines.append(head + f"{t}_output_t out[{n}]) {{")
        lines.append(f"  {cpp.KEEP_FUNCTION}")
        if f in PARAMETER:
            lines.append(f"  const {t}_param_t param = {self.param!r};")
        if f in ("hard_sigmoid", "hard_tanh"):
            lines += [f"  const {self.slope_type.cpp()} slope = {self.slope!r};",
                      f"  const {self.shift_type.cpp()} shift = {self.shift!r};"]
        if f == "elu":
            values = self.table_type.from_raw(_table(self.table_size, self.table_type))
            lines.insert(2, f"static const {self.table_type.cpp()} {t}_table[{self.table_size}] = "
                            f"{cpp.initializer(values)};")
        body = {
            "linear": "out[i] = x;",
            "leaky_relu": "if (x > 0) out[i] = x; else out[i] = param * x;",
            "thresholded_relu": "if (x > param) out[i] = x; else out[i] = 0;",
            "prelu": "if (x > 0) out[i] = x; else out[i] = w[i] * x;",
            "elu": (f"if (x >= 0) out[i] = x; else {{\n      int index = x * {self.table_size}u / -8;\n"
                    f"      if (index > {self.table_size - 1}) index = {self.table_size - 1};\n"
                    f"      out[i] = param * {t}_table[index];\n    }}"),
            "hard_sigmoid": "auto v = slope * x + shift;\n    if (v > 1) v = 1; else if (v < 0) v = 0;\n    out[i] = v;",
            "hard_tanh": "auto v = slope * x + shift;\n    if (v > 1) v = 1; else if (v < 0) v = 0;\n    out[i] = 2 * v - 1;",
        }[f]
        lines += [f"  loop_i: for (int i = 0; i < {n}; i++) {{", "    #pragma HLS PIPELINE II=1",
                  f"    {t}_input_t x = in[i];", f"    {body}", "  }", "}"]
        return "\n".join(lines) + "\n"

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return cpp.stream_pragmas("loop_i", preset)


NATIVE_BITS = 62  # int64 holds every intermediate this wide, with a bit to spare


def _int64(raw) -> np.ndarray:
    return np.asarray(raw, dtype=np.int64)


def _objects(raw) -> np.ndarray:
    """Raws as Python integers (object arrays): exact products and sums of any width."""
    return np.asarray(raw).astype(object)


def _pow2(bits: int) -> int:
    return 1 << bits


def _raw(value: float, kind: FixedType) -> int:
    """A constant assigned to its type, as the C++ passes it (``param_T alpha = 0.1``)."""
    return int(kind.to_raw(np.array([value], np.float64))[0])


def _compare(x: np.ndarray, x_frac: int, theta: int, theta_frac: int) -> np.ndarray:
    """``x > theta`` on two raws of different fraction bits, exactly."""
    frac = max(x_frac, theta_frac)
    return x * _pow2(frac - x_frac) > theta * _pow2(frac - theta_frac)


def _floor_div(numerator: np.ndarray, divisor: int, shift: int) -> np.ndarray:
    """``floor(numerator * 2**shift / divisor)`` for non-negative numerators (``shift`` >= 0
    only when the input has negative fraction bits)."""
    if shift > 0:
        numerator = numerator * _pow2(shift)
    return np.asarray(numerator // divisor, dtype=np.int64)


def _product(a, a_type: FixedType, b: np.ndarray, b_type: FixedType) -> tuple[np.ndarray, FixedType]:
    """``a * b`` exactly, and a type that holds it (``ap_fixed``'s full product)."""
    width = a_type.width + b_type.width + 1
    return b * a, FixedType(width, width - a_type.frac - b_type.frac, True)


@lru_cache(maxsize=16)
def _table(size: int, table_type: FixedType) -> np.ndarray:
    """hls4ml's ELU table: ``float in = -8.0 * i / float(N)``, ``(float)(expf(in) - 1.)``."""
    libm = ctypes.CDLL(ctypes.util.find_library("m"))
    libm.expf.restype, libm.expf.argtypes = ctypes.c_float, [ctypes.c_float]
    values = [float(np.float32(libm.expf(float(np.float32(-8.0 * i / float(np.float32(size))))) - 1.0))
              for i in range(size)]
    return table_type.to_raw(np.array(values, np.float64))


def _build(function: str):
    def build(f: Fields, ctx: BuildContext) -> Activation:
        constant = PARAMETER.get(function)
        kwargs = {}
        if constant:
            kwargs["param"] = f.get(constant, (int, float), 1.0 if function == "elu" else 0.0)
        if function in ("hard_sigmoid", "hard_tanh"):
            kwargs.update(slope=f.get("slope", (int, float), 0.2), shift=f.get("shift", (int, float), 0.5))
        if function == "elu":
            kwargs["table_size"] = f.count("table_size", 1024)
        for key, field_name in (("param", "param_type"), ("slope", "slope_type"), ("shift", "shift_type"),
                                ("table", "table_type")):
            kwargs[field_name] = ctx.type(key) or FixedType.parse(DEFAULTS[key])
        try:
            return Activation(ctx.name, function, result=ctx.type("result"), op=function, **kwargs)
        except ValueError as err:
            raise ConfigError(f"{f.where}: {err}") from None
    extra = {"leaky_relu": "alpha: 0.3, ", "elu": "alpha: 1.0, table_size: 1024, ", "thresholded_relu": "theta: 0.5, ",
             "hard_sigmoid": "slope: 0.2, shift: 0.5, ", "hard_tanh": "slope: 0.2, shift: 0.5, "}.get(function, "")
    build.__doc__ = f"``{{name: act, op: {function}, {extra}types: {{param: ..., result: ...}}}}`` (hls4ml's)."
    return build


for _function in FUNCTIONS:
    register(_function, type_keys=("param", "slope", "shift", "table", "result"), inherits_defaults=False)(
        _build(_function))
