"""Sigmoid and tanh as hls4ml computes them: a lookup table over a fixed input range.

The table holds ``table_size`` values of the function on ``[-8, 8)`` (sigmoid) or
``[-4, 4)`` (tanh), computed in single precision (``expf``, ``tanhf``: what the C++'s
``float`` overloads call) and assigned to ``table_t``. An input indexes it by its value
scaled to the table and truncated toward zero, clamped to the table's ends::

    for (i..) {
        int index = (int)(in[i] * TABLE_SIZE / SPAN) + TABLE_SIZE / 2;   // SPAN: 16 or 8
        index = clamp(index, 0, TABLE_SIZE - 1);
        out[i] = (result_t) table[index];
    }
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

import numpy as np

from quant import FixedType, OverflowStats

from . import cpp
from .config.fields import ConfigError, Fields
from .config.registry import BuildContext, register
from .core.base import Layer, LayerResult, OptionalResult, Shape
from .core.types import StageStats
from .hw import Estimate, Preset
from .hw.memory import place_array
from .hw.stream_cost import StreamKernel, estimate_stream

Function = Literal["sigmoid", "tanh"]
SPAN = {"sigmoid": 16, "tanh": 8}  # width of the input range the table covers, centred on 0
DEFAULT_TABLE_TYPE = "ap_fixed<18,8>"  # hls4ml's table_t


@dataclass(frozen=True)
class TableActivation(OptionalResult, Layer):
    name: str
    function: Function
    table_size: int = 1024
    table_type: FixedType = FixedType.parse(DEFAULT_TABLE_TYPE)
    result: FixedType | None = None  # None: keep the input type
    op: str = "sigmoid"

    def __post_init__(self) -> None:
        if self.function not in SPAN:
            raise ValueError(f"layer {self.name!r}: function {self.function!r} must be sigmoid or tanh")
        if self.table_size < 2 or self.table_size & (self.table_size - 1):
            raise ValueError(f"layer {self.name!r} ({self.function}): table_size {self.table_size} must be a power of "
                             f"two of at least 2 (hls4ml's tables)")

    def output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def table(self) -> np.ndarray:
        """The table's raws in ``table_t``, entry by entry as the C++ fills it."""
        return _table(self.function, self.table_size, self.table_type)

    def indices(self, raw: np.ndarray, in_type: FixedType) -> np.ndarray:
        """``(int)(x * N / SPAN) + N/2``, clamped: the value scaled and truncated toward zero."""
        scaled = np.asarray(raw, dtype=object if in_type.width > 40 else np.int64) * self.table_size
        divisor = SPAN[self.function] << in_type.frac if in_type.frac >= 0 else None
        if divisor is None:  # an input with negative fraction bits: raws are multiples of 2**-frac
            scaled, divisor = scaled << -in_type.frac, SPAN[self.function]
        magnitude = np.abs(scaled) // divisor
        index = np.where(scaled < 0, -magnitude, magnitude) + self.table_size // 2
        return np.clip(index, 0, self.table_size - 1).astype(np.int64)

    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params=None) -> LayerResult:
        looked_up = self.table()[self.indices(raw, in_type)]
        out_type, stats = self.output_type(in_type), StageStats()
        return LayerResult(out_type.cast(looked_up, self.table_type, stats.result), out_type, stats)

    def run_float(self, x: np.ndarray, params=None) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-x)) if self.function == "sigmoid" else np.tanh(x)

    def parameter_stats(self, params) -> OverflowStats:
        return OverflowStats()

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        """A table read per element, streamed at II=1; the table is a ROM."""
        elements = int(np.prod(input_shape))
        kernel = StreamKernel("table", elements, 1, elements, in_type.width, depth=3,
                              rolled=Preset.parse(preset) is Preset.UNOPT)
        est = estimate_stream(kernel, device, profile)
        rom = place_array("table", self.table_type.width, self.table_size,
                          lutram_bits_per_lut=int(profile.value("lutram_bits_per_lut")))
        return replace(est, BRAM_18K=est.BRAM_18K + rom.BRAM_18K, LUT=est.LUT + rom.LUT, FF=est.FF + rom.FF,
                       memories=(*est.memories, rom))

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        n, t, size, span = int(np.prod(input_shape)), prefix, self.table_size, SPAN[self.function]
        values = self.table_type.from_raw(self.table())
        return f"""// {t}: {self.function} by a table of {size} entries over [-{span // 2}, {span // 2}) (hls4ml's)
typedef {self.table_type.cpp()} {t}_table_t;
static const {t}_table_t {t}_table[{size}] = {cpp.initializer(values)};
inline void {t}_layer(const {t}_input_t in[{n}], {t}_output_t out[{n}]) {{
  {cpp.KEEP_FUNCTION}
  loop_i: for (int i = 0; i < {n}; i++) {{
    #pragma HLS PIPELINE II=1
    int index = (int)(in[i] * {size}u / {span}) + {size // 2};
    if (index < 0) index = 0;
    if (index > {size - 1}) index = {size - 1};
    out[i] = {t}_table[index];
  }}
}}
"""

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return cpp.stream_pragmas("loop_i", preset)


@lru_cache(maxsize=32)
def _table(function: str, size: int, table_type: FixedType) -> np.ndarray:
    libm = ctypes.CDLL(ctypes.util.find_library("m"))
    f = libm.expf if function == "sigmoid" else libm.tanhf
    f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
    half = SPAN[function] / 2
    values = []
    for i in range(size):
        x = float(np.float32(2 * half * (i - size / 2.0) / size))  # in double, stored in a float
        if function == "sigmoid":  # 1.0 / (1 + expf(-x)): the sum in float, the division in double
            values.append(float(np.float32(1.0 / float(np.float32(1 + f(-x))))))
        else:
            values.append(f(x))
    return table_type.to_raw(np.array(values, dtype=np.float64))


def _build(function: Function):
    def build(f: Fields, ctx: BuildContext) -> TableActivation:
        size = f.count("table_size", 1024)
        table_type = ctx.type("table") or FixedType.parse(DEFAULT_TABLE_TYPE)
        try:
            return TableActivation(ctx.name, function, size, table_type, ctx.type("result"), op=function)
        except ValueError as err:
            raise ConfigError(f"{f.where}: {err}") from None
    build.__doc__ = (f"``{{name: act, op: {function}, table_size: 1024, types: {{table: {DEFAULT_TABLE_TYPE}, "
                     f"result: ...}}}}`` (hls4ml's table activation).")
    return build


register("sigmoid", type_keys=("table", "result"), inherits_defaults=False)(_build("sigmoid"))
register("tanh", type_keys=("table", "result"), inherits_defaults=False)(_build("tanh"))
