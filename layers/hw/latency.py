"""Loop latency, as Vitis HLS schedules loops (UG1399).

- a pipelined loop: ``(trip - 1) * II + depth`` cycles;
- a rolled loop: ``trip * body + 1`` (one cycle to leave the loop);
- a loop inside a rolled loop costs one more cycle per outer iteration to enter it;
- a pipelined loop under loops that are not flattened into it (LOOP_FLATTEN off):
  two more cycles per outer iteration (``pipeline_nest``).

    >>> pipelined(255, ii=1, depth=3), rolled(255, body=2)
    (257, 511)
"""

from __future__ import annotations


def pipelined(trip: int, ii: int, depth: int) -> int:
    if trip < 1 or ii < 1 or depth < 1:
        raise ValueError(f"pipelined loop: trip {trip}, II {ii}, depth {depth} must all be at least 1")
    return (trip - 1) * ii + depth


def requested_ii(requested: int, depth: int) -> int:
    """The II Vitis schedules for a requested ``PIPELINE II`` above the iteration latency:
    the iteration latency itself — each iteration starts when the one before it ends, no
    overlap, and the loop takes ``trip · depth``. Two loops of a public Vitis 2020.2 project
    (nvchuyen/CNN_FPGA_HLS@cdef0e9, ``fully1_cnn`` and ``fully2_cnn``'s ``*_csynth.rpt``):
    II=64 requested over an iteration of 41 cycles, achieved 41, 196 trips in 8036 cycles;
    over one of 3 cycles, achieved 3, 9 trips in 27.

    >>> requested_ii(64, 41), pipelined(196, requested_ii(64, 41), 41), pipelined(9, requested_ii(64, 3), 3)
    (41, 8036, 27)
    """
    return min(requested, depth)


def rolled(trip: int, body: int) -> int:
    if trip < 0 or body < 0:
        raise ValueError(f"rolled loop: trip {trip} and body {body} must not be negative")
    return trip * body + 1


def around(inner: int) -> int:
    """The body latency an enclosing rolled loop sees for an inner loop: entering it."""
    return inner + 1


def pipeline_nest(trips: list[int], flatten: bool, ii: int, depth: int, call: int = 0) -> int:
    """Cycles of a pipelined loop with the perfect nest ``trips`` around it (outermost
    first, the pipelined loop last). Flattened (Vitis' default): one pipeline of
    ``prod(trips)`` iterations. Under LOOP_FLATTEN off the outer loops stay loops; UG1399
    counts a cycle to move from an outer loop into the inner one and one to move back, so
    each outer iteration costs the inner loop's latency + 2, and the pipeline drains
    every time::

        L_pipe = (trip - 1)·II + depth;   L_loop = trip_loop · (L_inner + 2)

    ``call``: cycles more for each iteration of the loop right around the pipeline, when
    the tool makes the pipelined loop a module of its own (``layers.hw.tool``).

    >>> pipeline_nest([4, 4], True, 1, 5), pipeline_nest([4, 4], False, 1, 5), pipeline_nest([4, 4], False, 1, 5, 2)
    (20, 40, 48)
    """
    cycles = 1
    for trip in trips:
        cycles *= trip
    if flatten:
        return pipelined(cycles, ii, depth)
    cycles, around = pipelined(trips[-1], ii, depth), call
    for trip in reversed(trips[:-1]):
        if trip > 1:  # (a loop of one iteration is no loop)
            cycles, around = trip * (cycles + 2 + around), 0
    return cycles


def multiply_latency(directives, profile) -> int:
    """Cycles of a product: the layer's ``BIND_OP latency=`` when it gives one, else the
    tool release's (``Profile.latency("multiply")``)."""
    return profile.latency("multiply") if directives.bind_latency is None else directives.bind_latency
