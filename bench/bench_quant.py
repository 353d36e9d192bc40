"""Benchmark of the fixed-point core against baselines measured in the same run.

    python bench/bench_quant.py [--n 10000000] [--repeat 5] [--json out.json]

For 10^7 values: ``to_raw`` into ``ap_fixed<16,4>`` (TRN/WRAP) and into
``ap_fixed<16,4,AP_RND,AP_SAT>``, and a fixed→fixed cast ``ap_fixed<32,8>`` →
``ap_fixed<16,4,AP_RND,AP_SAT>``; each in ns per value, next to fxpmath doing the same
conversion with matching modes, a plain numpy copy of the same array (the memory
bandwidth floor), and quant's own exact Python-int path (on a 10^5 sample).
Goals: ≥ 4× faster than fxpmath; within 3× of the copy floor for TRN/WRAP.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Callable

import numpy as np
from fxpmath import Fxp
from tabulate import tabulate

from quant import FixedType, exact
from quant.fxp import fxpmath_modes


def ns_per_value(fn: Callable[[], object], n: int, repeat: int) -> float:
    fn()  # warm-up: page faults, lazy imports
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) / n * 1e9


def fxpmath_convert(values, t: FixedType):
    rounding, overflow = fxpmath_modes(t)
    return Fxp(values, signed=t.signed, n_word=t.width, n_frac=t.frac, rounding=rounding, overflow=overflow)


def run(n: int, repeat: int) -> list[dict]:
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 3.0, n)  # some values beyond ±8 overflow <16,4>
    sample = x[: min(n, 100_000)]
    copy_ns = ns_per_value(x.copy, n, repeat)
    rows = []
    for label, t in [
        ("to_raw ap_fixed<16,4> (TRN, WRAP)", FixedType(16, 4)),
        ("to_raw ap_fixed<16,4,AP_RND,AP_SAT>", FixedType.parse("ap_fixed<16,4,AP_RND,AP_SAT>")),
    ]:
        ours = ns_per_value(lambda: t.to_raw(x), n, repeat)
        fxp = ns_per_value(lambda: fxpmath_convert(x, t), n, repeat)
        slow = ns_per_value(lambda: exact.quantize_floats(sample, t), sample.size, 1)
        rows.append(_row(label, ours, fxp, copy_ns, slow))

    src = FixedType(32, 8)
    dst = FixedType.parse("ap_fixed<16,4,AP_RND,AP_SAT>")
    raw = src.to_raw(x)
    src_fxp = fxpmath_convert(x, src.with_modes(overflow="SAT"))
    raw_copy_ns = ns_per_value(raw.copy, n, repeat)
    ours = ns_per_value(lambda: dst.cast(raw, src), n, repeat)
    fxp = ns_per_value(lambda: fxpmath_convert(src_fxp, dst), n, repeat)
    slow = ns_per_value(lambda: exact.quantize_dyadic(raw[: sample.size].tolist(), src.frac, dst), sample.size, 1)
    rows.append(_row(f"cast {src} -> {dst}", ours, fxp, raw_copy_ns, slow))
    return rows


def _row(label: str, ours: float, fxp: float, copy: float, slow: float) -> dict:
    return {
        "conversion": label,
        "quant_ns": round(ours, 2),
        "fxpmath_ns": round(fxp, 2),
        "copy_ns": round(copy, 2),
        "exact_path_ns": round(slow, 1),
        "speedup_vs_fxpmath": round(fxp / ours, 1),
        "times_copy_floor": round(ours / copy, 2),
        "speedup_vs_exact_path": round(slow / ours, 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="also write the rows to this JSON file")
    args = parser.parse_args()
    rows = run(args.n, args.repeat)
    print(f"n = {args.n:,} values, median of {args.repeat} runs (ns per value)")
    print(tabulate(rows, headers="keys"))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
