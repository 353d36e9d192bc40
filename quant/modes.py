"""Quantization (rounding) and overflow modes of Vitis ``ap_fixed``.

The names are those of the Vitis HLS headers without the ``AP_`` prefix; both spellings
are accepted wherever a mode is parsed from text::

    >>> Rounding.parse("AP_RND_CONV") is Rounding.RND_CONV
    True
    >>> Overflow.parse("sat") is Overflow.SAT
    True

What each mode does (``ap_fixed`` rounds first, then handles overflow):

=============  =======================================================
``TRN``        floor: drop the extra fraction bits (Vitis default)
``TRN_ZERO``   truncate toward zero
``RND``        round to nearest, ties toward +inf
``RND_ZERO``   round to nearest, ties toward zero
``RND_MIN_INF`` round to nearest, ties toward -inf
``RND_INF``    round to nearest, ties away from zero
``RND_CONV``   round to nearest, ties to even ("convergent")
``WRAP``       keep the low bits (Vitis default); with N saturation bits, force the
               top N bits after wrapping
``WRAP_SM``    sign-magnitude wrap (signed types only)
``SAT``        clamp to the nearest representable extreme
``SAT_ZERO``   an overflowing value becomes zero
``SAT_SYM``    clamp symmetrically: the negative extreme is ``-max``, never ``min``
=============  =======================================================
"""

from __future__ import annotations

from enum import Enum


class _ApMode(str, Enum):
    """Shared parsing for the two mode enums: ``AP_`` prefix optional, case-insensitive."""

    @classmethod
    def parse(cls, text: "str | _ApMode") -> "_ApMode":
        if isinstance(text, cls):
            return text
        if not isinstance(text, str):
            raise ValueError(f"{cls.__name__} mode must be text, got {text!r}")
        name = text.strip().upper()
        if name.startswith("AP_"):
            name = name[3:]
        try:
            return cls[name]
        except KeyError:
            valid = ", ".join(m.name for m in cls)
            raise ValueError(
                f"unknown {cls.__name__.lower()} mode {text!r}; valid: {valid} "
                f"(with or without the AP_ prefix, e.g. 'AP_{next(iter(cls)).name}')"
            ) from None

    def __str__(self) -> str:
        return f"AP_{self.name}"


class Rounding(_ApMode):
    """``ap_q_mode``: how bits below the target LSB are disposed of."""

    TRN = "TRN"
    TRN_ZERO = "TRN_ZERO"
    RND = "RND"
    RND_ZERO = "RND_ZERO"
    RND_MIN_INF = "RND_MIN_INF"
    RND_INF = "RND_INF"
    RND_CONV = "RND_CONV"


class Overflow(_ApMode):
    """``ap_o_mode``: what happens to a value outside the target range."""

    WRAP = "WRAP"
    WRAP_SM = "WRAP_SM"
    SAT = "SAT"
    SAT_ZERO = "SAT_ZERO"
    SAT_SYM = "SAT_SYM"

    @property
    def saturates(self) -> bool:
        """True for the modes that replace an out-of-range value by a fixed one."""
        return self in (Overflow.SAT, Overflow.SAT_ZERO, Overflow.SAT_SYM)
