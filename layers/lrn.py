"""Local response normalization across channels, in three implementations.

    b[c] = a[c] * (k + alpha' * S[c]) ** -beta,   S[c] = sum of a[j]**2 over the window
    window: j = c - n//2 .. c + (n-1)//2, clipped to the channels that exist

**The alpha convention.** PyTorch (``nn.LocalResponseNorm``) and Caffe divide alpha by
the window size: ``alpha' = alpha / n``. TensorFlow (``tf.nn.local_response_normalization``)
and the AlexNet paper do not: ``alpha' = alpha``. Say which with ``alpha_convention``
(``"pytorch"``, the default, or ``"tensorflow"``); the window is the same for odd n.

The canonical C++ (types ``sum_t``, ``scale_t``, ``coef_t``, ``norm_t``, ``result_t``)::

    for (h..) for (w..) for (c..) {
        sum_t S = 0;
        for (j = max(0, c - n/2); j <= min(C - 1, c + (n-1)/2); j++)
            S = (sum_t)(S + in[j][h][w] * in[j][h][w]);
        scale_t u = (scale_t)(K + ALPHA * S);              // K: scale_t, ALPHA: alpha_t
        norm_t d = ...;                                    // by mode, see below
        out[c][h][w] = (result_t)(in[c][h][w] * d);
    }

Modes for ``d = u ** -beta``:

- ``exact``: ``d = pow((double)u, -beta)``, in float64, as a math library would;
- ``linear``: the seed design's linearized power function, the first-order expansion
  around ``u0`` (default ``k``): ``d = (norm_t)(A + B * u)`` with ``A = u0**-beta * (1 +
  beta)`` and ``B = -beta * u0**(-beta-1)`` as ``coef_t`` constants;
- ``pwl``: a table of ``segments`` chords over ``[k, u_max]``:
  ``d = (norm_t)(A[s] + B[s] * (u - U[s]))``, ``s = (u - U[0]) / delta`` clamped.

The result reports the approximation error (float approximation vs exact LRN) apart
from the quantization error (fixed point vs the float approximation).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from quant import FixedType, OverflowStats, arith

from . import cpp
from .config.fields import Fields
from .config.registry import BuildContext, register
from .core.base import Layer, LayerResult, Retype, Shape, feature_maps
from .core.types import StageStats, lossless
from .cpp.lrn_nest import PIPELINED, lrn_source
from .hw import Estimate, Preset
from .hw.stream_cost import StreamKernel, estimate_stream
from .kernels import jit_lrn, lrn_norm

LrnMode = Literal["exact", "linear", "pwl"]
AlphaConvention = Literal["pytorch", "tensorflow"]
CHUNK_ELEMENTS = 1 << 17  # elements per group of images (about 1 MiB of int64)
DEFAULT_INTERNAL = {
    "scale": "ap_fixed<32,4,AP_RND>",
    "coef": "ap_fixed<24,2,AP_RND>",
    "norm": "ap_fixed<24,2,AP_RND>",
}


@dataclass(frozen=True)
class LRN(Layer):
    name: str
    result: FixedType
    size: int = 5
    alpha: float = 1e-4
    beta: float = 0.75
    k: float = 2.0
    alpha_convention: AlphaConvention = "pytorch"
    mode: LrnMode = "exact"
    segments: int = 8
    expansion_point: float | None = None  # linear mode: u0 (default k)
    u_max: float | None = None  # pwl mode: end of the table (default: the input type's worst case)
    sum_type: FixedType | None = None  # default: exact squares, plus log2(size) bits
    alpha_type: FixedType | None = None  # default: unsigned, 18 significant bits of alpha'
    scale_type: FixedType = FixedType.parse(DEFAULT_INTERNAL["scale"])
    coef_type: FixedType = FixedType.parse(DEFAULT_INTERNAL["coef"])
    norm_type: FixedType = FixedType.parse(DEFAULT_INTERNAL["norm"])
    report_errors: bool = True  # approximation/quantization errors (a third of the layer's time)
    op: str = "lrn"

    def __post_init__(self) -> None:
        where = f"layer {self.name!r} (lrn)"
        if self.mode not in ("exact", "linear", "pwl"):
            raise ValueError(f"{where}: mode {self.mode!r} must be 'exact', 'linear' or 'pwl'")
        if self.alpha_convention not in ("pytorch", "tensorflow"):
            raise ValueError(f"{where}: alpha_convention {self.alpha_convention!r} must be 'pytorch' or 'tensorflow'")
        if self.size < 1 or self.segments < 1 or self.k <= 0:
            raise ValueError(f"{where}: size ({self.size}) and segments ({self.segments}) must be >= 1 and k ({self.k}) > 0")

    @property
    def alpha_prime(self) -> float:
        """The coefficient of the sum of squares: alpha/n (PyTorch) or alpha (TensorFlow)."""
        return self.alpha / self.size if self.alpha_convention == "pytorch" else self.alpha

    def output_type(self, in_type: FixedType) -> FixedType:
        return self.result

    def internal_types(self, in_type: FixedType) -> tuple[FixedType, FixedType]:
        """``(sum_t, alpha_t)``: the YAML's, or the defaults for this input type."""
        return (self.sum_type or lrn_norm.default_sum_type(in_type, self.size),
                self.alpha_type or lrn_norm.constant_type(self.alpha_prime))

    def data_arrays(self) -> tuple[str, ...]:
        return ("result",)

    def retyped(self, retype: Retype) -> "LRN":
        return replace(self, result=retype.data(self.result, self.name, "result"))

    def without_reports(self) -> "LRN":
        return replace(self, report_errors=False)

    def estimate(self, input_shape, in_type, device, profile, preset=Preset.CONFIG) -> Estimate:
        """Streams pixels at II=1 with the channel window in registers (rolled under ``unopt``)."""
        channels, height, width = input_shape
        elements = channels * height * width
        kernel = StreamKernel("lrn", elements, channels * height, elements, self.result.width,
                              window_words=self.size, window_banks=self.size,
                              dsp_per_lane=int(profile.value("lrn_dsp_per_lane", self.mode)),
                              depth={"exact": 30, "linear": 8, "pwl": 6}[self.mode],
                              rolled=Preset.parse(preset) is Preset.UNOPT)
        return estimate_stream(kernel, device, profile)

    def output_shape(self, input_shape: Shape) -> Shape:
        return feature_maps(self, input_shape)

    def cpp_source(self, input_shape: Shape, in_type: FixedType, prefix: str) -> str:
        return lrn_source(self, input_shape, in_type, prefix)

    def cpp_pragmas(self, input_shape: Shape, preset: Preset | str = Preset.CONFIG) -> tuple[str, ...]:
        return cpp.stream_pragmas(PIPELINED, preset)

    # ------------------------------------------------------------------ float
    def run_float(self, x: np.ndarray, params: dict[str, np.ndarray]) -> np.ndarray:
        return x * (self.k + self.alpha_prime * self._window_sum(x * x)) ** -self.beta

    def _window_sum(self, squares: np.ndarray) -> np.ndarray:
        """Sum over the channel window (axis 1), zero beyond the edges: the centre plus
        shifted copies added in place (exact for integer-valued inputs below 2**53)."""
        total = squares.copy()
        for d in range(1, self.size // 2 + 1):  # channels below c
            total[:, d:] += squares[:, :-d]
        for d in range(1, (self.size - 1) // 2 + 1):  # channels above c
            total[:, :-d] += squares[:, d:]
        return total

    # ------------------------------------------------------------------ fixed point
    def run_fixed(self, raw: np.ndarray, in_type: FixedType, params: dict[str, np.ndarray]) -> LayerResult:
        """The compiled kernel (``jit_lrn``) where its int64 arithmetic holds the types;
        else the numpy reference, image by image in cache-sized groups: it makes some
        thirty elementwise passes, which run from the cache for a few images and from
        memory for a large batch."""
        sum_t, alpha_t = self.internal_types(in_type)
        compiled = self._run_compiled(raw, in_type, sum_t, alpha_t)
        if compiled is not None:
            return compiled
        parts = [self._run_group(group, in_type, sum_t, alpha_t) for group in self._groups(raw)]
        if len(parts) == 1:
            return parts[0]
        stats = StageStats()
        for part in parts:
            stats += part.stats
        extra = _combine_errors([p.extra for p in parts], [len(p.raw) for p in parts])
        return LayerResult(np.concatenate([p.raw for p in parts]), self.result, stats, extra=extra)

    @staticmethod
    def _groups(raw: np.ndarray) -> list[np.ndarray]:
        """``raw`` in groups of images of about CHUNK_ELEMENTS elements (at least one image)."""
        per_image = max(1, int(np.prod(raw.shape[1:])))
        group = max(1, CHUNK_ELEMENTS // per_image)
        return [raw[i:i + group] for i in range(0, max(len(raw), 1), group)]

    def _run_compiled(self, raw: np.ndarray, in_type: FixedType, sum_t: FixedType,
                      alpha_t: FixedType) -> LayerResult | None:
        """The whole batch through ``jit_lrn``; None where it does not apply (the numpy
        path then runs: it is the reference the tests hold this to)."""
        plan = jit_lrn.plan(self, in_type, sum_t, alpha_t, lrn_norm.pwl_table(self, in_type) if self.mode == "pwl" else None)
        if plan is None or raw.size == 0:
            return None
        out, counts, bad_u, beyond = jit_lrn.run(raw, plan)
        self._require_positive_u(bad_u == 0)  # (first: a u <= 0 is the layer's error whatever path runs)
        if beyond:  # some d * 2**F too large for the float shortcut
            return None
        stats, n = StageStats(), raw.size
        casts = ((stats.accumulation, n), (stats.accumulation, n * self.size), (stats.accumulation, n),
                 (stats.product, n), (stats.result, n))  # square, window sum, scale, norm, result
        for (stage, elements), (high, low, rounded) in zip(casts, counts):
            stage.record(elements, int(high), int(low), int(rounded))
        extra = {}
        if self.report_errors:  # in cache-sized groups, as the numpy path
            groups = list(zip(self._groups(raw), self._groups(out)))
            extra = _combine_errors([self._errors(in_type.from_raw(x), in_type, self.result.from_raw(y), None)
                                     for x, y in groups], [len(x) for x, _ in groups])
        return LayerResult(out, self.result, stats, extra=extra, path="jit")

    def _run_group(self, raw: np.ndarray, in_type: FixedType, sum_t: FixedType, alpha_t: FixedType) -> LayerResult:
        """The reference: the C++ loop as vectorized numpy passes."""
        stats = StageStats()
        square, square_t = arith.multiply(raw, in_type, raw, in_type)
        square_stats = OverflowStats()
        if lossless(square_t, sum_t) and sum_t.frac == square_t.frac:
            squares = square  # the cast keeps every bit: skip it
            square_stats.record(square.size, 0, 0, 0)
        else:
            squares = sum_t.cast(square, square_t, square_stats)
        stats.accumulation += square_stats
        s_raw, sum_exact = self._fixed_window_sum(squares, sum_t, stats)
        sum_exact = sum_exact and square_stats.rounded == 0 and square_stats.overflows == 0
        scaled, scaled_t = arith.multiply(alpha_t.to_raw(self.alpha_prime), alpha_t, s_raw, sum_t)
        u_sum, u_sum_t = arith.add(self.scale_type.to_raw(self.k), self.scale_type, scaled, scaled_t)
        u = self.scale_type.cast(u_sum, u_sum_t, stats.accumulation)
        self._require_positive_u(not (u <= 0).any())
        d = lrn_norm.fixed_norm(self, u, in_type, stats)
        y, y_t = arith.multiply(raw, in_type, d, self.norm_type)
        out = self.result.cast(y, y_t, stats.result)
        extra = {}
        if self.report_errors:
            s_exact = sum_t.from_raw(s_raw) if sum_exact else None
            extra = self._errors(in_type.from_raw(raw), in_type, self.result.from_raw(out), s_exact)
        return LayerResult(out, self.result, stats, extra=extra)

    def _require_positive_u(self, positive: bool) -> None:
        if not positive:
            raise ValueError(
                f"layer {self.name!r} (lrn): u = k + alpha*S does not fit scale_type {self.scale_type} "
                f"(it overflowed to <= 0); widen scale_type or sum_type"
            )

    def _fixed_window_sum(self, squares: np.ndarray, sum_t: FixedType, stats: StageStats) -> tuple[np.ndarray, bool]:
        """The C++ window loop; also says whether the sum came out exact."""
        largest = int(max(squares.max(), -squares.min())) if squares.size else 0
        if largest * self.size <= min(sum_t.max_raw, -sum_t.min_raw):
            # no partial sum can overflow sum_t and adding raws of one type never rounds:
            # every cast of the C++ loop is the identity, so one exact sum gives its bits
            stats.accumulation.record(squares.size * self.size, 0, 0, 0)
            return self._window_sum(squares), True
        lo, hi = self.size // 2, (self.size - 1) // 2
        padded = np.pad(squares, ((0, 0), (lo, hi), (0, 0), (0, 0)))
        channels = squares.shape[1]
        total = np.zeros_like(squares)
        for j in range(self.size):  # ascending j, as the C++ loop
            step, step_t = arith.add(total, sum_t, padded[:, j:j + channels], sum_t)
            total = sum_t.cast(step, step_t, stats.accumulation)
        return total, False

    # ------------------------------------------------------------------ errors
    def _errors(self, x: np.ndarray, in_type: FixedType, y_fixed: np.ndarray, s_exact: np.ndarray | None) -> dict[str, float]:
        """Approximation error (float approximation vs exact LRN) and quantization error
        (fixed point vs float approximation), on the same fixed-point input values.
        ``s_exact``: the window sums, when the fixed-point loop computed them exactly."""
        squares = s_exact if s_exact is not None else self._window_sum(x * x)
        u_float = self.k + self.alpha_prime * squares
        exact = x * u_float ** -self.beta
        approx = x * lrn_norm.approximation(self, u_float, in_type)
        return {
            "approximation_max_abs": float(np.abs(approx - exact).max(initial=0.0)),
            "approximation_mean_abs": float(np.abs(approx - exact).mean()) if x.size else 0.0,
            "quantization_max_abs": float(np.abs(y_fixed - approx).max(initial=0.0)),
            "quantization_mean_abs": float(np.abs(y_fixed - approx).mean()) if x.size else 0.0,
        }


def _combine_errors(parts: list[dict[str, float]], images: list[int]) -> dict[str, float]:
    """The error report of a batch from its groups': maxima of maxima, weighted means."""
    if len(parts) == 1:
        return parts[0]
    return {key: (max(p[key] for p in parts) if "max" in key
                  else float(np.average([p[key] for p in parts], weights=images)))
            for key in parts[0]}


@register("lrn", type_keys=("result", "sum", "alpha", "scale", "coef", "norm"))
def build_lrn(f: Fields, ctx: BuildContext) -> LRN:
    """``{name: lrn1, op: lrn, size: 5, alpha: 1.0e-4, beta: 0.75, k: 2, alpha_convention: pytorch,
    mode: exact|linear|pwl, segments: 8, expansion_point: ..., u_max: ..., types: {...}}``."""
    internal = {key: ctx.type(key) for key in ("scale", "coef", "norm")}
    return LRN(
        ctx.name, ctx.type("result", ctx.in_type), size=f.count("size", 5),
        alpha=f.get("alpha", float, 1e-4), beta=f.get("beta", float, 0.75), k=f.get("k", float, 2.0),
        alpha_convention=f.get("alpha_convention", str, "pytorch"), mode=f.get("mode", str, "exact"),
        segments=f.count("segments", 8), expansion_point=f.get("expansion_point", (float, type(None)), None),
        u_max=f.get("u_max", (float, type(None)), None), sum_type=ctx.type("sum"), alpha_type=ctx.type("alpha"),
        **{f"{key}_type": value for key, value in internal.items() if value is not None},
    )
