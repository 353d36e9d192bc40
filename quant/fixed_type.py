"""``FixedType``: one Vitis ``ap_fixed`` / ``ap_ufixed`` type, as a value.

A fixed-point value is carried as its *raw* integer: the real value is
``raw * 2**-(width - integer)``. For the types most designs use (signed up to 64 bits,
unsigned up to 63) ``raw`` is an ``int64`` numpy array; wider types — the full-precision
products of two wide operands, for instance — carry an ``object`` array of Python ints,
which is exact but slow.

    >>> t = FixedType.parse("ap_fixed<16,4,AP_RND,AP_SAT>")
    >>> t.to_raw([3.14159, -2.5, 100.0]).tolist()
    [12868, -10240, 32767]
    >>> str(t), t.lsb, t.max_value
    ('ap_fixed<16,4,AP_RND,AP_SAT>', 0.000244140625, 7.999755859375)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .convert import float_to_raw, raw_to_float, raw_to_raw
from .modes import Overflow, Rounding

if TYPE_CHECKING:
    from .stats import OverflowStats

MAX_WIDTH = 1024  # AP_INT_MAX_W of the Vitis headers
MAX_INTEGER_MAGNITUDE = 4096

_EXAMPLE = "e.g. 'ap_fixed<16,4>' or 'ap_ufixed<8,0,AP_RND,AP_SAT>'"
_FIXED_RE = re.compile(r"^\s*(ap_)?(u?)fixed\s*<(?P<args>[^<>]*)>\s*$", re.IGNORECASE)
_INT_RE = re.compile(r"^\s*ap_(u?)int\s*<\s*(?P<width>[^<>,]*)\s*>\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class FixedType:
    """A fixed-point type with the semantics of ``ap_fixed<W, I, Q, O, N>``.

    Parameters
    ----------
    width : int
        Total bits ``W`` (sign included), 1..1024.
    integer : int
        Integer bits ``I`` (sign included); may be negative or exceed ``width``.
    signed : bool
        ``ap_fixed`` (True) or ``ap_ufixed`` (False).
    rounding, overflow : Rounding or str
        Quantization and overflow modes (``"RND"`` or ``"AP_RND"`` both work).
    sat_bits : int
        ``N``, the saturation bits of the ``WRAP`` modes, 0..width.
    """

    width: int
    integer: int
    signed: bool = True
    rounding: Rounding = Rounding.TRN
    overflow: Overflow = Overflow.WRAP
    sat_bits: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "rounding", Rounding.parse(self.rounding))
        object.__setattr__(self, "overflow", Overflow.parse(self.overflow))
        self._validate()

    def _validate(self) -> None:
        for name in ("width", "integer", "sat_bits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(f"FixedType {name} must be an integer, got {value!r} ({_EXAMPLE})")
            object.__setattr__(self, name, int(value))
        if not isinstance(self.signed, (bool, np.bool_)):
            raise ValueError(f"FixedType signed must be True or False, got {self.signed!r}")
        object.__setattr__(self, "signed", bool(self.signed))
        if not 1 <= self.width <= MAX_WIDTH:
            raise ValueError(f"FixedType width {self.width} is out of range 1..{MAX_WIDTH} ({_EXAMPLE})")
        if abs(self.integer) > MAX_INTEGER_MAGNITUDE:
            raise ValueError(
                f"FixedType integer bits {self.integer} are out of range "
                f"-{MAX_INTEGER_MAGNITUDE}..{MAX_INTEGER_MAGNITUDE} ({_EXAMPLE})"
            )
        if not 0 <= self.sat_bits <= self.width:
            raise ValueError(
                f"FixedType sat_bits (N) {self.sat_bits} must be within 0..width={self.width}"
            )
        if not self.signed and self.overflow is Overflow.WRAP_SM:
            raise ValueError(
                "AP_WRAP_SM is not defined for unsigned types (the Vitis headers refuse "
                f"ap_ufixed<..., AP_WRAP_SM>); use AP_WRAP, e.g. "
                f"'{FixedType(self.width, self.integer, False, self.rounding)}', or a signed ap_fixed"
            )

    # ------------------------------------------------------------------ parsing
    @classmethod
    def parse(cls, text: "str | FixedType") -> "FixedType":
        """Read ``ap_fixed<W,I[,Q[,O[,N]]]>``, ``ap_ufixed<...>``, ``ap_int<W>``,
        ``ap_uint<W>`` or hls4ml's ``fixed<W,I>`` / ``ufixed<W,I>``."""
        if isinstance(text, FixedType):
            return text
        if not isinstance(text, str):
            raise ValueError(f"a fixed-point type must be text, got {text!r} ({_EXAMPLE})")
        match = _INT_RE.match(text)
        if match:
            width = _parse_int(match["width"], "width", text)
            return cls(width, width, signed=not match.group(1))
        match = _FIXED_RE.match(text)
        if not match:
            raise ValueError(f"cannot read fixed-point type {text!r} ({_EXAMPLE})")
        args = [a.strip() for a in match["args"].split(",")]
        if not 2 <= len(args) <= 5:
            raise ValueError(
                f"fixed-point type {text!r} needs 2 to 5 parameters <W,I[,Q[,O[,N]]]> ({_EXAMPLE})"
            )
        width = _parse_int(args[0], "width", text)
        integer = _parse_int(args[1], "integer bits", text)
        try:
            rounding = Rounding.parse(args[2]) if len(args) > 2 else Rounding.TRN
            overflow = Overflow.parse(args[3]) if len(args) > 3 else Overflow.WRAP
        except ValueError as err:
            raise ValueError(f"in fixed-point type {text!r}: {err}") from None
        sat_bits = _parse_int(args[4], "saturation bits", text) if len(args) > 4 else 0
        try:
            return cls(width, integer, not match.group(2), rounding, overflow, sat_bits)
        except ValueError as err:
            raise ValueError(f"in fixed-point type {text!r}: {err}") from None

    def __str__(self) -> str:
        name = "ap_fixed" if self.signed else "ap_ufixed"
        params = [str(self.width), str(self.integer)]
        if self.sat_bits:
            params += [str(self.rounding), str(self.overflow), str(self.sat_bits)]
        elif self.overflow is not Overflow.WRAP:
            params += [str(self.rounding), str(self.overflow)]
        elif self.rounding is not Rounding.TRN:
            params += [str(self.rounding)]
        return f"{name}<{','.join(params)}>"

    def cpp(self) -> str:
        """The C++ spelling with every template parameter explicit, e.g.
        ``ap_fixed<16,4,AP_TRN,AP_WRAP,0>`` (``str`` omits the defaults)."""
        name = "ap_fixed" if self.signed else "ap_ufixed"
        return f"{name}<{self.width},{self.integer},{self.rounding},{self.overflow},{self.sat_bits}>"

    def with_modes(
        self, rounding: "Rounding | str | None" = None, overflow: "Overflow | str | None" = None,
        sat_bits: int | None = None,
    ) -> "FixedType":
        """The same width and integer bits with other modes."""
        return replace(
            self,
            rounding=self.rounding if rounding is None else rounding,
            overflow=self.overflow if overflow is None else overflow,
            sat_bits=self.sat_bits if sat_bits is None else sat_bits,
        )

    # ------------------------------------------------------------------ range
    @property
    def frac(self) -> int:
        """Fraction bits ``F = W - I`` (negative when ``integer > width``)."""
        return self.width - self.integer

    @property
    def lsb(self) -> float:
        """The value of one raw step, ``2**-frac``."""
        return float(np.ldexp(1.0, -self.frac))

    @property
    def min_raw(self) -> int:
        return -(1 << (self.width - 1)) if self.signed else 0

    @property
    def max_raw(self) -> int:
        return (1 << (self.width - 1)) - 1 if self.signed else (1 << self.width) - 1

    @property
    def min_value(self) -> float:
        return float(np.ldexp(float(self.min_raw), -self.frac))

    @property
    def max_value(self) -> float:
        return float(np.ldexp(float(self.max_raw), -self.frac))

    @property
    def is_native(self) -> bool:
        """True when raw values fit ``int64`` (signed ≤ 64 bits, unsigned ≤ 63)."""
        return self.width <= (64 if self.signed else 63)

    @property
    def raw_dtype(self) -> np.dtype:
        return np.dtype(np.int64) if self.is_native else np.dtype(object)

    # ------------------------------------------------------------------ conversions
    def to_raw(self, x, stats: "OverflowStats | None" = None) -> np.ndarray:
        """Raw values of ``x`` (float64) assigned to this type, as ``T v = (double)x``.

        NaN and ±inf raise ``ValueError``. Pass an ``OverflowStats`` to count
        overflowed and rounded elements.
        """
        return float_to_raw(x, self, stats)

    def from_raw(self, raw) -> np.ndarray:
        """float64 values of raw integers (exact whenever the value fits a double); a raw
        outside ``[min_raw, max_raw]`` is no value of this type: ``ValueError``."""
        arr = np.asarray(raw)
        if arr.size and arr.dtype.kind in "iuO":
            low, high = arr.min(), arr.max()
            if low < self.min_raw or high > self.max_raw:
                raise ValueError(f"raw values of {self} lie in [{self.min_raw}, {self.max_raw}]; got "
                                 f"{low if low < self.min_raw else high}")
        return raw_to_float(arr, self)

    def cast(self, raw, src: "FixedType | str", stats: "OverflowStats | None" = None) -> np.ndarray:
        """Raw values of ``src``-typed ``raw`` assigned to this type (``T v = src_value``)."""
        return raw_to_raw(raw, FixedType.parse(src), self, stats)

    def quantize(self, x) -> np.ndarray:
        """``from_raw(to_raw(x))``: the float64 values this type actually holds for ``x``."""
        return self.from_raw(self.to_raw(x))


def _parse_int(token: str, what: str, text: str) -> int:
    try:
        return int(token.strip())
    except ValueError:
        raise ValueError(
            f"{what} {token.strip()!r} in fixed-point type {text!r} is not an integer ({_EXAMPLE})"
        ) from None
