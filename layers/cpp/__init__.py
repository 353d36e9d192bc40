"""The C++ the layers write: ``writer`` (labelled loops, pragmas, exact constants — what
every kind's ``cpp_source`` is written with, re-exported here as ``layers.cpp``), and the
two nests long enough to have their own module: ``mac_nest`` (conv and dense, tiled) and
``lrn_nest`` (LRN in its three modes)."""

from .writer import (INDENT, KEEP_FUNCTION, Loop, Pragma, array_pragmas, block, choose, describe, grouped, guard,
                     initializer, latency_pragma, literal, loop_pragmas, multiplier_pragma, nest, plus, point,
                     stream_pragmas, tile, times, transfer_pragma)

__all__ = ["INDENT", "KEEP_FUNCTION", "Loop", "Pragma", "array_pragmas", "block", "choose", "describe", "grouped",
           "guard", "initializer", "latency_pragma", "literal", "loop_pragmas", "multiplier_pragma", "nest", "plus",
           "point", "stream_pragmas", "tile", "times", "transfer_pragma"]
