"""``LoopNest``: the loops of one HLS kernel, their tiling, their order and directives.

One description serves two readers. The kernels read the *order of the reduction*
(C-simulation runs the C++ in program order, so a rounding or saturating accumulator
sees the products in exactly that order); the estimator (``layers.hw``) reads trip counts,
tiles and directives. Directives change timing and resources, never values.

Tiling follows the usual HLS pattern: every tiled loop ``x`` with tile ``Tx`` becomes a
tile loop (outside) and a point loop (inside); all tile loops sit outside all point
loops, each group in the nest's ``order``. Between two iterations of the reduction tile
loops the partial sums leave the accumulator for the output buffer (``partial`` type).

    >>> nest = LoopNest.build({"n": 4, "i": 2}, order=("i", "n"), tiles={"n": 2}, reduction=("n", "i"))
    >>> perm, breaks = nest.reduction_schedule()
    >>> perm.tolist(), breaks.tolist()    # canonical index k = n * 2 + i
    ([0, 2, 1, 3, 4, 6, 5, 7], [4])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod

import numpy as np

from .storage import StorageSpec


# what partition and storage directives may call the tile buffers
ARRAY_ALIASES = {"w": "weight", "in": "input", "x": "input", "out": "output", "b": "bias", "y": "output"}


@dataclass(frozen=True)
class Directives:
    """HLS pragmas of a kernel; they change timing and resources, not values."""

    pipeline: str | None = None  # the loop carrying #pragma HLS PIPELINE
    ii: int = 1  # its initiation interval
    unroll: tuple[tuple[str, int], ...] = ()  # loop -> factor (0 = full)
    partition: tuple[tuple, ...] = ()  # (array, cyclic|block|complete, factor[, dim]): see partitions()
    reshape: tuple[tuple, ...] = ()  # ARRAY_RESHAPE, entries as partition's: the banks concatenated into wide words
    dataflow: bool = False
    latency: int | None = None  # #pragma HLS LATENCY min=: cycles of a rolled loop body
    bind: str = "dsp"  # multipliers on DSP slices or in fabric (BIND_OP impl=fabric)
    bind_latency: int | None = None  # BIND_OP latency=: the multiplier's pipeline stages (None: the tool's)
    storage: tuple[tuple, ...] = ()  # (array, impl[, type]): BIND_STORAGE (layers.core.storage)
    rom: tuple[str, ...] = ()  # arrays the C++ declares const with their values: read-only memories
    auto_pipeline: bool = True  # False: PIPELINE off on every loop (Vitis pipelines none on its own)
    ports: tuple[tuple[str, int], ...] = ()  # array -> RAM ports, when the array is a top function's memory interface
    flatten: bool = True  # False: LOOP_FLATTEN off (the loops around the pipelined one stay loops)
    local_sum: bool = False  # the C++ sums in a local and stores it after the reduction loop (not this project's)


    def port_counts(self) -> dict[str, int]:
        """Array -> RAM ports it is read through when it is a memory interface of the layer
        synthesized as a top function (``ap_memory``: 2; a ``bram`` interface with
        ``storage_type=ram_1p``: 1): the caller owns the memory, the kernel only its ports."""
        return {ARRAY_ALIASES.get(array, array): count for array, count in self.ports}

    def storage_specs(self) -> dict[str, StorageSpec]:
        """Array -> its BIND_STORAGE (implementation and memory type); a ROM without one is
        a two-port ROM of the tool's choosing."""
        roms = {ARRAY_ALIASES.get(array, array) for array in self.rom}
        specs = {name: StorageSpec(name, "auto", "rom_2p") for name in roms}
        for array, *value in self.storage:
            name = ARRAY_ALIASES.get(array, array)
            if len(value) == 1 and name in roms:  # an implementation alone: the ROM's, two ports
                value = [value[0], "rom_2p"]
            specs[name] = StorageSpec.parse(name, value[0] if len(value) == 1 else value)
        return specs

    def partitions(self) -> dict[str, tuple[tuple[str, int, int | None], ...]]:
        """Array -> its splits, each (kind, factor, dim): ``dim`` 1-based, 0 for every dimension,
        None when the YAML gives none (then ``partition_plan`` chooses: the dimensions the
        unrolled loops index for ``complete``, the first for ``cyclic``/``block``). Several
        splits of one array partition distinct dimensions, as several ARRAY_PARTITION
        pragmas on one variable do (``dim=1`` and ``dim=2``)."""
        splits: dict[str, tuple] = {}
        for array, split in _splits(self.partition):
            splits[array] = splits.get(array, ()) + (split,)
        return splits

    def reshapes(self) -> dict[str, tuple[str, int, int | None]]:
        """Array -> (kind, factor, dim) of ARRAY_RESHAPE: the same split as ``partitions``,
        whose banks are then laid side by side in one memory of wider words (UG1399): the
        words a partition would read from different banks come in one access."""
        return dict(_splits(self.reshape))


def _splits(entries: tuple[tuple, ...]) -> list[tuple[str, tuple[str, int, int | None]]]:
    return [(ARRAY_ALIASES.get(entry[0], entry[0]), (entry[1], entry[2], entry[3] if len(entry) > 3 else None))
            for entry in entries]


@dataclass(frozen=True)
class LoopNest:
    """Loops (name -> trip count), tiles, point-loop order and reduction loops."""

    dims: tuple[tuple[str, int], ...]
    order: tuple[str, ...]
    tiles: tuple[tuple[str, int], ...] = ()
    reduction: tuple[str, ...] = ()  # canonical (row-major) order of the reduction index
    directives: Directives = field(default_factory=Directives)
    interleave: int = 1  # R > 1: the reduction's steps visited at stride R (hls4ml's Resource kernels)

    @classmethod
    def build(cls, dims: dict[str, int], order=None, tiles=None, reduction=(), directives=None,
              interleave: int = 1) -> "LoopNest":
        """Validate and freeze; ``order`` defaults to the order of ``dims``."""
        nest = cls(
            dims=tuple((k, int(v)) for k, v in dims.items()),
            order=tuple(order) if order is not None else tuple(dims),
            tiles=tuple((k, int(v)) for k, v in (tiles or {}).items()),
            reduction=tuple(reduction),
            directives=directives or Directives(),
            interleave=int(interleave),
        )
        nest.validate()
        return nest

    def validate(self) -> None:
        names = [name for name, _ in self.dims]
        if sorted(self.order) != sorted(names):
            raise ValueError(
                f"loop order {list(self.order)} must name each loop once: {names} "
                f"(e.g. order: {names})"
            )
        for name, extent in self.dims:
            if extent < 1:
                raise ValueError(f"loop {name!r} has trip count {extent}; it must be at least 1")
        for name, tile in self.tiles:
            if name not in names:
                raise ValueError(f"tile for unknown loop {name!r}; loops are {names}")
            if not 1 <= tile <= self.extent(name):
                raise ValueError(
                    f"tile T{name}={tile} is impossible for loop {name!r} of trip count "
                    f"{self.extent(name)} (1 <= T{name} <= {self.extent(name)})"
                )
        for name in self.reduction:
            if name not in names:
                raise ValueError(f"reduction loop {name!r} is not a loop of the nest {names}")
        if self.interleave > 1:
            steps = prod(self.extent(n) for n in self.reduction)
            if any(self.trips(n) > 1 for n in self.reduction) or steps % self.interleave:
                raise ValueError(f"interleave {self.interleave} needs an untiled reduction whose {steps} steps it "
                                 f"divides (hls4ml's valid reuse factors)")
        elif self.interleave < 1:
            raise ValueError(f"interleave {self.interleave} must be at least 1")
        d = self.directives
        if d.pipeline is not None and d.pipeline not in names:
            raise ValueError(f"PIPELINE on unknown loop {d.pipeline!r}; loops are {names}")
        if d.ii < 1:
            raise ValueError(f"initiation interval II={d.ii} must be at least 1")
        for loop, factor in d.unroll:
            if loop not in names or factor < 0:
                raise ValueError(f"UNROLL {loop!r} factor={factor}: loop must be one of {names}, factor >= 0")
        if d.latency is not None and d.latency < 1:
            raise ValueError(f"LATENCY {d.latency} must be at least 1 cycle")
        both = set(d.partitions()) & set(d.reshapes())
        if both:
            raise ValueError(f"{sorted(both)[0]!r} is both partitioned and reshaped: an array takes one of "
                             f"ARRAY_PARTITION and ARRAY_RESHAPE")
        for array, count in d.ports:
            if count not in (1, 2):
                raise ValueError(f"ports of {array!r}: {count} must be 1 (a single-port RAM) or 2 (ap_memory)")
        if d.bind not in ("dsp", "fabric"):
            raise ValueError(f"bind {d.bind!r} must be 'dsp' or 'fabric'")
        if d.bind_latency is not None and not 0 <= d.bind_latency <= 16:
            raise ValueError(f"bind latency {d.bind_latency} must be from 0 to 16 cycles (BIND_OP latency=)")
        specs = d.storage_specs()  # (each entry parsed: a clear error for an unknown implementation or type)
        for array in d.rom:
            name = ARRAY_ALIASES.get(array, array)
            if name not in ("weight", "bias"):
                raise ValueError(f"rom: {array!r} is not a constant table (a layer's weight or bias can be)")
            if not specs[name].is_rom:
                raise ValueError(f"storage of {array!r}: {specs[name].type} is a RAM type; a rom array takes "
                                 f"rom_1p or rom_2p")
        for name, spec in specs.items():
            if spec.is_rom and name not in {ARRAY_ALIASES.get(a, a) for a in d.rom}:
                raise ValueError(f"storage of {name!r}: {spec.type} is a ROM type; list the array under rom "
                                 f"(its values are constants in the C++)")

    def extent(self, name: str) -> int:
        return dict(self.dims)[name]

    def tile(self, name: str) -> int:
        """The tile size of a loop (its trip count when it is not tiled)."""
        return dict(self.tiles).get(name, self.extent(name))

    def trips(self, name: str) -> int:
        """Iterations of loop ``name``'s tile loop (1 when it is not tiled)."""
        return -(-self.extent(name) // self.tile(name))

    def tile_loops(self) -> tuple[str, ...]:
        """The tile loops, outermost first: the output loops' in the nest's order, then the
        reduction loops' (an output tile is complete before it is stored). Only loops cut
        into more than one tile have one."""
        tiled = [name for name in self.order if self.trips(name) > 1]
        return tuple([n for n in tiled if n not in self.reduction] + [n for n in tiled if n in self.reduction])

    def loads(self, depends: tuple[str, ...]) -> int:
        """How often a tile buffer indexed by the loops ``depends`` is filled per pass of
        the nest: each time one of their tiles changes, i.e. the trips of the tile loops
        from the outermost to the innermost of them (the loops inside it reuse the tile).

        >>> nest = LoopNest.build({"m": 8, "n": 6, "r": 4}, order=("r", "m", "n"), tiles={"m": 2, "r": 2},
        ...                       reduction=("n",))
        >>> nest.tile_loops(), nest.loads(("n", "r")), nest.loads(("m", "n")), nest.loads(("m", "r"))
        (('r', 'm'), 2, 8, 8)
        """
        loops = self.tile_loops()
        inner = max((k for k, name in enumerate(loops) if name in depends), default=-1)
        return prod(self.trips(name) for name in loops[:inner + 1])

    def reduction_schedule(self) -> tuple[np.ndarray, np.ndarray]:
        """The order in which one output visits its reduction index, and the tile breaks.

        Returns ``(perm, breaks)``: ``perm[s]`` is the canonical (row-major over
        ``reduction``) index visited at step ``s``; before each step in ``breaks`` the
        partial sum passes through the output buffer.

        With ``interleave`` R the steps of the point loops are taken at stride R, as hls4ml's
        ``Strategy: Resource`` kernels (``dense_resource``, ``conv_2d_resource_cl``) take them::

            ReuseLoop: for (ir = 0; ir < R; ir++)        // #pragma HLS PIPELINE II=1
              MultLoop: for (k = 0; k < STEPS / R; k++)   // #pragma HLS UNROLL
                acc += (accum_t)(x[ir + R * k] * w[ir + R * k]);

        >>> LoopNest.build({"n": 6}, reduction=("n",), interleave=3).reduction_schedule()[0].tolist()
        [0, 3, 1, 4, 2, 5]
        """
        loops = [name for name in self.order if name in self.reduction]
        stride = dict(zip(self.reduction, _row_major_strides([self.extent(n) for n in self.reduction])))
        tiles = [self.tile(n) for n in loops]
        counts = [-(-self.extent(n) // t) for n, t in zip(loops, tiles)]  # tiles per loop
        perm, breaks = [], []
        for tile_index in np.ndindex(*counts):  # tile loops, outermost first
            if perm:
                breaks.append(sum(len(p) for p in perm))
            axes = [np.arange(i * t, min((i + 1) * t, self.extent(n))) * stride[n]
                    for n, t, i in zip(loops, tiles, tile_index)]
            grid = np.meshgrid(*axes, indexing="ij") if axes else [np.zeros(1, np.int64)]
            perm.append(sum(grid).reshape(-1))  # point loops, row-major in nest order
        perm = np.concatenate(perm).astype(np.int64)
        if self.interleave > 1:  # step ir + R * k taken at (ir, k)
            perm = perm.reshape(-1, self.interleave).T.reshape(-1)
        return perm, np.array(breaks, dtype=np.int64)


def _row_major_strides(extents: list[int]) -> list[int]:
    strides, step = [], 1
    for extent in reversed(extents):
        strides.append(step)
        step *= extent
    return list(reversed(strides))
