"""The C++ of a tiled multiply-accumulate layer (conv, dense): the nest the simulator runs.

``write(spec)`` turns a layer's ``LoopNest`` (dims, tiles, point-loop order, reduction
loops, directives) and its tile buffers into one function::

    void conv1_layer(const conv1_input_t in[...], const conv1_weight_t w[...],
                     const conv1_bias_t b[...], conv1_output_t out[...]) {
      static conv1_input_t input[Tn][..][..];           // tile buffers, with the YAML's
      static conv1_weight_t weight[Tm][Tn][Kh][Kw];     // ARRAY_PARTITION / BIND_STORAGE
      static conv1_bias_t bias[Tm];
      static conv1_accum_t output[Tm][Tr][Tc];
      tile_r: for (r0 ..) tile_c: for (c0 ..) tile_m: for (m0 ..) {   // output tiles
        load_bias: ...
        tile_n: for (n0 ..) {                                        // reduction tiles
          load_input: ...  load_weight: ...
          if (n0 > 0) partial_sums: output = (partial_t) output;
          loop_m: .. loop_n: .. loop_r: .. loop_c: .. loop_i: .. loop_j: {   // the order
            product_t p = weight[m][n][i][j] * input[n][S*r + i][S*c + j];
            output[m][r][c] = (first step ? (accum_t) bias[m] : output[m][r][c]) + p;
          }
        }
        store_output: out[...] = (result_t) (relu ? max(output, 0) : output);
      }
    }

Tile loops exist for tiled loops only: the output tiles outside, in the nest's order,
the reduction tiles inside them (an output tile is complete before it is stored). Each
output visits its reduction index in exactly ``LoopNest.reduction_schedule``'s order, and
the partial sums pass through ``partial_t`` between two reduction tiles: the values are
the simulator's, whatever the other loops' order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import prod

from . import writer as cpp
from ..core.loop_nest import LoopNest
from ..hw.mac_kernel import unrolled
from .writer import Loop, Pragma

ARRAY_ORDER = ("input", "weight", "bias", "output")


@dataclass(frozen=True)
class Transfer:
    """A copy between an argument array and a tile buffer: loops (var, trip), the body, and
    the nest's loops whose tiles it depends on (it sits in the innermost of their tile
    loops: ``LoopNest.loads`` counts the same transfers)."""

    label: str
    loops: tuple[tuple[str, int], ...]
    statement: str
    depends: tuple[str, ...] = ()


@dataclass(frozen=True)
class MacCpp:
    """What ``write`` needs of a conv or dense layer."""

    prefix: str
    comment: str
    typedefs: str  # the layer's internal types (product_t, accum_t, partial_t)
    nest: LoopNest
    arguments: tuple[str, ...]  # the function's parameters
    buffers: dict[str, tuple[str, tuple[int, ...]]]  # tile buffer -> (C++ type, shape)
    loads: tuple[Transfer, ...]  # bias, input, weight: each where its tile changes
    product: str  # weight * input on the point indices
    accumulator: str  # the output buffer's element on the point indices
    bias: str  # the bias buffer's element
    store: Transfer
    partial: bool  # whether partial_t differs from accum_t (else its cast is left out)
    groups: int = 1
    index: dict = field(default_factory=dict)  # tile buffer -> the loops indexing each of its dimensions

    def array_pragmas(self, array: str) -> tuple[Pragma, ...]:
        """The buffer's ARRAY_PARTITION/BIND_STORAGE pragmas, by the lanes the directives unroll."""
        lanes = unrolled(self.nest)
        shape = self.buffers[array][1]
        parallel = tuple(min(size, prod(lanes.get(loop, 1) for loop in loops))
                         for size, loops in zip(shape, self.index.get(array, ((),) * len(shape))))
        return cpp.array_pragmas(self.nest.directives, array, shape, parallel)


def index(nest: LoopNest, name: str) -> str:
    """The whole-loop index of point loop ``name``: ``n0 + n`` when tiled, else ``n``."""
    return f"{name}0 + {name}" if tiled(nest, name) else name


def tiled(nest: LoopNest, name: str) -> bool:
    return nest.tile(name) < nest.extent(name)


def in_range(nest: LoopNest, names) -> list[str]:
    """Conditions that keep a point index inside its loop in a last, partial tile."""
    return [f"{name}0 + {name} < {nest.extent(name)}" for name in names
            if tiled(nest, name) and nest.extent(name) % nest.tile(name)]


def base(nest: LoopNest, name: str) -> str:
    """The tile's first whole-loop index: ``m0``, or 0 when untiled."""
    return f"{name}0" if tiled(nest, name) else "0"


def pragmas(spec: MacCpp, transfers: bool = True) -> tuple[Pragma, ...]:
    """Every pragma the function carries, in source order (the estimator's report lists
    them); without ``transfers``, the copy loops' pipelining is left out (rolled)."""
    d, found = spec.nest.directives, []
    for array in ARRAY_ORDER:
        found += spec.array_pragmas(array)
    copies = (*spec.loads, spec.store)
    if spec.partial and any(tiled(spec.nest, n) for n in spec.nest.reduction):
        copies += (Transfer("partial_sums", (), ""),)
    found += [cpp.transfer_pragma(t.label) for t in copies] if transfers else []
    for name in spec.nest.order:
        found += cpp.loop_pragmas(d, name)
    found += [*cpp.latency_pragma(d, cpp.point(spec.nest.order[-1])), cpp.multiplier_pragma(d)]
    return tuple(found)


def loops(nest: LoopNest) -> str:
    """The nest in the source's words, outermost first: ``tile_m(2) > loop_n(3) > ...``."""
    outer = [f"{cpp.tile(n)}({-(-nest.extent(n) // nest.tile(n))})" for n in nest.order
             if n not in nest.reduction and tiled(nest, n)]
    inner = [f"{cpp.tile(n)}({-(-nest.extent(n) // nest.tile(n))})" for n in nest.order
             if n in nest.reduction and tiled(nest, n)]
    return " > ".join(outer + inner + [f"{cpp.point(n)}({nest.tile(n)})" for n in nest.order])


def write(spec: MacCpp) -> str:
    nest, d, t = spec.nest, spec.nest.directives, spec.prefix
    lines = [f"// {spec.comment}", _loops_comment(nest), spec.typedefs.rstrip("\n"),
             f"inline void {t}_layer({', '.join(spec.arguments)}) {{", f"{cpp.INDENT}{cpp.KEEP_FUNCTION}"]
    for array in ARRAY_ORDER:
        ctype, shape = spec.buffers[array]
        lines.append(f"{cpp.INDENT}static {ctype} {array}{''.join(f'[{s}]' for s in shape)};")
        lines += [cpp.INDENT + p.cpp() for p in spec.array_pragmas(array)]
    names = (("g",) if spec.groups > 1 else ()) + nest.tile_loops()  # a group changes every array
    levels = [Loop("loop_g", "g", spec.groups) if name == "g" else
              Loop(cpp.tile(name), f"{name}0", nest.extent(name), nest.tile(name)) for name in names]
    reduction = [k for k, name in enumerate(names) if name in nest.reduction]

    def level(depends: tuple[str, ...]) -> int:  # the innermost tile loop a transfer depends on
        return max((k for k, name in enumerate(names) if name in depends or name == "g"), default=-1)

    first = " && ".join(f"{index(nest, n)} == 0" for n in nest.order if n in nest.reduction)
    mac = (f"{t}_product_t p = {spec.product};\n{cpp.multiplier_pragma(d).cpp()}\n"
           f"{spec.accumulator} = ({first} ? ({t}_accum_t){spec.bias} : {spec.accumulator}) + p;")
    mac = cpp.block(cpp.guard(in_range(nest, nest.order)), mac)
    latency = cpp.latency_pragma(d, cpp.point(nest.order[-1]))
    if latency:
        mac = latency[0].cpp() + "\n" + mac
    points = cpp.nest([Loop(cpp.point(n), n, nest.tile(n), pragmas=cpp.loop_pragmas(d, n)) for n in nest.order], mac, 0)

    def body(k: int) -> str:  # what runs in level k's loop (-1: the function)
        parts = [_transfer(x) for x in spec.loads if level(x.depends) == k]
        if spec.partial and reduction and k == reduction[-1]:
            first_tile = " && ".join(f"{levels[j].var} == 0" for j in reduction)
            partial = _transfer(Transfer("partial_sums", spec.store.loops,
                                         f"{spec.accumulator} = ({t}_partial_t){spec.accumulator};"))
            parts.append(f"if (!({first_tile})) {{  // partial sums leave through partial_t\n{partial}\n}}")
        parts.append(points if k == len(levels) - 1 else cpp.nest([levels[k + 1]], body(k + 1), 0))
        parts += [_transfer(spec.store)] if level(spec.store.depends) == k else []
        return "\n".join(parts)

    whole = body(-1)
    lines.append(cpp.nest([], whole, 1))
    lines.append("}")
    return "\n".join(lines) + "\n"


def _transfer(x: Transfer) -> str:
    loops = [Loop(x.label if k == 0 else f"{x.label}_{v}", v, trip,
                  pragmas=(cpp.transfer_pragma(x.label),) if k == len(x.loops) - 1 else ())
             for k, (v, trip) in enumerate(x.loops)]
    return cpp.nest(loops, x.statement, 0)


def _loops_comment(nest: LoopNest) -> str:
    dims = ", ".join(f"{n}={e}" + (f" (T{n}={nest.tile(n)})" if tiled(nest, n) else "") for n, e in nest.dims)
    return f"// loops {dims}; point loops in the order {', '.join(nest.order)}"
