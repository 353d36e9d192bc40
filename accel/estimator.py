"""The estimator for a whole network: every layer's ``Estimate`` on a device, the totals
a Vitis "Utilization Estimates" table shows, and the roofline view of each layer.

    >>> from accel.config import load_network
    >>> from accel.shipped import shipped_config
    >>> est = estimate_network(load_network(shipped_config("alexnet227")), "ultra96", preset="unopt")
    >>> est.layer("fc1").BRAM_18K, est.utilization()["BRAM_18K"] > 100
    (36881, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

from layers.hw import DEFAULT_CLOCK_NS, Device, Estimate, Preset, Profile, dataflow, find_device, sequential
from layers.hw.dsp import dsps_per_multiply
from layers.hw.estimate import RESOURCES
from layers.core.workload import Workload, workload

from .network import Network


@dataclass(frozen=True)
class LayerEstimate:
    name: str
    op: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    width: int  # bits of the layer's data
    estimate: Estimate
    workload: Workload
    hls: tuple[str, ...] = ()  # the loops and pragmas costed, in the words of the exported C++
    inputs: tuple[str, ...] = ()  # the tensors it takes, where the network is a graph (empty in a chain)


@dataclass(frozen=True)
class NetworkEstimate:
    network: str
    device: Device
    preset: Preset
    profile: Profile
    clock_ns: float
    dataflow: bool
    layers: tuple[LayerEstimate, ...]
    bandwidth_gbs: float

    def layer(self, name: str) -> Estimate:
        for row in self.layers:
            if row.name == name:
                return row.estimate
        raise KeyError(f"no layer {name!r}; layers are {[row.name for row in self.layers]}")

    @property
    def total(self) -> Estimate:
        """The integrated design: resources add up, except the control logic layers
        share (the profile's ``integration`` factors scale the summed LUT and FF)."""
        parts = [row.estimate for row in self.layers]
        combined = dataflow(parts) if self.dataflow else sequential(parts)
        if len(parts) < 2:
            return combined
        shared = {k: round(getattr(combined, k) * float(self.profile.value("integration", k))) for k in ("LUT", "FF")}
        return replace(combined, **shared)

    def utilization(self, estimate: Estimate | None = None) -> dict[str, float | None]:
        """Percent of the device per resource (None where the device has none)."""
        used = (estimate or self.total).resources()
        available = self.device.available()
        return {k: (100.0 * used[k] / available[k] if available[k] else None) for k in RESOURCES}

    def over_budget(self) -> list[tuple[str, str]]:
        """(layer or "total", resource) for every cell above 100 % of the device."""
        cells = []
        for name, est in [(row.name, row.estimate) for row in self.layers] + [("total", self.total)]:
            available = self.device.available()
            cells += [(name, k) for k in RESOURCES if est.resources()[k] > available[k]]
        return cells

    def latency_ms(self) -> float:
        return self.total.latency_ms(self.clock_ns)

    def throughput(self) -> float:
        """Images per second: one per interval."""
        return 1e9 / (self.total.IntervalMax * self.clock_ns)

    def compute_roof_gops(self, width: int = 16) -> float:
        """Peak operations per second of the device's DSPs (2 per MAC) at this clock."""
        per_mac = dsps_per_multiply(width, width, self.device.dsp_slice)
        return 2 * (self.device.DSP // per_mac) / self.clock_ns

    def to_dict(self, batch: int = 1, element_bits: int | None = None) -> dict:
        """The machine-readable report (``accel report --format json``)."""
        layers = {}
        for row in self.layers:
            est, work = row.estimate, row.workload
            bits = element_bits or row.width
            achieved = 2 * work.macs / (est.WorstLatency * self.clock_ns) if work.macs and est.WorstLatency else 0.0
            layers[row.name] = {
                **est.report(), "latency_ms": est.latency_ms(self.clock_ns), "op": row.op,
                "dominant": est.dominant, "largest_array": _largest(est), "parallel": est.parallel,
                "on_chip_bytes": sum(m.width * m.depth * m.copies for m in est.memories) / 8,
                "macs": work.macs, "flops": work.operations, "params": work.params,
                "bytes_moved": work.bytes_moved(bits, batch), "intensity": work.intensity(bits, batch),
                "achieved_gops": achieved, "input_shape": list(row.input_shape), "output_shape": list(row.output_shape),
                "hls": list(row.hls), **({"inputs": list(row.inputs)} if row.inputs else {}),
            }
        total = self.total
        return {
            "network": self.network, "board": self.device.boards[0] if self.device.boards else self.device.part,
            "part": self.device.part, "preset": self.preset.value, "clock_ns": self.clock_ns,
            "profile": {"name": self.profile.name, "version": self.profile.version, "tool": self.profile.tool},
            "dataflow": self.dataflow, "batch": batch, "element_bits": element_bits,
            "layers": layers,
            "total": {**total.report(), "latency_ms": total.latency_ms(self.clock_ns)},
            "available": self.device.available(), "utilization": self.utilization(),
            "over_budget": [list(cell) for cell in self.over_budget()],
            "throughput_ips": self.throughput(),
            "roofline": {"compute_gops": self.compute_roof_gops(), "bandwidth_gbs": self.bandwidth_gbs},
            "dram_bytes_per_cycle": self.profile.dram("bytes_per_cycle"),
        }


def _largest(est: Estimate) -> str:
    if not est.memories:
        return ""
    big = max(est.memories, key=lambda m: (m.BRAM_18K + m.URAM, m.depth * m.width))
    return f"{big.name} ({big.depth}x{big.width} bits, {big.storage}{', x2' if big.copies == 2 else ''})"


def estimate_network(network: Network, device: Device | str, preset: Preset | str = Preset.CONFIG,
                     profile: Profile | None = None, clock_ns: float = DEFAULT_CLOCK_NS,
                     bandwidth_gbs: float | None = None) -> NetworkEstimate:
    """Every layer of ``network`` costed on ``device`` (a board name, part number or Device)."""
    device = find_device(device) if isinstance(device, str) else device
    preset = Preset.parse(preset)
    profile = profile or Profile.load()
    if clock_ns <= 0:
        raise ValueError(f"clock period {clock_ns} ns must be positive")
    bandwidth = device.dram_gbs if bandwidth_gbs is None else bandwidth_gbs
    port = {key: value for key, value in (("bytes_per_cycle", network.port_bits and network.port_bits // 8),
                                          ("burst_beats", network.port_burst),
                                          ("burst_latency", network.port_latency)) if value}
    if port:  # the network's m_axi port, as its interface directive gives it
        profile = profile.updated(dram=port)
    profile = dram_profile(profile, bandwidth, clock_ns)
    rows = []
    rows_in = enumerate(zip(network.shapes(), network.io_types()))
    for index, ((layer, in_shape, out_shape), (_, in_type, out_type)) in rows_in:
        est = layer.estimate(in_shape, in_type, device, profile, preset)
        rows.append(LayerEstimate(layer.name, layer.op, tuple(in_shape), tuple(out_shape), out_type.width, est,
                                  workload(layer, in_shape), _pragmas(layer, tuple(in_shape), preset),
                                  () if network.is_chain else network.sources(index)))
    return NetworkEstimate(network.name, device, preset, profile, clock_ns, uses_dataflow(network, preset),
                           tuple(rows), bandwidth)


@lru_cache(maxsize=512)
def _pragmas(layer, in_shape: tuple, preset: Preset) -> tuple[str, ...]:
    """A layer's loops and pragmas (written once per layer: the DSE and sweeps estimate
    the same layers many times)."""
    return layer.cpp_pragmas(in_shape, preset)


def dram_profile(profile: Profile, bandwidth_gbs: float, clock_ns: float) -> Profile:
    """The profile with the board's DRAM bandwidth where it limits more than the port;
    ``inf``: DRAM free (no transfer time, Zhang et al.'s compute-bound model)."""
    if math.isinf(bandwidth_gbs):
        return profile.updated(dram={"bytes_per_cycle": 1 << 30, "burst_latency": 0})
    board_bytes = bandwidth_gbs * clock_ns  # GB/s x ns = bytes a cycle
    if 0 < board_bytes < profile.dram("bytes_per_cycle"):  # the board's memory, not the port, limits
        profile = profile.updated(dram={"bytes_per_cycle": max(1, int(board_bytes))})
    return profile


def uses_dataflow(network: Network, preset: Preset = Preset.CONFIG) -> bool:
    """Whether the layers run as a DATAFLOW pipeline (the exported top function says the same)."""
    if preset is Preset.OPT:
        return True
    if preset is Preset.UNOPT:
        return False
    return any(getattr(getattr(layer, "directives", None), "dataflow", False) for layer in network.layers)

