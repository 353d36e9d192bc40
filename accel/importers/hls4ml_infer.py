"""hls4ml 1.3.0's ``auto`` precisions: the types its ``InferPrecisionTypes`` pass chooses.

Only a variable the configuration spells ``auto`` is inferred; every other one is taken as
configured (an unmentioned ``accum`` is the model default, not an inferred type). The
rules, read from ``hls4ml/model/optimizer/passes/infer_precision.py``:

- conv and dense, ``accum``/``result`` — wide enough that nothing rounds or overflows for
  ``n`` products (``n`` = inputs of a dense unit, ``cin·kh·kw`` of a convolution window)::

      width = W_in + W_w + ceil(log2 n),   integer = I_in + I_w + ceil(log2 n)
      integer = max(integer + (bias signed and not signed), I_b + (signed and not bias signed)) + 1
      width = integer + max(width - integer_before, F_b)

  then clipped to the model's ``maximum`` precision, if it names one;
- batch normalization, ``result``: ``x·scale`` exact, plus the bias, one more integer bit;
- max pooling, ``accum`` and ``result``: the input's type; average pooling, ``accum``: the
  input widened by ``e = ceil(log2 window)`` integer and ``e`` fraction bits;
- flatten (hls4ml's reshape and transpose), ``result``: the input's type;
- everything else (weights, biases, scales, activations, the input layer): the model's
  ``default`` precision.
"""

from __future__ import annotations

import math

from quant import FixedType


def mac_result(in_type: FixedType, weight: FixedType, bias: FixedType, n_ops: int,
               maximum: FixedType | None = None) -> FixedType:
    """The ``accum``/``result`` type hls4ml infers for ``n_ops`` products and a bias."""
    grow = math.ceil(math.log2(n_ops)) if n_ops > 1 else 0
    width = weight.width + in_type.width + grow
    integer = weight.integer + in_type.integer + grow
    signed = weight.signed or in_type.signed
    fraction = width - integer
    integer = max(integer + (bias.signed and not signed), bias.integer + (signed and not bias.signed)) + 1
    width = integer + max(fraction, bias.width - bias.integer)
    return _clipped(FixedType(width, integer, signed or bias.signed), maximum)


def batchnorm_result(in_type: FixedType, scale: FixedType, bias: FixedType,
                     maximum: FixedType | None = None) -> FixedType:
    """``x * scale + bias`` without rounding or overflow, as hls4ml infers it."""
    signed = scale.signed or in_type.signed
    width, integer = in_type.width + scale.width, in_type.integer + scale.integer
    out_integer = max(integer + (bias.signed and not signed), bias.integer + (signed and not bias.signed)) + 1
    out_width = out_integer + max(width - integer, bias.width - bias.integer)
    return _clipped(FixedType(out_width, out_integer, signed or bias.signed), maximum)


def avgpool_accum(in_type: FixedType, window: int) -> FixedType:
    """The average pool's sum: ``e = ceil(log2 window)`` more integer and fraction bits."""
    extra = math.ceil(math.log2(window)) if window > 1 else 0
    return FixedType(in_type.width + 2 * extra, in_type.integer + extra, in_type.signed)


def sum_result(a: FixedType, b: FixedType, maximum: FixedType | None = None) -> FixedType:
    """A Merge ``add``'s result (``_infer_merge_precision``): ap_fixed's exact sum type."""
    integer = max(a.integer + (b.signed and not a.signed), b.integer + (a.signed and not b.signed)) + 1
    return _clipped(FixedType(integer + max(a.frac, b.frac), integer, a.signed or b.signed), maximum)


def concatenate_result(a: FixedType, b: FixedType, maximum: FixedType | None = None) -> FixedType:
    """A ``Concatenate``'s result (``_infer_cat_precision``): the input's type when both
    are the same, else one that holds both."""
    if a == b:
        return a
    signed = a.signed or b.signed
    integer = max(a.integer + (signed and not a.signed), b.integer + (signed and not b.signed))
    return _clipped(FixedType(integer + max(a.frac, b.frac), integer, signed), maximum)


def _clipped(found: FixedType, maximum: FixedType | None) -> FixedType:
    if maximum is None:
        return found
    return FixedType(min(found.width, maximum.width), min(found.integer, maximum.integer), found.signed)


def constant_type(value: float, max_width: int = 8) -> FixedType:
    """The type hls4ml gives a parametrized activation's ``auto`` parameter (its
    ``_get_precision_from_constant``): the fewest fraction bits ``f`` that hold ``value``
    exactly (searched in -32..32), integer bits ``i = ceil(log2(max(v + 2**-f, -v)))``, at
    most ``max_width`` bits (+1 when signed); 0 takes ``ap_ufixed<1,1>``."""
    if value == 0:
        return FixedType(1, 1, signed=False)
    low, high = -32, 32
    while low < high - 1:  # hls4ml's bisection for the minimal f
        mid = (low + high) // 2
        scaled = value * 2.0 ** mid
        low, high = (mid, high) if scaled != int(scaled) else (low, mid)
    fraction = high
    integer = math.ceil(math.log2(max(value + 2.0 ** -fraction, -value)))
    signed = value < 0
    width = min(signed + integer + fraction, signed + max_width)
    return FixedType(width, signed + integer, signed=signed)
