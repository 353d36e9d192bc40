"""The operands of the MAC kernel (``mac``): a layer's weights prepared once
(``MacWeights``), its parameters per group (``PreparedParams``), the reduction order of an
output (``Schedule``), and the exact product of integer raws the ``blas`` path rests on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .trailing_zeros import trailing_zero_histogram

EXACT_FLOAT = 2.0**52  # integer sums below this are exact in float64, whatever the order


class MacWeights:
    """A layer's (K, M) weight raws as the kernel uses them, prepared once per layer: a
    float64 copy for BLAS (exact: raws are far below 2**53) and the column sums of
    their magnitudes. The int64 form the loop paths need is made on first use only, so
    that layers on the fast path hold one copy of their weights, not two."""

    def __init__(self, as_float: np.ndarray, abs_colsum: np.ndarray | None = None):
        self.as_float = np.ascontiguousarray(as_float, dtype=np.float64)
        self.abs_colsum = np.abs(self.as_float).sum(axis=0) if abs_colsum is None else abs_colsum
        self._raw: np.ndarray | None = None
        self._raw32: np.ndarray | None = None
        self._trailing_zeros: dict[int, np.ndarray] = {}
        self._largest: int | None = None
        self._narrow: np.ndarray | None = None

    @classmethod
    def of(cls, raw: np.ndarray) -> "MacWeights":
        return cls(np.asarray(raw).astype(np.float64))

    @property
    def raw(self) -> np.ndarray:
        if self._raw is None:
            self._raw = self.as_float.astype(np.int64)
        return self._raw

    @property
    def raw32(self) -> np.ndarray:
        """The raws as int32, what the compiled kernels read (made once: converting a
        large layer's weights on every batch would cost more than its MACs)."""
        if self._raw32 is None:
            self._raw32 = self.as_float.astype(np.int32)
        return self._raw32

    def trailing_zeros(self, shift: int) -> np.ndarray:
        """Per row k, how many weights have 0 .. ``shift`` trailing zeros (cached): what
        counting the rounded products needs of the weights."""
        if shift not in self._trailing_zeros:
            self._trailing_zeros[shift] = trailing_zero_histogram(self.raw32, shift)
        return self._trailing_zeros[shift]

    @property
    def narrow(self) -> np.ndarray | None:
        """The raws as int16 (or int32) where they fit, for ``jit_gemm.small_batch_product``
        (made on first use; None when they need int64)."""
        if self._narrow is None:
            for dtype in (np.int16, np.int32):
                info = np.iinfo(dtype)
                if self.largest <= info.max:
                    self._narrow = self.as_float.astype(dtype)
                    break
        return self._narrow

    @property
    def largest(self) -> int:
        """max |w| (raw), cached: with max |x| it bounds every product."""
        if self._largest is None:
            self._largest = int(np.abs(self.as_float).max(initial=0))
        return self._largest

    @property
    def outputs(self) -> int:
        return self.as_float.shape[1]

    def columns(self, cols: np.ndarray) -> "MacWeights":
        if cols.size == self.outputs:
            return self
        return MacWeights(self.as_float[:, cols], self.abs_colsum[cols])


@dataclass(frozen=True)
class PreparedParams:
    """A conv/dense layer's quantized parameters, per group: (weights, bias raws)."""

    groups: tuple[tuple[MacWeights, np.ndarray], ...]


@dataclass(frozen=True)
class Schedule:
    """The reduction order of one output: visited canonical indices and tile breaks."""

    perm: np.ndarray
    breaks: np.ndarray


def exact_matmul(x: np.ndarray, x_max: float, w: MacWeights, transposed: bool = False) -> np.ndarray:
    """``x @ w`` of integer arrays (or ``(x @ w).T`` = ``w.T @ x.T``), exactly: float64
    BLAS (integer-valued float64) when every partial sum is below 2**52, int64 (exact
    modulo 2**64) otherwise. The transposed product is the faster one for conv layers
    (few outputs, many positions: measured 1.2-2x on the AlexNet layers), and its
    (M, P) result is the NCHW layout."""
    bound = float(w.abs_colsum.max(initial=0)) * x_max
    if bound < EXACT_FLOAT:
        x, weights = x.astype(np.float64, copy=False), w.as_float
    else:
        x, weights = x.astype(np.int64, copy=False), w.raw
    return weights.T @ x.T if transposed else x @ weights


def largest_magnitude(x: np.ndarray) -> float:
    """max |x| without the temporary copy ``np.abs`` would make."""
    return float(max(x.max(), -x.min())) if x.size else 0.0
