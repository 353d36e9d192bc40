"""+ − × / of two fixed operands, and sequential dot products, against the real headers."""

from __future__ import annotations

import numpy as np
import pytest

from quant import FixedType, Overflow, OverflowStats, Rounding, arith
from tests.oracle.ap_oracle import Program, cpp_type, encode
from tests.oracle.inputs import raws_for

U = False
PAIRS = [
    (FixedType(16, 4), FixedType(16, 4)),
    (FixedType(8, 3), FixedType(12, -2, U)),
    (FixedType(12, 2, U), FixedType(8, 3)),
    (FixedType(5, 7, U), FixedType(6, 6, U)),
    (FixedType(32, 8), FixedType(32, 16)),  # product is exactly 64 bits
    (FixedType(40, 10), FixedType(40, 20)),  # product is 80 bits: Python-int raws
    (FixedType(30, 3, U), FixedType(10, 2)),
    (FixedType(1, 1), FixedType(3, 0, U)),
    (FixedType(20, 25), FixedType(9, -4)),
]
OPS = {"Mul": arith.multiply, "Add": arith.add, "Sub": arith.subtract, "Div": arith.divide}

ACC = {
    "wide-wrap": FixedType(32, 12),
    "narrow-wrap": FixedType(16, 4),
    "narrow-sat": FixedType(16, 4, True, Rounding.TRN, Overflow.SAT),
    "rnd-sat": FixedType(20, 6, True, Rounding.RND, Overflow.SAT),
    "sat-sym": FixedType(18, 5, True, Rounding.TRN, Overflow.SAT_SYM),
    "conv-sat": FixedType(24, 7, True, Rounding.RND_CONV, Overflow.SAT),
}
W16 = FixedType(16, 4)
RELU_OUT = FixedType(8, 1, U)  # unsigned activations, as after a ReLU
DOTS = [  # (weight, input, bias, accumulator, output)
    (W16, W16, W16, ACC["wide-wrap"], FixedType(16, 4, True, Rounding.RND, Overflow.SAT)),
    (W16, W16, W16, ACC["narrow-wrap"], W16),
    (W16, W16, W16, ACC["narrow-sat"], FixedType(8, 3)),
    (W16, W16, FixedType(8, 2), ACC["rnd-sat"], FixedType(16, 4, True, Rounding.RND_CONV, Overflow.SAT)),
    (W16, RELU_OUT, W16, ACC["sat-sym"], FixedType(16, 6, True, Rounding.RND, Overflow.SAT_SYM)),
    (FixedType(8, 1), W16, W16, ACC["conv-sat"], FixedType(12, 4, True, Rounding.RND_INF, Overflow.WRAP)),
]
LENGTHS = [(9, 24), (75, 16), (1200, 12), (9216, 6)]  # (K, number of dot products)


@pytest.fixture(scope="module")
def program() -> Program:
    cases = [f"binop<{cpp_type(a)}, {cpp_type(b)}, {op}>" for a, b in PAIRS for op in OPS]
    cases += [f"dot<{', '.join(cpp_type(t) for t in cfg)}>" for cfg in DOTS]
    return Program(cases)


def test_binary_operators_match_headers(program: Program, rng) -> None:
    requests, expected = [], []
    for a, b in PAIRS:
        x, y = raws_for(a, rng, 200), raws_for(b, rng, 200)
        n = min(len(x), len(y))
        # the corner pairs of a division: the minimum over -1 (C-sim's divider wraps), and over ±1
        corners = [(a.min_raw, -1), (a.min_raw, 1), (a.max_raw, -1), (a.min_raw + 1, -1)]
        for k, (p, q) in enumerate(c for c in corners if b.min_raw <= c[1] <= b.max_raw):
            x[k], y[k] = p, q
        x, y = x[:n], y[:n]
        for op, fn in OPS.items():
            ys = y
            if op == "Div":  # the C++ would crash on x / 0
                ys = np.where(y == 0, 1, y).astype(y.dtype)
            words = np.hstack([encode(x, a), encode(ys, b)])
            requests.append((f"binop<{cpp_type(a)}, {cpp_type(b)}, {op}>", n, words))
            expected.append((op, a, b, *fn(x, a, ys, b)))
    for (op, a, b, raw, t), result in zip(expected, program.run(requests)):
        theirs = result.type
        assert (t.width, t.integer, t.signed) == (theirs.width, theirs.integer, theirs.signed), f"{a} {op} {b}"
        mismatches = int(np.count_nonzero(np.asarray(raw.tolist(), dtype=object) != np.asarray(result.raw.tolist(), dtype=object)))
        assert mismatches == 0, f"{a} {op} {b} -> {t}: {mismatches} raw mismatches"


def sequential_dot(w, x, bias, cfg) -> tuple[np.ndarray, OverflowStats]:
    """``acc = (Acc)bias; acc += (Acc)(w[k]*x[k]); out = (Out)acc``, vectorized over rows."""
    wt, xt, bt, acc_t, out_t = cfg
    stats = OverflowStats()
    acc = acc_t.cast(bias, bt, stats)
    for k in range(w.shape[1]):
        product, pt = arith.multiply(w[:, k], wt, x[:, k], xt)
        total, st = arith.add(acc, acc_t, acc_t.cast(product, pt, stats), acc_t)
        acc = acc_t.cast(total, st, stats)
    return out_t.cast(acc, acc_t), stats


def dot_inputs(cfg, k_len: int, rows: int, rng):
    wt, xt, bt = cfg[:3]
    drift = rng.choice([-0.3, 0.0, 0.3], size=(rows, 1))  # pushes sums out of range both ways
    w = wt.to_raw(np.clip(rng.normal(drift, 0.6, (rows, k_len)), wt.min_value, wt.max_value))
    x = xt.to_raw(np.clip(np.abs(rng.normal(0.8, 0.7, (rows, k_len))), xt.min_value, xt.max_value))
    bias = bt.to_raw(np.clip(rng.normal(0, 1, rows), bt.min_value, bt.max_value))
    return w, x, bias


def test_sequential_dot_products_match_headers(program: Program, rng) -> None:
    requests, expected, overflowed = [], [], []
    for cfg in DOTS:
        wt, xt, bt = cfg[:3]
        for k_len, rows in LENGTHS:
            w, x, bias = dot_inputs(cfg, k_len, rows, rng)
            words = np.hstack([np.full((rows, 1), k_len, np.uint64), encode(bias, bt),
                               encode(w, wt).reshape(rows, k_len), encode(x, xt).reshape(rows, k_len)])
            requests.append((f"dot<{', '.join(cpp_type(t) for t in cfg)}>", rows, words))
            out, stats = sequential_dot(w, x, bias, cfg)
            expected.append((cfg, k_len, out))
            overflowed.append(stats.overflows > 0)
    for (cfg, k_len, out), result in zip(expected, program.run(requests)):
        assert out.tolist() == result.raw.tolist(), f"dot K={k_len} acc={cfg[3]} out={cfg[4]}"
    # the narrow accumulators really did overflow, so accumulation order mattered
    assert sum(overflowed) >= len(DOTS) * 2
