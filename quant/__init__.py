"""Fixed-point types bit-exact with Vitis HLS ``ap_fixed`` / ``ap_ufixed``.

The public names::

    FixedType       a type (width, integer bits, sign, rounding, overflow, N)
    Rounding        the ap_q_mode enum (TRN, RND, RND_CONV, ...)
    Overflow        the ap_o_mode enum (WRAP, SAT, SAT_SYM, ...)
    OverflowStats   counts of overflowed and rounded elements of conversions
    FixedArray      raw values with their type, with ap_fixed arithmetic operators
    arith           result types and raw arithmetic (+ - * /) of two fixed operands

``quant`` imports nothing from the rest of the project.
"""

from . import arith
from .fixed_array import FixedArray
from .fixed_type import FixedType
from .modes import Overflow, Rounding
from .stats import OverflowStats

__all__ = ["FixedType", "Rounding", "Overflow", "OverflowStats", "FixedArray", "arith"]
