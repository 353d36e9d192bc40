"""Cost of a multiply-accumulate kernel (conv, dense), read off its loop nest.

The layer describes its kernel as a ``MacKernel`` (``mac_kernel``): the loop nest with its
tiles, order and directives, the arrays it reads and writes and its operand widths. The
model follows Vitis HLS' scheduling (UG1399):

- loops inside the PIPELINE loop are unrolled; UNROLL factors multiply the lanes;
  the point loops outside it, a perfect nest, are flattened into one pipeline of
  ``(trip − 1)·II + depth`` cycles (Zhang et al.'s ``Tr·Tc·K² + P`` per tile); under
  LOOP_FLATTEN off they stay loops, each iteration one cycle to enter the loop inside
  and one to leave it;
- an array serves two words a cycle per bank (true dual port): II rises to
  ``ceil(words needed / (2·banks))`` unless ARRAY_PARTITION gives enough banks (or
  ARRAY_RESHAPE makes the words read together one wide word); a
  pipelined reduction loop accumulating into block RAM waits for its own write (II ≥
  read + add latency);
- without PIPELINE the nest runs rolled at the profile's cycles per MAC (or the body's
  LATENCY directive), plus a per-output overhead;
- ``on_chip="whole"`` keeps every array on chip (no DRAM traffic); ``"tiles"`` keeps tile
  buffers on chip (ping-pong under DATAFLOW) and moves tiles over one m_axi port: loads
  and compute add up, or overlap under DATAFLOW.
"""

from __future__ import annotations

from dataclasses import replace
from math import ceil, log2, prod

from ..core.loop_nest import LoopNest
from .auto_pipeline import AutoPipeline, auto_pipeline
from .datapath import Datapath, lone_fabric_products, pipelined_logic, shared_multipliers
from .device import Device
from .dsp import dsps_per_multiply
from .estimate import Estimate, MemoryCost
from .latency import multiply_latency, pipeline_nest, requested_ii
from .mac_kernel import MacKernel, unrolled
from .memory import array_plan, bank_accesses, place_array
from .profile import Profile
from .rolled import rolled_by_operations, rolled_by_profile, rolled_states


def estimate_mac(kernel: MacKernel, device: Device, profile: Profile) -> Estimate:
    kernel = _as_the_tool_flattens(kernel, profile)
    nest, d = kernel.nest, kernel.nest.directives
    lanes_by_loop = unrolled(nest)
    lanes = prod(lanes_by_loop.values())
    memories, ii_needed, ii_array = _memories(kernel, lanes_by_loop, profile)
    dsp_each = dsps_per_multiply(kernel.weight_width, kernel.input_width, device.dsp_slice, kernel.product_width)
    plan = auto_pipeline(nest, lanes_by_loop, profile.pipeline_loops) \
        if d.pipeline is None and d.auto_pipeline and profile.behaviour.pipelines_unasked and not d.latency else None
    flattened = None  # the loops of a pipeline, asked or the tool's, outermost first
    overlap = True  # whether pipeline iterations overlap (not when the II asked is the iteration latency or more)
    if plan is not None:  # pipelined by the tool: the unrolled loops' reads set the II through the ports
        lanes_by_loop = {**lanes_by_loop, **{loop: nest.tile(loop) for loop in plan.unrolled}}
        lanes = prod(lanes_by_loop.values())
        memories, ii, ii_array = _memories(kernel, lanes_by_loop, profile)
        compute, dominant = _auto_pipelined(kernel, plan, lanes_by_loop, dsp_each, ii, profile)
        compute *= kernel.groups
        if ii > 1:
            dominant += f", II raised to {ii} by {ii_array}'s ports"
        flattened = plan.run
    elif d.pipeline is None and profile.behaviour.schedules_operations and not d.latency:  # rolled, as Vitis schedules it
        compute, dominant = rolled_by_operations(kernel, lanes_by_loop, dsp_each, profile)
        ii, multipliers = 1, lanes
        states = rolled_states(kernel, lanes_by_loop, dsp_each, profile)
        logic = pipelined_logic(replace(_datapath(kernel, lanes_by_loop, (), multipliers, dsp_each, 1),
                                        fsm_states=states), profile)
        dsp = lanes * dsp_each
    elif d.pipeline is None:  # rolled, as the seed's kernels measured (vivado-hls) or pinned by LATENCY
        compute, dominant = rolled_by_profile(kernel, lanes, profile)
        ii, multipliers = 1, lanes
        logic = {res: profile.rolled_logic(res, kernel.kind) for res in ("LUT", "FF")}
        dsp = profile.rolled_logic("DSP", kernel.kind) - 1 + lanes * dsp_each
    else:
        recurrence = _recurrence_ii(kernel, memories, profile)
        depth = _depth(kernel, lanes_by_loop, dsp_each, profile)
        overlap = d.ii < depth  # a requested II at or above the iteration latency: iterations one after another
        ii = max(d.ii if overlap else requested_ii(d.ii, depth), ii_needed, recurrence)
        compute, dominant = _pipelined(kernel, lanes_by_loop, dsp_each, ii, profile)
        compute *= kernel.groups
        if ii > d.ii:
            why = f"{ii_array}'s ports" if ii_needed >= recurrence else "the carried dependence on output"
            dominant += f", II raised to {ii} by {why}"
        elif ii < d.ii:
            dominant += f", II {d.ii} asked: above the iteration latency, Vitis runs each iteration after the last"
        flattened = tuple(nest.order[:list(nest.order).index(d.pipeline) + 1])
    in_fabric = 0  # multipliers built in LUTs
    if flattened is not None and not d.flatten:  # (LOOP_FLATTEN off: the loops around it keep their counters)
        flattened = flattened[-1:]
    if flattened is not None:  # (no overlap, nothing to share: the public reports of requested_ii keep them all)
        multipliers = shared_multipliers(lanes, ii, dsp_each) if overlap else lanes
        logic = pipelined_logic(_datapath(kernel, lanes_by_loop, flattened, multipliers, dsp_each, ii), profile)
        in_fabric = _lone_products(kernel, lanes_by_loop, flattened, multipliers, dsp_each, profile)
        dsp = (multipliers - in_fabric) * dsp_each
    if d.bind == "fabric":  # (no lone products then: every multiplier is in LUTs)
        in_fabric = multipliers
        dsp -= multipliers * dsp_each
    logic["LUT"] += round(in_fabric * kernel.weight_width * kernel.input_width
                          * float(profile.value("fabric_multiplier_lut_per_bit2")))
    if kernel.on_chip == "tiles":  # tiles move over DRAM: a load/store engine per array
        for res in ("LUT", "FF"):
            logic[res] += round(sum(len(a.shape) or len(a.loops) for a in kernel.arrays if a.transfers)
                                * float(profile.datapath("dram_array")[f"{res}_per_dim"]))
    best, worst, dominant = _with_transfers(kernel, compute, dominant, profile)
    return Estimate(
        BRAM_18K=sum(m.BRAM_18K for m in memories), DSP=dsp,
        FF=logic["FF"] + sum(m.FF for m in memories), LUT=logic["LUT"] + sum(m.LUT for m in memories),
        URAM=sum(m.URAM for m in memories), BestLatency=best, WorstLatency=worst,
        IntervalMin=best + 1, IntervalMax=worst + 1, dominant=dominant, memories=tuple(memories), parallel=lanes,
    )


def _as_the_tool_flattens(kernel: MacKernel, profile: Profile) -> MacKernel:
    """The kernel as the tool flattens it: a PIPELINE on a reduction loop under output loops
    whose C++ keeps the sum in a local and stores it after the loop (``local_sum``) keeps
    those loops, as LOOP_FLATTEN off does (``layers.hw.tool``: the DCT, Vitis 2020.1 and 2022.1)."""
    nest, d = kernel.nest, kernel.nest.directives
    order = list(nest.order)
    if d.pipeline is None or not d.local_sum or not d.flatten or d.pipeline not in nest.reduction \
            or all(loop in nest.reduction for loop in order[:order.index(d.pipeline)]):
        return kernel
    return replace(kernel, nest=replace(nest, directives=replace(d, flatten=False)))


def _lone_products(kernel: MacKernel, lanes: dict[str, int], flattened: tuple[str, ...], multipliers: int,
                   dsp_each: int, profile: Profile) -> int:
    """Products the tool binds to LUTs (``datapath.lone_fabric_products``): those no DSP
    post-adder can absorb — every product when the C++ casts it before the sum (the product
    type narrower than the exact one: a public Vivado HLS 2020.1 conv, aa08453/CNN-on-FPGA
    ``conv2``, 72 ap_fixed<8,5> products each cast to <8,5> before the add: no DSP), else
    the first product of each sum, when a pipeline iteration completes its sums (every
    reduction loop unrolled inside it) starting from zero (no bias)."""
    nest = kernel.nest
    if nest.directives.bind == "fabric":
        return 0
    if kernel.product_width < kernel.weight_width + kernel.input_width:  # a cast between the product and the add
        return lone_fabric_products(multipliers, kernel.weight_width, kernel.input_width, dsp_each, profile)
    if any(a.name == "bias" for a in kernel.arrays) or any(loop in nest.reduction for loop in flattened):
        return 0
    sums = prod(lanes.get(loop, 1) for loop in nest.order if loop not in nest.reduction)
    return lone_fabric_products(sums, kernel.weight_width, kernel.input_width, dsp_each, profile)


def _memories(kernel: MacKernel, lanes: dict[str, int], profile: Profile):
    """Each array placed on chip; the II its port demand forces, and the array forcing it."""
    d = kernel.nest.directives
    partition, reshape, specs = d.partitions(), d.reshapes(), d.storage_specs()
    ports = d.port_counts()
    copies = 2 if d.dataflow and kernel.on_chip == "tiles" else 1
    memories, worst_ii, worst_array = [], 1, ""
    for array in kernel.arrays:
        words = prod(lanes.get(loop, 1) for loop in array.loops)  # distinct words per cycle
        spec = specs.get(array.name)
        splits = partition.get(array.name) or ((reshape[array.name],) if array.name in reshape else ()) \
            or _rom_partition(spec, words, profile)
        depth = array.whole if kernel.on_chip == "whole" else array.tile
        if array.shape:  # per dimension, as the pragmas split them
            parallel = array.parallel(lanes)
            plan = array_plan(splits, array.shape, parallel)
            banks = prod(b for _, b, _ in plan)
            per_bank = bank_accesses(plan, array.shape, parallel)
        else:  # one dimension: one split at most
            banks = prod(words if kind == "complete" else max(1, factor) for kind, factor, _ in splits)
            per_bank = ceil(words / min(banks, depth))
        width = array.width
        if array.name in reshape:  # the banks side by side: one memory of words `banks` times as wide
            width, depth, banks = width * banks, ceil(depth / banks), 1
        if array.name in ports:  # a memory interface: the caller's RAM, read through its ports
            memories.append(MemoryCost(array.name, width, depth, banks, 1, "port"))
        else:
            memories.append(place_array(array.name, width, depth, banks, copies, spec.impl if spec else "auto",
                                        int(profile.value("lutram_bits_per_lut")), simple_dual_port=array.accumulate))
        read_ports = ports.get(array.name) or (spec.read_ports if spec else 2)  # two ports a bank unless told
        writes = 1 if array.accumulate and not (spec and spec.own_write_port) else 0  # a sum read and written back
        ii = ceil(per_bank * (1 + writes) / read_ports)
        if ii > worst_ii:
            worst_ii, worst_array = ii, array.name
    return memories, worst_ii, worst_array


def _rom_partition(spec, words: int, profile: Profile) -> tuple:
    """A constant table read several words a cycle, with no pragma of its own: Vitis
    partitions it completely along the dimensions the unrolled loops index (2020.1: a DCT's
    8x8 coefficient ROM read by 8 unrolled products becomes 8 ROMs of 8 words, ryan880718/
    HLS_LabA solution3 and 4; 2020.2: a dense layer's 1568x10 weight ROM, 10 unrolled
    outputs, becomes 10 ROMs, nvchuyen/CNN_FPGA_HLS fc_layer1)."""
    if spec is None or not spec.is_rom or words < 2 or not profile.behaviour.partitions_roms:
        return ()
    return (("complete", 0, None),)


def _recurrence_ii(kernel: MacKernel, memories: list[MemoryCost], profile: Profile) -> int:
    """When the pipelined loop is a reduction loop, each iteration adds into the output
    word the previous one wrote: a block RAM's read latency plus the add must pass between
    them (Vitis: "unable to enforce a carried dependence constraint"). Registers and
    LUTRAM read in the same cycle."""
    if kernel.nest.directives.pipeline not in kernel.nest.reduction:
        return 1
    output = next((m for m in memories if m.name == "output"), None)
    if output is None or output.storage not in ("BRAM", "URAM"):
        return 1
    return profile.latency("read") + profile.latency("add")


def _auto_pipelined(kernel: MacKernel, plan: AutoPipeline, lanes: dict[str, int], dsp_each: int, ii: int,
                    profile: Profile) -> tuple[int, str]:
    """Cycles of the nest as ``auto_pipeline`` pipelines it, at ``ii`` (from the ports the
    unrolled loops read through). The loops left around the pipelined run, flattened into
    one when they are perfectly nested, cost UG1399's two cycles an iteration, and the
    tool release's call of the pipeline when it makes it a module of its own: a public
    Vitis 2022.1 row DCT (chaoNTUEE/HLS_Lab-A, ``-pipeline_loops 6``) runs its 8-trip
    pipelined ``DCT_Inner_Loop`` (12 cycles) under a 64-trip loop of 16 cycles an iteration.

        L = runs · (L_run + 2 + call) + 1        (L_run + 1 when the run is the whole nest)"""
    nest = kernel.nest
    trips = [ceil(nest.tile(loop) / lanes.get(loop, 1)) for loop in plan.run]
    per_step = prod(lanes.values())
    runs = ceil(kernel.macs / (prod(trips) * per_step))
    per_run = pipeline_nest(trips, nest.directives.flatten, ii, _depth(kernel, lanes, dsp_each, profile),
                            profile.behaviour.call_overhead)
    entry = profile.latency("loop_entry")
    cycles = per_run + entry if runs == 1 else runs * (per_run + 2 + profile.behaviour.call_overhead) + entry
    trip = prod(trips) if nest.directives.flatten else trips[-1]
    loops = "*".join(plan.run) + " flattened" if nest.directives.flatten else f"{plan.run[-1]} alone (LOOP_FLATTEN off)"
    unrolled = f", {'*'.join(plan.unrolled)} unrolled" if plan.unrolled else ""
    return cycles, f"loop {plan.run[-1]} (pipelined by Vitis on its own: {loops}{unrolled}, trip {trip}, II={ii})"


def _pipelined(kernel: MacKernel, lanes: dict[str, int], dsp_each: int, ii: int, profile: Profile):
    nest = kernel.nest
    order = list(nest.order)
    pipe = nest.directives.pipeline
    trips = [ceil(nest.tile(loop) / lanes.get(loop, 1)) for loop in order[:order.index(pipe) + 1]]
    depth = _depth(kernel, lanes, dsp_each, profile)
    per_tile = pipeline_nest(trips, nest.directives.flatten, ii, depth, profile.behaviour.call_overhead)
    tiles = tile_count(nest)
    entry = profile.latency("loop_entry")
    trip = prod(trips) if nest.directives.flatten else trips[-1]
    return tiles * (per_tile + entry), f"loop {pipe} (pipelined, II={ii}, trip {trip}, depth {depth})"


def _depth(kernel: MacKernel, lanes: dict[str, int], dsp_each: int, profile: Profile) -> int:
    """Pipeline depth of one MAC iteration: read, multiply (a cycle per extra DSP slice), the
    adder tree of the unrolled reduction, the accumulate, the write."""
    reduction_lanes = prod(lanes.get(loop, 1) for loop in kernel.nest.reduction)
    return (profile.latency("read") + multiply_latency(kernel.nest.directives, profile) + (dsp_each - 1)
            + ceil(log2(reduction_lanes)) + profile.latency("add") + profile.latency("write"))


def _datapath(kernel: MacKernel, lanes: dict[str, int], flattened: tuple[str, ...], multipliers: int,
              dsp_each: int, ii: int) -> Datapath:
    """The pipelined kernel's datapath: its lanes and multipliers, and the loops that stay
    loops — the flattened pipeline (one counter, and one per loop flattened into it), the
    point loops outside it and the tile loops."""
    nest = kernel.nest
    trips = {loop: ceil(nest.tile(loop) / lanes.get(loop, 1)) for loop in nest.order}
    pipeline = prod(trips[loop] for loop in flattened)
    kept = [trips[loop] for loop in nest.order if loop not in lanes or trips[loop] > 1]
    tiles = [ceil(extent / nest.tile(name)) for name, extent in nest.dims]
    return Datapath(kernel.kind, prod(lanes.values()), multipliers, dsp_each, ii,
                    kernel.weight_width + kernel.input_width, kernel.product_width, kernel.accum_width,
                    (pipeline, *kept, *tiles), fabric=nest.directives.bind == "fabric")


def tile_count(nest: LoopNest) -> int:
    """Iterations of the tile loops: the tiles one image is cut into."""
    return prod(ceil(extent / nest.tile(name)) for name, extent in nest.dims)


def dram_cycles(nbytes: float, profile: Profile, worst: bool) -> int:
    """Cycles to move ``nbytes`` over one m_axi port: beats plus burst latency (once at
    best, once per burst at worst)."""
    if nbytes <= 0:
        return 0
    beats = ceil(nbytes / profile.dram("bytes_per_cycle"))
    bursts = ceil(beats / profile.dram("burst_beats")) if worst else 1
    return beats + bursts * profile.dram("burst_latency")


def _with_transfers(kernel: MacKernel, compute: int, dominant: str, profile: Profile) -> tuple[int, int, str]:
    """Whole latency: compute alone for on-chip arrays; with tile transfers otherwise."""
    if kernel.on_chip == "whole":
        return compute, compute, dominant
    tiles = kernel.groups * tile_count(kernel.nest)
    results = []
    for worst in (False, True):
        moved = sum(dram_cycles(a.tile * a.width / 8, profile, worst) * a.transfers for a in kernel.arrays)
        per_tile = ceil(moved / tiles)
        if kernel.nest.directives.dataflow:  # ping-pong: transfers of tile t+1 overlap compute of tile t
            total = tiles * max(per_tile, ceil(compute / tiles)) + min(per_tile, ceil(compute / tiles))
        else:
            total = moved + compute
        results.append((total, moved))
    (best, _), (worst, moved) = results
    if moved > compute:
        dominant = f"DRAM transfers ({moved} cycles at {profile.dram('bytes_per_cycle')} B/cycle)"
    return best, worst, dominant
