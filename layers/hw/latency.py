"""Loop latency, as Vitis HLS schedules loops (UG1399).

- a pipelined loop: ``(trip - 1) * II + depth`` cycles;
- a rolled loop: ``trip * body + 1`` (one cycle to leave the loop);
- a loop inside a rolled loop costs one more cycle per outer iteration to enter it.

    >>> pipelined(255, ii=1, depth=3), rolled(255, body=2)
    (257, 511)
"""

from __future__ import annotations


def pipelined(trip: int, ii: int, depth: int) -> int:
    if trip < 1 or ii < 1 or depth < 1:
        raise ValueError(f"pipelined loop: trip {trip}, II {ii}, depth {depth} must all be at least 1")
    return (trip - 1) * ii + depth


def rolled(trip: int, body: int) -> int:
    if trip < 0 or body < 0:
        raise ValueError(f"rolled loop: trip {trip} and body {body} must not be negative")
    return trip * body + 1


def around(inner: int) -> int:
    """The body latency an enclosing rolled loop sees for an inner loop: entering it."""
    return inner + 1
