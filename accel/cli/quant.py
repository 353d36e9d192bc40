"""``accel quant TYPE VALUE...``: what an ``ap_fixed`` variable holds after ``TYPE v = VALUE;``
— the raw integer, its bits, the value and the error, and whether the value was rounded or
overflowed::

    accel quant "ap_fixed<16,4,AP_RND,AP_SAT>" 3.14159 -2.5 9
    accel quant "ap_fixed<8,3>" --raw 100 -128        # read VALUEs as raw integers
"""

from __future__ import annotations

import argparse

import numpy as np

from quant import FixedType, OverflowStats
from reports.document import Document
from reports.output import emit
from reports.table import Table

from .common import add_format_options, output_format


def add(commands) -> None:
    quant = commands.add_parser(
        "quant",
        help="show how values are stored in an ap_fixed type",
        description="Assign each VALUE to TYPE exactly as Vitis HLS C-simulation does and "
        "print the raw integer, its bits, the stored value and the error.",
    )
    quant.add_argument("type", metavar="TYPE", help='e.g. "ap_fixed<16,4,AP_RND,AP_SAT>"')
    quant.add_argument("values", metavar="VALUE", nargs="+", help="real numbers (or raw integers with --raw)")
    quant.add_argument("--raw", action="store_true", help="VALUEs are raw integers of TYPE")
    add_format_options(quant)
    quant.set_defaults(run=command)


def command(args: argparse.Namespace) -> int:
    t = FixedType.parse(args.type)
    if args.raw:
        raw = np.array([_parse_raw(v, t) for v in args.values], dtype=t.raw_dtype)
        headers = ["raw", "bits", "hex", "value"]
        rows = [[str(r), *_bits(t, r), repr(float(v))] for r, v in zip(raw.tolist(), t.from_raw(raw))]
    else:
        inputs = np.array([_parse_real(v) for v in args.values], dtype=np.float64)
        headers = ["input", "raw", "bits", "hex", "value", "error", "note"]
        rows = [_conversion_row(t, x) for x in inputs]
    title = f"{t}: {t.width} bits, {t.frac} fraction bits, LSB {t.lsb:g}, range [{t.min_value:g}, {t.max_value:g}]"
    data = {"type": str(t), "width": t.width, "integer": t.integer, "fraction_bits": t.frac, "lsb": t.lsb,
            "min": t.min_value, "max": t.max_value, "values": [{h: _typed(h, v) for h, v in zip(headers, row)} for row in rows]}
    emit(Document(title, (Table("Values", tuple(headers), tuple(map(tuple, rows))),), data), output_format(args),
         None, "quant")
    return 0


def _typed(header: str, cell: str) -> object:
    """A table cell as JSON wants it: numbers as numbers, bit patterns and notes as text."""
    if header == "raw":
        return int(cell)
    return float(cell) if header in ("input", "value", "error") else cell


def _conversion_row(t: FixedType, x: float) -> list[str]:
    stats = OverflowStats()
    raw = int(t.to_raw([x], stats)[0])
    stored = float(t.from_raw(np.array([raw], dtype=t.raw_dtype))[0])
    note = "overflow" if stats.overflows else ("rounded" if stats.rounded else "exact")
    return [repr(float(x)), str(raw), *_bits(t, raw), repr(stored), f"{stored - x:+.6g}", note]


def _bits(t: FixedType, raw: int) -> tuple[str, str]:
    """The W-bit two's complement pattern of a raw value, in binary and in hex."""
    pattern = raw & ((1 << t.width) - 1)
    return format(pattern, f"0{t.width}b"), "0x" + format(pattern, f"0{(t.width + 3) // 4}x")


def _parse_real(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"VALUE {text!r} is not a real number (e.g. 3.14159 or -2.5e-3)") from None


def _parse_raw(text: str, t: FixedType) -> int:
    try:
        raw = int(text, 0)
    except ValueError:
        raise ValueError(f"raw VALUE {text!r} is not an integer (e.g. -1024 or 0x3ff)") from None
    if not t.min_raw <= raw <= t.max_raw:
        raise ValueError(f"raw VALUE {raw} is outside {t}'s raw range [{t.min_raw}, {t.max_raw}]")
    return raw
