"""The C++ layers write: labelled loops, HLS pragmas, exact constants.

Every layer writes its canonical nest (``Layer.cpp_source``) with these helpers, so that
all generated code names loops and pragmas the same way — point loop ``m`` is
``loop_m``, its tile loop ``tile_m`` — and so that the estimator's report can name the
pragmas the code carries in the same words (``Pragma.describe``)::

    tile_m: for (int m0 = 0; m0 < 96; m0 += 16) {
      ...
      loop_j: for (int j = 0; j < 5; j++) {
    #pragma HLS PIPELINE II=1

A loop's pragmas come from the layer's ``directives`` in the YAML; arrays are the
on-chip tile buffers ``input``, ``weight``, ``bias`` and ``output`` (what ``partition``
and ``storage`` name; ``layers.hw.memory.partition_plan`` says which dimensions a
partition splits, for the C++ and for the estimator alike). Constants are written as decimal literals that read back as the
same double (``repr``), so an ``ap_fixed`` constant built from one is the value the
simulator quantized.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..core.loop_nest import ARRAY_ALIASES
from ..core.loop_nest import Directives
from ..hw.memory import partition_plan
from ..hw.preset import Preset

INDENT = "  "
# each layer stays its own function, so that synthesis reports it as a module (and a
# DATAFLOW process): accel calibrate finds it by that name, LAYER_layer
KEEP_FUNCTION = "#pragma HLS INLINE off"


@dataclass(frozen=True)
class Pragma:
    """One ``#pragma HLS`` line and where it sits (a loop label, an array, a variable)."""

    where: str
    text: str

    def cpp(self) -> str:
        return f"#pragma HLS {self.text}"

    def describe(self) -> str:
        return f"{self.where}: {self.text}"


@dataclass(frozen=True)
class Loop:
    """``label: for (int var = start; var < end; var += step)`` with its pragmas."""

    label: str
    var: str
    end: int | str
    step: int = 1
    pragmas: tuple[Pragma, ...] = ()

    def header(self) -> str:
        step = f"{self.var}++" if self.step == 1 else f"{self.var} += {self.step}"
        return f"{self.label}: for (int {self.var} = 0; {self.var} < {self.end}; {step}) {{"


def point(name: str) -> str:
    return f"loop_{name}"


def tile(name: str) -> str:
    return f"tile_{name}"


def loop_pragmas(d: Directives, name: str, label: str | None = None) -> tuple[Pragma, ...]:
    """The YAML's directives that sit on point loop ``name``: PIPELINE, LOOP_FLATTEN, UNROLL."""
    label = label or point(name)
    pragmas = []
    if d.pipeline == name:
        pragmas.append(Pragma(label, f"PIPELINE II={d.ii}"))
    elif d.pipeline is None and not d.auto_pipeline:  # keeps Vitis from pipelining it on its own
        pragmas.append(Pragma(label, "PIPELINE off"))
    if not d.flatten:  # every loop keeps its own entry and exit
        pragmas.append(Pragma(label, "LOOP_FLATTEN off"))
    for loop, factor in d.unroll:
        if loop == name:
            pragmas.append(Pragma(label, "UNROLL" if factor == 0 else f"UNROLL factor={factor}"))
    return tuple(pragmas)


def array_pragmas(d: Directives, array: str, shape: tuple[int, ...], parallel: tuple[int, ...]) -> tuple[Pragma, ...]:
    """ARRAY_PARTITION (or ARRAY_RESHAPE) and BIND_STORAGE of one tile buffer of ``shape``,
    read ``parallel`` indices a cycle along each dimension: the dimensions ``partition_plan``
    splits, one pragma each (``dim=0`` when it splits them all) — the banks (or the words
    of a reshaped memory) the estimator costs."""
    pragmas = []
    if array in d.port_counts():  # (shown in the estimator's report; export-hls refuses the directive)
        kind = "ap_memory" if d.port_counts()[array] == 2 else "bram storage_type=ram_1p"
        pragmas.append(Pragma(array, f"INTERFACE mode={kind} port={array}"))
    splits = [("ARRAY_PARTITION", split) for split in d.partitions().get(array, ())]
    splits += [("ARRAY_RESHAPE", d.reshapes()[array])] if array in d.reshapes() else []
    for pragma, (kind, factor, dim) in splits:
        plan = partition_plan(kind, factor, dim, shape, parallel)
        splits_all = dim == 0 or (kind == "complete" and len(plan) == len(shape) > 1)
        for k in [0] if splits_all else [k for k, _ in plan]:
            size = "" if kind == "complete" else f" factor={factor}"
            pragmas.append(Pragma(array, f"{pragma} variable={array} type={kind}{size} dim={k}"))
    spec = d.storage_specs().get(array)
    if spec is not None and any(ARRAY_ALIASES.get(name, name) == array for name, *_ in d.storage):
        pragmas.append(Pragma(array, spec.pragma(array)))
    return tuple(pragmas)


def multiplier_pragma(d: Directives, variable: str = "p") -> Pragma:
    """Where the products are computed: DSP slices (default) or fabric LUTs."""
    latency = "" if d.bind_latency is None else f" latency={d.bind_latency}"
    return Pragma(variable, f"BIND_OP variable={variable} op=mul impl={d.bind}{latency}")


def latency_pragma(d: Directives, label: str) -> tuple[Pragma, ...]:
    """LATENCY min=: the cycles of a rolled loop body the YAML asks for."""
    return (Pragma(label, f"LATENCY min={d.latency}"),) if d.latency else ()


def transfer_pragma(label: str) -> Pragma:
    """Copies between the layer's arrays and its tile buffers: one word a cycle."""
    return Pragma(label, "PIPELINE II=1")


def nest(loops: Iterable[Loop], body: str, depth: int = 1) -> str:
    """``loops`` nested outermost first around ``body`` (lines at ``depth``)."""
    loops = list(loops)
    pad = INDENT * depth
    lines = []
    for k, loop in enumerate(loops):
        lines.append(INDENT * (depth + k) + loop.header())
        lines += [INDENT * (depth + k + 1) + p.cpp() for p in loop.pragmas]
    inner = INDENT * (depth + len(loops))
    lines += [inner + line if line else "" for line in body.strip("\n").split("\n")]
    lines += [INDENT * (depth + k) + "}" for k in reversed(range(len(loops)))]
    return "\n".join(lines) if loops else "\n".join(pad + line for line in body.strip("\n").split("\n"))


def literal(value: float) -> str:
    """A C++ double literal that reads back as exactly ``value``."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"cannot write the non-finite constant {value} as C++")
    return repr(value)


def initializer(values: np.ndarray, per_line: int = 8) -> str:
    """``{v0, v1, ...}`` of exact literals, ``per_line`` to a line."""
    flat = [literal(v) for v in np.asarray(values, dtype=np.float64).reshape(-1)]
    rows = [", ".join(flat[i:i + per_line]) for i in range(0, len(flat), per_line)]
    return "{\n" + ",\n".join(INDENT + row for row in rows) + "\n}"


def guard(conditions: Iterable[str]) -> str:
    """``if (a && b) `` for a non-empty list, else nothing."""
    conditions = [c for c in conditions if c]
    return f"if ({' && '.join(conditions)}) " if conditions else ""


def describe(pragmas: Iterable[Pragma]) -> tuple[str, ...]:
    return tuple(p.describe() for p in pragmas)


def plus(*terms: str | int) -> str:
    """``a + b + c`` without the zero terms (``0`` when all are)."""
    kept = [str(t) for t in terms if str(t) not in ("0", "")]
    return " + ".join(kept) if kept else "0"


def times(factor: int, term: str) -> str:
    """``factor * term``, or ``term`` when the factor is 1 (``(a + b)`` stays grouped)."""
    if factor == 1 or term == "0":
        return term
    return f"{factor} * ({term})" if "+" in term or "-" in term else f"{factor} * {term}"


def block(condition: str, statements: str) -> str:
    """``statements`` under ``if (condition)``, or as they are without a condition."""
    if not condition:
        return statements
    return f"{condition}{{\n" + "\n".join(INDENT + line for line in statements.split("\n")) + "\n}"


def grouped(expr: str) -> str:
    """``(a + b)`` for a sum, a single term as it is."""
    return f"({expr})" if " " in expr else expr


def choose(conditions: list[str], value: str, otherwise: str) -> str:
    """``(a && b) ? value : otherwise``, or ``value`` when nothing is to be checked."""
    return f"({' && '.join(conditions)}) ? {value} : {otherwise}" if conditions else value


def stream_pragmas(label: str, preset) -> tuple[str, ...]:
    """An element-wise layer's one pragma: its element loop pipelined at II=1 (rolled under
    the ``unopt`` preset, as the estimator costs it)."""
    return () if Preset.parse(preset) is Preset.UNOPT else (f"{label}: PIPELINE II=1",)
