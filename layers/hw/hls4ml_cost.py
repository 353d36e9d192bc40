"""Cost of hls4ml's own conv and dense implementations (``Strategy``, ``ReuseFactor``,
``IOType``), for networks imported from hls4ml: what its templates instantiate, costed.

A layer of hls4ml does ``n_in · n_out`` multiplies (a convolution: ``n_in = kh·kw·cin``
per output pixel, ``n_out = cout``), ``RF`` of them on each multiplier (its
``multiplier_limit = ceil(n_in·n_out / RF)``)::

    Latency strategy   for (ir < RF) [pipelined]  for (all products / RF) [unrolled]  acc += w*x
                       then an adder tree of depth ceil(log2 n_in) per output
    Resource strategy  for (ir < RF) [pipelined II=1]  acc[o] += w[ir + R·k] * x[ir + R·k]

Rules (cycles at the clock the profile assumes; ``T = ceil(log2 n_in)``):

- multipliers ``M = ceil(n_in·n_out / RF)``; DSPs ``M ·`` the slices one product takes;
- dense latency: Latency ``RF - 1 + 1 + T + 2`` (the multiply, the tree, the stream read
  and write), Resource ``RF + 1 + ceil(log2(n_in/RF + 1)) + 2``; interval ``RF`` with
  ``io_parallel``; with ``io_stream`` the whole vector is read first: interval = latency;
- conv (``io_stream``, line buffer): one input pixel a cycle at ``RF = 1``, every ``RF``
  cycles otherwise: latency ``H·W·RF +`` the dense latency of one window; a line buffer of
  ``(kh - 1)`` rows of ``W·cin`` input words;
- FF and LUT as Vitis's C-synthesis estimates them: a pipeline register per product bit
  (``ff_per_product_bit``), an adder per product beyond the first of each output
  (``adder`` LUTs and FFs per accumulator bit), a fixed control overhead.

The constants below were set from hls4ml's own published test report (its Vivado
``myproject_csynth.rpt``: Dense 16→5, ``ap_fixed<16,6>``, RF 1, io_stream, 5 ns): latency 7,
interval 7, 73 DSP (80 products: HLS maps a few constant multiplies to LUTs), FF 7860, LUT
2134 — so that point checks the model's form, not its fit (``bench/bench_estimator.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from math import ceil, log2

from .device import Device
from .dsp import dsps_per_multiply
from .estimate import Estimate
from .memory import place_array

FF_PER_PRODUCT_BIT = 2.5  # Vitis registers each product over its DSP's M and P stages
FF_PER_SUM_BIT = 1.0
LUT_PER_SUM_BIT = 1.5  # a carry-chain adder bit and its share of the routing muxes
CONTROL_LUT, CONTROL_FF = 100, 64
STREAM_IO_CYCLES = 2  # read the input vector, write the output vector


class Strategy(str, Enum):
    LATENCY = "latency"
    RESOURCE = "resource"


class IoType(str, Enum):
    PARALLEL = "io_parallel"
    STREAM = "io_stream"


@dataclass(frozen=True)
class Hls4mlImpl:
    """How hls4ml implements one conv or dense layer (YAML ``hls4ml: {strategy: latency,
    reuse_factor: 1, io_type: io_stream}``)."""

    strategy: Strategy = Strategy.LATENCY
    reuse_factor: int = 1
    io_type: IoType = IoType.PARALLEL

    def __post_init__(self) -> None:
        if self.reuse_factor < 1:
            raise ValueError(f"reuse_factor must be at least 1, got {self.reuse_factor}")

    def as_dict(self) -> dict:
        return {"strategy": self.strategy.value, "reuse_factor": self.reuse_factor, "io_type": self.io_type.value}

    def interleave(self, n_in: int, n_out: int, window: bool = False) -> int:
        """The stride at which this implementation visits one output's ``n_in`` products
        (``LoopNest.interleave``): 1 under Latency (``dense_latency`` adds them in order);
        under Resource, ``RF`` when ``RF < n_in`` (``dense_resource_rf_leq_nin``: input
        ``ir + RF·k`` at step ``(ir, k)``), and 1 when ``RF`` is a multiple of ``n_in``
        (``..._rf_gt_nin_rem0``: one product per output and step, in input order). Other
        reuse factors are not hls4ml's valid ones (``_validate_reuse_factor``: it rounds
        them); ``window``: a convolution's per-window product, whose ``io_parallel`` kernel
        (``conv_2d_resource_cl``) indexes only ``RF <= n_in`` correctly."""
        rf = self.reuse_factor
        if self.strategy is Strategy.LATENCY or rf == 1:
            return 1
        if (n_in * n_out) % rf or (rf < n_in and n_in % rf) or (rf > n_in and rf % n_in):
            raise ValueError(f"reuse_factor {rf} is not one hls4ml allows for {n_in} inputs x {n_out} outputs "
                             f"(valid: {', '.join(map(str, valid_reuse_factors(n_in, n_out)))})")
        if rf > n_in and window and self.io_type is IoType.PARALLEL:
            raise ValueError(f"reuse_factor {rf} > {n_in} products per output: hls4ml's io_parallel "
                             f"conv_2d_resource_cl indexes its inputs for RF <= n_in only (use io_stream or a "
                             f"smaller ReuseFactor)")
        return rf if rf < n_in else 1


def valid_reuse_factors(n_in: int, n_out: int) -> list[int]:
    """hls4ml 1.3.0's valid reuse factors of an ``n_in x n_out`` product
    (``FPGABackend.get_valid_reuse_factors``)."""
    def valid(rf: int) -> bool:
        limit = ceil(n_in * n_out / min(n_in, rf))
        return ((limit % n_out == 0) or rf >= n_in) and (rf % n_in == 0 or rf < n_in) and (n_in * n_out) % rf == 0
    return [rf for rf in range(1, n_in * n_out + 1) if valid(rf)]


def closest_reuse_factor(n_in: int, n_out: int, chosen: int) -> int:
    """The valid reuse factor hls4ml uses for ``chosen`` (``get_closest_reuse_factor``:
    the nearest, the smaller of two as near)."""
    valid = valid_reuse_factors(n_in, n_out)
    return min(valid, key=lambda rf: (abs(rf - chosen), rf))


def read_impl(value, where: str) -> Hls4mlImpl | None:
    """The YAML's ``hls4ml:`` mapping of a conv or dense layer (None when absent)."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"strategy", "reuse_factor", "io_type"}:
        raise ValueError(f"{where}: hls4ml: a mapping of strategy (latency|resource), reuse_factor and "
                         f"io_type (io_parallel|io_stream), got {value!r}")
    try:
        return Hls4mlImpl(Strategy(str(value.get("strategy", "latency")).lower()), int(value.get("reuse_factor", 1)),
                          IoType(str(value.get("io_type", "io_parallel")).lower()))
    except ValueError as err:
        raise ValueError(f"{where}: hls4ml: {err}") from None


def estimate_dense(impl: Hls4mlImpl, n_in: int, n_out: int, input_width: int, weight_width: int,
                   accum_width: int, device: Device) -> Estimate:
    """One hls4ml dense layer (or a convolution's per-window product, ``estimate_conv``)."""
    rf = min(impl.reuse_factor, n_in * n_out)
    multipliers = ceil(n_in * n_out / rf)
    products = n_in * n_out
    adders = ceil(max(0, products - n_out) / rf) if impl.strategy is Strategy.LATENCY else multipliers
    tree = ceil(log2(n_in)) if n_in > 1 else 0
    if impl.strategy is Strategy.LATENCY:
        latency = rf - 1 + 1 + tree + STREAM_IO_CYCLES
    else:
        per_step = n_in / rf
        latency = rf + 1 + (ceil(log2(per_step + 1)) if per_step > 1 else 1) + STREAM_IO_CYCLES
    interval = latency if impl.io_type is IoType.STREAM else rf
    dsp = multipliers * dsps_per_multiply(input_width, weight_width, device.dsp_slice)
    product_bits = input_width + weight_width
    ff = round(multipliers * product_bits * FF_PER_PRODUCT_BIT + adders * accum_width * FF_PER_SUM_BIT) + CONTROL_FF
    lut = round(adders * accum_width * LUT_PER_SUM_BIT) + CONTROL_LUT
    return Estimate(DSP=dsp, FF=ff, LUT=lut, BestLatency=latency, WorstLatency=latency, IntervalMin=interval,
                    IntervalMax=interval, dominant="hls4ml dense", parallel=multipliers)


def estimate_conv(impl: Hls4mlImpl, input_shape: tuple[int, int, int], kernel: tuple[int, int], out_channels: int,
                  input_width: int, weight_width: int, accum_width: int, device: Device, lutram_bits: int) -> Estimate:
    """hls4ml's line-buffer convolution (``io_stream``): each arriving pixel shifts the
    ``kh × kw`` window and, once the window is full, feeds the per-window dense product."""
    channels, height, width = input_shape
    kh, kw = kernel
    window = estimate_dense(Hls4mlImpl(impl.strategy, impl.reuse_factor, IoType.PARALLEL),
                            kh * kw * channels, out_channels, input_width, weight_width, accum_width, device)
    per_pixel = max(1, min(impl.reuse_factor, kh * kw * channels * out_channels))
    latency = height * width * per_pixel + window.WorstLatency
    buffer = place_array("line buffer", input_width, max(1, (kh - 1) * width * channels), lutram_bits_per_lut=lutram_bits)
    return Estimate(BRAM_18K=buffer.BRAM_18K, DSP=window.DSP, FF=window.FF + buffer.FF, LUT=window.LUT + buffer.LUT,
                    URAM=buffer.URAM, BestLatency=latency, WorstLatency=latency, IntervalMin=latency,
                    IntervalMax=latency, dominant="hls4ml line-buffer conv", memories=(buffer,),
                    parallel=window.parallel)
