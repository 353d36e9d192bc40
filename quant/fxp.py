"""Interop with ``fxpmath.Fxp``: the same raw bits, with the modes mapped explicitly.

fxpmath's defaults are the *opposite* of Vitis's: it truncates toward zero
(``rounding="trunc"``) and saturates (``overflow="saturate"``), while ``ap_fixed``
floors (``AP_TRN``) and wraps (``AP_WRAP``). An ``Fxp`` made with fxpmath's defaults
therefore does not hold what C-simulation holds; these functions always set both modes.

=================  ====================  ===========================================
``ap_fixed``       ``fxpmath``           meaning
=================  ====================  ===========================================
``AP_TRN``         ``floor``             toward -inf
``AP_TRN_ZERO``    ``trunc``             toward zero (fxpmath's default)
``AP_RND``         ``nearest_posinf``    nearest, ties toward +inf
``AP_RND_ZERO``    ``nearest_zero``      nearest, ties toward zero
``AP_RND_MIN_INF`` ``nearest_neginf``    nearest, ties toward -inf
``AP_RND_INF``     ``nearest_away``      nearest, ties away from zero
``AP_RND_CONV``    ``around``            nearest, ties to even
``AP_WRAP`` (N=0)  ``wrap``              modular
``AP_SAT``         ``saturate``          clamp (fxpmath's default)
=================  ====================  ===========================================

fxpmath has no equivalent of ``AP_WRAP`` with N > 0, ``AP_WRAP_SM``, ``AP_SAT_ZERO`` or
``AP_SAT_SYM``; converting such a type raises ``ValueError`` rather than silently
changing the arithmetic.

    >>> from quant import FixedType
    >>> t = FixedType.parse("ap_fixed<16,4,AP_RND,AP_SAT>")
    >>> f = to_fxp(t.to_raw([1.5, -0.25]), t)
    >>> f.get_val().tolist(), f.config.rounding, f.config.overflow
    ([1.5, -0.25], 'nearest_posinf', 'saturate')
    >>> raw, back = from_fxp(f)
    >>> back == t, raw.tolist()
    (True, [6144, -1024])
"""

from __future__ import annotations

import numpy as np

from .fixed_type import FixedType
from .modes import Overflow, Rounding

ROUNDING_TO_FXPMATH: dict[Rounding, str] = {
    Rounding.TRN: "floor",
    Rounding.TRN_ZERO: "trunc",
    Rounding.RND: "nearest_posinf",
    Rounding.RND_ZERO: "nearest_zero",
    Rounding.RND_MIN_INF: "nearest_neginf",
    Rounding.RND_INF: "nearest_away",
    Rounding.RND_CONV: "around",
}
# fxpmath spellings that mean the same thing as one of ours
ROUNDING_FROM_FXPMATH: dict[str, Rounding] = {
    **{name: mode for mode, name in ROUNDING_TO_FXPMATH.items()},
    "bit_trunc": Rounding.TRN,
    "fix": Rounding.TRN_ZERO,
}
OVERFLOW_TO_FXPMATH: dict[Overflow, str] = {Overflow.WRAP: "wrap", Overflow.SAT: "saturate"}
OVERFLOW_FROM_FXPMATH: dict[str, Overflow] = {name: mode for mode, name in OVERFLOW_TO_FXPMATH.items()}


def fxpmath_modes(t: FixedType) -> tuple[str, str]:
    """fxpmath's (rounding, overflow) names for ``t``, or ``ValueError`` if it has none."""
    if t.overflow not in OVERFLOW_TO_FXPMATH or t.sat_bits:
        raise ValueError(
            f"fxpmath cannot express the overflow mode of {t} (it knows only AP_WRAP with "
            f"N=0 and AP_SAT); e.g. use {t.with_modes(overflow='SAT', sat_bits=0)}"
        )
    return ROUNDING_TO_FXPMATH[t.rounding], OVERFLOW_TO_FXPMATH[t.overflow]


def to_fxp(raw, t: FixedType):
    """An ``fxpmath.Fxp`` holding raw values of ``t`` (same bits, same modes)."""
    from fxpmath import Fxp

    rounding, overflow = fxpmath_modes(t)
    fxp = Fxp(None, signed=t.signed, n_word=t.width, n_frac=t.frac, rounding=rounding, overflow=overflow)
    fxp.set_val(np.asarray(raw), raw=True)
    return fxp


def from_fxp(fxp) -> tuple[np.ndarray, FixedType]:
    """(raw, FixedType) of an ``fxpmath.Fxp``; refuses fxpmath modes Vitis lacks (ceil)."""
    rounding_name, overflow_name = fxp.config.rounding, fxp.config.overflow
    if rounding_name not in ROUNDING_FROM_FXPMATH:
        raise ValueError(
            f"fxpmath rounding {rounding_name!r} has no ap_fixed equivalent; "
            f"valid: {', '.join(sorted(ROUNDING_FROM_FXPMATH))}"
        )
    if overflow_name not in OVERFLOW_FROM_FXPMATH:
        raise ValueError(f"fxpmath overflow {overflow_name!r} has no ap_fixed equivalent (wrap, saturate)")
    t = FixedType(
        int(fxp.n_word), int(fxp.n_word - fxp.n_frac), bool(fxp.signed),
        ROUNDING_FROM_FXPMATH[rounding_name], OVERFLOW_FROM_FXPMATH[overflow_name],
    )
    raw = np.asarray(fxp.val).astype(t.raw_dtype)
    return raw, t
