"""Cycles of a MAC nest left rolled (no pipeline, asked or the tool's).

Two behaviours: the seed's kernels, measured rolled under the legacy ``vivado-hls``
behaviour or pinned by a LATENCY directive, cost the profile's cycles per MAC and per
output (``rolled_by_profile``); under Vitis a rolled nest is scheduled from its operations'
latencies (``rolled_by_operations``).
"""

from __future__ import annotations

from math import ceil, log2, prod

from .latency import multiply_latency
from .mac_kernel import MacKernel
from .profile import Profile


def rolled_by_profile(kernel: MacKernel, lanes: int, profile: Profile) -> tuple[int, str]:
    body = kernel.nest.directives.latency or profile.rolled_per_body(kernel.kind)
    cycles = body * ceil(kernel.macs / lanes) + profile.rolled_per_outer(kernel.kind) * kernel.outputs
    innermost = kernel.nest.order[-1]
    return cycles, f"loop {innermost} (rolled, {body} cycles per MAC)"


ROLLED_BY_OPERATIONS = "rolled from operation latencies"  # (not from the profile's rolled numbers: calibrate tells them apart)


def rolled_by_operations(kernel: MacKernel, lanes: dict[str, int], dsp_each: int, profile: Profile):
    """A rolled nest as Vitis schedules it (no pipeline, asked or automatic): the innermost
    body reads its operands, multiplies, accumulates and tests the exit, one state after
    the other; every loop around it adds two states an iteration (its entry and exit test;
    for the loop holding the sum, the sum's start and store), the function one::

        body  = read + multiply (+ slices) + adder tree + add + 1
        L_in  = trip_in * body;   L_loop = trip * (L_child + 2);   latency = L_out + 1

    A public Vitis 2024.1 report of UG871's 3x3 matrix product with PIPELINE off on its
    loops: Product 5 cycles an iteration, Col 17, Row 53, 160 in all — these numbers."""
    body, trips = _body(kernel, lanes, dsp_each, profile), _trips(kernel, lanes)
    cycles = body
    for k, trip in enumerate(trips):
        cycles = trip * (cycles + (2 if k else 0))
    return kernel.groups * (cycles + 1), f"loop {kernel.nest.order[-1]} ({ROLLED_BY_OPERATIONS}, {body} cycles per MAC)"


def rolled_states(kernel: MacKernel, lanes: dict[str, int], dsp_each: int, profile: Profile) -> int:
    """States of that schedule's FSM — the body's, two per loop around it, one for the
    function. Vitis encodes it one-hot (``ap_CS_fsm``: a register bit a state): the same
    report's rolled product has an 8-bit ``ap_CS_fsm`` (this count: 10)."""
    return _body(kernel, lanes, dsp_each, profile) + 2 * (len(_trips(kernel, lanes)) - 1) + 1


def _body(kernel: MacKernel, lanes: dict[str, int], dsp_each: int, profile: Profile) -> int:
    reduction_lanes = prod(lanes.get(loop, 1) for loop in kernel.nest.reduction)
    return (profile.latency("read") + multiply_latency(kernel.nest.directives, profile) + (dsp_each - 1)
            + ceil(log2(reduction_lanes)) + profile.latency("add") + 1)


def _trips(kernel: MacKernel, lanes: dict[str, int]) -> list[int]:
    """Trip counts of the loops that stay loops, innermost first: the point loops, then the
    tile loops outside them all (a loop of one iteration is none)."""
    nest = kernel.nest
    points = [ceil(nest.tile(loop) / lanes.get(loop, 1)) for loop in reversed(nest.order)]
    tiles = [ceil(extent / nest.tile(name)) for name, extent in nest.dims]
    return [t for t in points + tiles if t > 1]
