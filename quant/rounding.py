"""Rounding rules: one small function per ``ap_q_mode``, registered in a table.

Every conversion first takes the floor of the exact value in units of the target LSB
(``floor``), then asks the mode's rule whether to add one. The rule sees only what the
Vitis headers look at (``ap_fixed_base::quantization_adjust``):

- ``half``:  the first dropped bit (the dropped part is at least one half LSB),
- ``rest``:  any dropped bit below it is set (the dropped part is not exactly a half),
- ``neg``:   the source value is negative,
- ``odd``:   the floor is odd (only RND_CONV asks).

The arguments are boolean numpy arrays; the same rules serve the float64 path, the
int64 path and the exact Python-int path. ``TRN`` has no rule: the floor is the answer.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .modes import Rounding

RoundingRule = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]

ROUNDING_RULES: dict[Rounding, RoundingRule] = {}


def _rule(mode: Rounding):
    def register(fn: RoundingRule) -> RoundingRule:
        ROUNDING_RULES[mode] = fn
        return fn

    return register


@_rule(Rounding.TRN_ZERO)
def _toward_zero(half, rest, neg, odd):
    return neg & (half | rest)


@_rule(Rounding.RND)
def _ties_up(half, rest, neg, odd):
    return half


@_rule(Rounding.RND_ZERO)
def _ties_toward_zero(half, rest, neg, odd):
    return half & (neg | rest)


@_rule(Rounding.RND_MIN_INF)
def _ties_down(half, rest, neg, odd):
    return half & rest


@_rule(Rounding.RND_INF)
def _ties_away(half, rest, neg, odd):
    return half & (~neg | rest)


@_rule(Rounding.RND_CONV)
def _ties_even(half, rest, neg, odd):
    return half & (odd | rest)


def increment(mode: Rounding, half, rest, neg, odd) -> np.ndarray | None:
    """Boolean array: where ``mode`` rounds the floor up by one LSB (None for TRN)."""
    rule = ROUNDING_RULES.get(mode)
    return None if rule is None else rule(half, rest, neg, odd)
