"""How much memory a simulation will take, checked against what the machine has before
anything is allocated: a network file asking for 10^10 values (or a layer of 10^9
channels) is refused with the figure and the layer, not met with numpy's MemoryError.

The estimate counts 8-byte values (the raws are int64, the float reference float64):
the outputs kept for every image, plus one batch of every layer's output, twice (a
layer's input and output are both alive, and the kernels' patches are of that order),
plus the parameters (float and quantized). It is an estimate, not a bound; it errs on
the side of running.
"""

from __future__ import annotations

import os
from math import prod

from .network import Network

BYTES = 8


def available_bytes() -> int | None:
    """``MemAvailable`` of ``/proc/meminfo`` (Linux), else None (then nothing is refused)."""
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def check_fits(network: Network, images: int, batch: int, kept: set[str] | None = None) -> None:
    """Refuse (``ValueError``) a run of ``images`` in batches of ``batch`` that cannot fit in
    the memory available now, naming the largest layer; ``kept``: the layers whose outputs
    are kept for every image (None: all of them)."""
    available = available_bytes()
    if available is None or os.environ.get("ACCEL_NO_MEMORY_CHECK"):
        return
    outputs = {layer.name: prod(out) for layer, _, out in network.shapes()}
    per_image = prod(network.input_shape) + sum(outputs.values())
    kept_per_image = prod(network.input_shape) + sum(n for name, n in outputs.items() if kept is None or name in kept)
    params = sum(prod(shape) for shape in network.param_shapes().values())
    need = BYTES * (images * kept_per_image + 2 * min(batch, images) * per_image + 2 * params)
    if need <= available:
        return
    largest = max(outputs, key=outputs.get) if outputs else "input"
    biggest = max(outputs.get(largest, 0), prod(network.input_shape))
    raise ValueError(f"{network.source}: simulating {images} input(s) needs about {_gb(need)} ("
                     f"{'the input' if biggest == prod(network.input_shape) else f'layer {largest!r}'} alone holds "
                     f"{biggest:,} values an input, the parameters {params:,}), and {_gb(available)} are "
                     f"available: fewer inputs or a smaller batch (ACCEL_NO_MEMORY_CHECK=1 runs it anyway)")


def check_parameters_fit(network: Network) -> None:
    """Refuse parameters that cannot be held (seeded or loaded) in the memory available."""
    available = available_bytes()
    if available is None or os.environ.get("ACCEL_NO_MEMORY_CHECK"):
        return
    shapes = network.param_shapes()
    total = sum(prod(shape) for shape in shapes.values())
    if 2 * BYTES * total > available:
        key = max(shapes, key=lambda k: prod(shapes[k]))
        raise ValueError(f"{network.source}: the parameters hold {total:,} values ({key} alone "
                         f"{prod(shapes[key]):,}), about {_gb(2 * BYTES * total)}; {_gb(available)} are available "
                         f"(ACCEL_NO_MEMORY_CHECK=1 tries anyway)")


def _gb(size: int) -> str:
    return f"{size / 1e9:,.1f} GB"
