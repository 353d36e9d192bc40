"""LUT and FF of a pipelined MAC kernel, counted from its datapath.

A Vitis csynth report lists a pipelined kernel's logic by kind — *Expression* (LUT
adders, comparators), *Instance* (multiplier cores), *Multiplexer* and *Register* — and
each entry follows from the operations the loop nest binds:

- **adders**: one accumulation adder per lane (the adder tree of an unrolled reduction
  plus the accumulator), ``accum_width`` bits each, one LUT a bit (a carry chain);
  adders are never shared;
- **multipliers** on DSPs cost no LUT when one slice does the product; a product split
  over several slices has glue (partial-product alignment and its registers) per extra
  slice: ``multiplier_glue`` LUT and FF;
- **sharing multiplexers**: a multiplier serving ``II`` products (``shared_multipliers``)
  selects its two operands among ``II`` sources: ``(II − 1)`` 2:1 muxes a bit, two to a LUT6;
- **pipeline registers**: every lane carries its partial sum down the pipeline, and its
  product too unless one DSP slice holds it in its own register: ``accum_width`` (+
  ``product_width``) FF a lane;
- **loop control**: one counter per loop that stays a loop (and one for the flattened
  pipeline) — an incrementer, an exit compare and the register;
- **control**: the FSM and handshakes of the kernel (the profile's per-kind ``pipelined``
  numbers, small); a rolled nest's FSM is one register bit per state of its schedule.

Fitted to a public Vitis 2024.1 report of a 128-term 32-bit dot product at II=4
(``bench/public_reports.py``): Expression 4,512 LUT (127 adders), Instance 1,600 LUT /
5,280 FF (32 three-slice multipliers), Multiplexer 3,314 LUT, Register 8,408 FF.

What it leaves out, seen in the register tables of small kernels' reports: values the
schedule carries across stages (a loop-exit flag or an index delayed to the write,
booked as a 64-FF shift register each), operands read a cycle before their multiply
(two ports at II 2), and partial sums that stay inside a DSP cascade (``mac_muladd``:
no fabric register, where the per-lane rule counts one). They decide a kernel of a few
hundred FF and vanish in one of thousands.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil, log2

from .profile import Profile


@dataclass(frozen=True)
class Datapath:
    kind: str  # conv | dense: the control numbers of the profile
    lanes: int  # products started each interval
    multipliers: int  # multiplier cores after sharing
    dsp_each: int  # DSP slices a multiplier
    ii: int
    operand_bits: int  # weight + input widths (what a sharing multiplexer selects)
    product_width: int
    accum_width: int
    loops: tuple[int, ...]  # trip counts of the loops that stay loops (the flattened pipeline's first)
    fabric: bool = False  # multipliers bound to LUTs (their cost is added by the caller)
    fsm_states: int = 0  # a rolled nest's FSM (one-hot: a register a state); 0: the profile's pipeline control


def pipelined_logic(d: Datapath, profile: Profile) -> dict[str, int]:
    """LUT and FF of the kernel, by the rules of the module docstring."""
    lut = profile.pipelined_logic("LUT", d.kind) + d.lanes * d.accum_width * profile.pipelined_factor("lut_per_adder_bit")
    carried = d.accum_width + (d.product_width if d.fabric or d.dsp_each > 1 else 0)  # (a lone slice registers its product)
    control = d.fsm_states or profile.pipelined_logic("FF", d.kind)
    ff = control + d.lanes * carried * profile.pipelined_factor("ff_per_lane_bit")
    if not d.fabric:
        glue = d.multipliers * (d.dsp_each - 1)
        lut += glue * float(profile.datapath("multiplier_glue")["LUT"])
        ff += glue * float(profile.datapath("multiplier_glue")["FF"])
    if d.multipliers < d.lanes:  # shared: each multiplier picks its operands among II products
        lut += d.multipliers * d.operand_bits * (d.ii - 1) * profile.pipelined_factor("lut_per_mux_bit")
    for trip in d.loops:
        if trip > 1:
            bits = ceil(log2(trip + 1))
            lut += float(profile.datapath("lut_per_loop")) + bits * float(profile.datapath("lut_per_counter_bit"))
            ff += 2 * bits  # the counter and its incremented copy
    return {"LUT": round(lut), "FF": round(ff)}


def shared_multipliers(lanes: int, ii: int, dsps_each: int) -> int:
    """Multipliers of a pipeline that starts ``lanes`` products every ``ii`` cycles. Vitis
    shares a multiplier across the cycles of an interval when it is worth the
    multiplexers in front of it: a public Vitis 2024.1 report of a 128-term 32-bit dot
    product at II=4 shows 32 multipliers of 3 DSPs each; a public report of a 4-term
    16-bit one at II=2 keeps its 4 single-DSP multipliers. So multi-DSP multipliers are
    shared (``ceil(lanes / ii)``), single-DSP ones are not. Adders are never shared."""
    return ceil(lanes / max(1, ii)) if dsps_each > 1 else lanes


def lone_fabric_products(sums: int, weight_width: int, input_width: int, dsps_each: int, profile: Profile) -> int:
    """Of the ``sums`` products that each start a sum (no add for a DSP's post-adder to
    absorb), those Vitis builds in LUTs: all of them when both operands are at most
    ``datapath.narrow_multiply_bits`` wide. Public reports of UG871's 3x3 char matrix
    product (Vitis 2021.2 and 2024.1, the column loop pipelined) show one ``mul_8s_8s_16``
    in LUTs beside two DSP ``mac_muladd``; a 16-bit 4x4 product keeps all four in DSPs."""
    narrow = int(profile.datapath("narrow_multiply_bits"))
    return sums if dsps_each == 1 and max(weight_width, input_width) <= narrow else 0
