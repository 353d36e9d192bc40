"""The roofline model of Zhang et al., "Optimizing FPGA-based Accelerator Design for
Deep Convolutional Neural Networks" (FPGA 2015), for one convolution layer.

A tiled conv (``M`` output and ``N`` input channels, ``R×C`` outputs, ``K×K`` kernel,
stride ``S``; tiles ``Tm, Tn, Tr, Tc``) with the ``Tm×Tn`` channel tile unrolled and the
pixel loops pipelined takes

    cycles = ⌈M/Tm⌉·⌈N/Tn⌉·⌈R/Tr⌉·⌈C/Tc⌉·(Tr·Tc·K² + P)

its *computational roof* is ``2·M·N·R·C·K² / cycles`` operations a cycle, and its
*computation-to-communication ratio* (CTC) is those operations over the bytes one image
moves when every tile reloads its inputs and weights and stores its outputs once:

    >>> alexnet_conv1 = ConvShape(M=48, N=3, R=55, C=55, K=11, S=4)   # one of its two groups
    >>> zhang_cycles(alexnet_conv1, Tm=64, Tn=7, Tr=55, Tc=55)
    366025
    >>> round(ctc_ratio(alexnet_conv1, Tm=64, Tn=7, Tr=55, Tc=55, bytes_per_word=4), 1)
    43.3
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil


@dataclass(frozen=True)
class ConvShape:
    M: int
    N: int
    R: int
    C: int
    K: int
    S: int = 1

    @property
    def operations(self) -> int:
        return 2 * self.M * self.N * self.R * self.C * self.K * self.K


def zhang_cycles(shape: ConvShape, Tm: int, Tn: int, Tr: int, Tc: int, P: int = 0) -> int:
    """Execution cycles of the tiled, unrolled and pipelined layer (P: pipeline depth)."""
    tiles = ceil(shape.M / Tm) * ceil(shape.N / Tn) * ceil(shape.R / Tr) * ceil(shape.C / Tc)
    return tiles * (Tr * Tc * shape.K ** 2 + P)


def computational_roof_gops(shape: ConvShape, Tm: int, Tn: int, Tr: int, Tc: int, clock_ns: float) -> float:
    return shape.operations / (zhang_cycles(shape, Tm, Tn, Tr, Tc) * clock_ns)


def external_words(shape: ConvShape, Tm: int, Tn: int, Tr: int, Tc: int) -> int:
    """Words moved per image: inputs and weights once per tile, outputs once per output tile."""
    out_tiles = ceil(shape.M / Tm) * ceil(shape.R / Tr) * ceil(shape.C / Tc)
    tiles = out_tiles * ceil(shape.N / Tn)
    in_tile = Tn * (shape.S * Tr + shape.K - shape.S) * (shape.S * Tc + shape.K - shape.S)
    weight_tile = Tm * Tn * shape.K ** 2
    return tiles * (in_tile + weight_tile) + out_tiles * Tm * Tr * Tc


def ctc_ratio(shape: ConvShape, Tm: int, Tn: int, Tr: int, Tc: int, bytes_per_word: int = 4) -> float:
    """Operations per byte of external traffic."""
    return shape.operations / (external_words(shape, Tm, Tn, Tr, Tc) * bytes_per_word)


def attainable_gops(shape: ConvShape, Tm: int, Tn: int, Tr: int, Tc: int, clock_ns: float,
                    bandwidth_gbs: float, bytes_per_word: int = 4) -> float:
    """min(computational roof, CTC × bandwidth)."""
    return min(computational_roof_gops(shape, Tm, Tn, Tr, Tc, clock_ns),
               ctc_ratio(shape, Tm, Tn, Tr, Tc, bytes_per_word) * bandwidth_gbs)


def roofline_point(intensity: float, compute_gops: float, bandwidth_gbs: float) -> tuple[float, str]:
    """Roofline: min(compute roof, bandwidth × intensity), and which roof binds."""
    if intensity <= 0 or bandwidth_gbs <= 0:
        return 0.0, "-"
    memory = bandwidth_gbs * intensity
    return (compute_gops, "compute") if compute_gops <= memory else (memory, "memory")
