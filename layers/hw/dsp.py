"""DSP slices per multiplier, from operand widths and the device's DSP slice.

A DSP48E1 multiplies 25×18 signed bits, a DSP48E2 27×18, a DSP58 27×24. A wider product
is split into partial products of (w_a − 1)-bit and (w_b − 1)-bit unsigned pieces (the
top piece keeps the sign); a partial product is needed only if its lowest bit falls
inside the result width — which is why Vitis builds a 32×32→32 multiply from 3 DSP48E2s
and a 32×32→64 one from 4.

    >>> dsps_per_multiply(16, 16, "DSP48E2"), dsps_per_multiply(32, 32, "DSP48E2", result_width=32)
    (1, 3)
    >>> dsps_per_multiply(32, 32, "DSP48E2")
    4
"""

from __future__ import annotations

from math import ceil

PORTS = {"DSP48E1": (25, 18), "DSP48E2": (27, 18), "DSP58": (27, 24)}


def dsps_per_multiply(width_a: int, width_b: int, dsp_slice: str, result_width: int | None = None) -> int:
    """DSP slices for a signed ``width_a`` × ``width_b`` multiplier (full product by default)."""
    if dsp_slice not in PORTS:
        raise ValueError(f"unknown DSP slice {dsp_slice!r}; known: {sorted(PORTS)}")
    port_a, port_b = PORTS[dsp_slice]
    if width_a < width_b:  # the wider operand goes to the wider port
        width_a, width_b = width_b, width_a
    if width_a <= port_a and width_b <= port_b:
        return 1
    result_width = width_a + width_b if result_width is None else result_width
    offsets_a = _piece_offsets(width_a, port_a)
    offsets_b = _piece_offsets(width_b, port_b)
    return sum(1 for oa in offsets_a for ob in offsets_b if oa + ob < result_width)


def _piece_offsets(width: int, port: int) -> list[int]:
    """Bit offsets of the pieces an operand is split into: unsigned (port-1)-bit pieces
    and a signed top piece of at most ``port`` bits."""
    if width <= port:
        return [0]
    pieces = 1 + ceil((width - port) / (port - 1))
    return [i * (port - 1) for i in range(pieces)]
