"""LRN's normalization ``d = u ** -beta`` in its three modes, and the LRN types it implies.

What ``layers.lrn`` (the kind), ``jit_lrn`` (its compiled kernel) and ``cpp.lrn_nest`` (its
C++) share: the coefficients of each mode, the float approximation and the fixed-point
evaluation, exactly as the C++ computes them::

    exact:  norm_t d = pow((double)u, -BETA);
    linear: norm_t d = A + B * u;                       // A, B: coef_t
    pwl:    s = clamp((raw(u) - raw(U[0])) / raw(U[1] - U[0]), 0, S - 1);
            norm_t d = A[s] + B[s] * (u - U[s]);        // U: scale_t, A, B: coef_t

``LrnParameters`` is what those three read of a layer (``layers.lrn.LRN`` has it all).
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np

from quant import FixedType, arith

from ..core.types import StageStats


class LrnParameters(Protocol):
    name: str
    result: FixedType
    size: int
    k: float
    beta: float
    alpha_convention: str
    mode: str
    segments: int
    expansion_point: float | None
    u_max: float | None
    scale_type: FixedType
    coef_type: FixedType
    norm_type: FixedType

    @property
    def alpha_prime(self) -> float: ...

    def internal_types(self, in_type: FixedType) -> tuple[FixedType, FixedType]: ...


def linear_coefficients(layer: LrnParameters) -> tuple[float, float]:
    """``(A, B)``: the tangent of ``u ** -beta`` at ``u0`` (default ``k``)."""
    u0 = layer.k if layer.expansion_point is None else layer.expansion_point
    b = -layer.beta * u0 ** (-layer.beta - 1.0)
    return u0 ** -layer.beta - b * u0, b


def pwl_table(layer: LrnParameters, in_type: FixedType) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment starts U, and chord coefficients A (value at U) and B (slope), over
    ``[k, u_max]``; by default u_max is the largest u the input type can produce."""
    largest = max(abs(in_type.min_value), abs(in_type.max_value))
    end = layer.u_max if layer.u_max is not None else layer.k + layer.alpha_prime * layer.size * largest**2
    edges = np.linspace(layer.k, end, layer.segments + 1)
    values = edges ** -layer.beta
    slopes = np.diff(values) / np.diff(edges)
    return edges[:-1], values[:-1], slopes


def approximation(layer: LrnParameters, u: np.ndarray, in_type: FixedType) -> np.ndarray:
    """``d(u)`` of the layer's mode in float64 (unquantized coefficients)."""
    if layer.mode == "exact":
        return u ** -layer.beta
    if layer.mode == "linear":
        a, b = linear_coefficients(layer)
        return a + b * u
    starts, a, b = pwl_table(layer, in_type)
    delta = starts[1] - starts[0] if len(starts) > 1 else 1.0
    index = np.clip(np.floor((u - starts[0]) / delta), 0, len(starts) - 1).astype(np.int64)
    return a[index] + b[index] * (u - starts[index])


def fixed_norm(layer: LrnParameters, u: np.ndarray, in_type: FixedType, stats: StageStats) -> np.ndarray:
    """Raw ``norm_t`` values of ``d`` for raw ``scale_t`` values ``u``, as the C++ computes them."""
    scale, coef, norm = layer.scale_type, layer.coef_type, layer.norm_type
    if layer.mode == "exact":
        return norm.to_raw(libm_pow(scale.from_raw(u), -layer.beta), stats.product)
    if layer.mode == "linear":
        a, b = (coef.to_raw(v) for v in linear_coefficients(layer))  # 0-d: broadcast
        bu, bu_t = arith.multiply(b, coef, u, scale)
        total, total_t = arith.add(a, coef, bu, bu_t)
        return norm.cast(total, total_t, stats.product)
    starts, a, b = pwl_table(layer, in_type)
    start_raw = scale.to_raw(starts)
    delta = max(1, int(start_raw[1] - start_raw[0])) if len(starts) > 1 else 1
    index = np.clip((u - start_raw[0]) // delta, 0, len(starts) - 1)
    offset, offset_t = arith.subtract(u, scale, start_raw[index], scale)
    slope, slope_t = arith.multiply(coef.to_raw(b)[index], coef, offset, offset_t)
    total, total_t = arith.add(coef.to_raw(a)[index], coef, slope, slope_t)
    return norm.cast(total, total_t, stats.product)


def libm_pow(base: np.ndarray, exponent: float) -> np.ndarray:
    """``pow(base, exponent)`` from the C library, as the C++ calls it. Not numpy's
    ``**``: on AVX-512 machines numpy uses a vectorized pow that differs from the C
    library's in the last bit for about 5 % of inputs, which can move a rounding."""
    return np.frompyfunc(lambda b: math.pow(b, exponent), 1, 1)(base).astype(np.float64)


def constant_type(value: float) -> FixedType:
    """An unsigned 18-bit type whose MSB is the leading bit of a positive constant (``alpha_t``)."""
    leading = int(np.floor(np.log2(value))) + 1
    return FixedType(18, leading, False, "RND")


def default_sum_type(in_type: FixedType, size: int) -> FixedType:
    """Exact squares with room for ``size`` of them: no rounding, no overflow (``sum_t``)."""
    square = arith.product_type(in_type, in_type)
    grow = max(0, (size - 1).bit_length()) + (0 if square.signed else 1)  # a signed sum of unsigned squares: a sign bit
    return FixedType(min(square.width + grow, 64), square.integer + grow, True)
