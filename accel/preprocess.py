"""How image pixels become a network's input: part of the network, stated in its file.

A network trained on normalized images expects ``(pixel / 255 - mean) / std`` per
channel; another was trained on ``pixel / 255`` alone, or on raw pixels. Feeding it the
wrong statistics scores wrongly without any error, so the network file says which::

    input: {shape: [3, 32, 32], type: "ap_fixed<16,4,AP_RND,AP_SAT>",
            preprocess: {mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616]}}

``mean`` and ``std`` have one entry per input channel (or one for all). Raw 0..255 pixels
are ``{mean: [0], std: [0.00392156862745098]}`` (1/255); ``[-1, 1]`` is ``{mean: [0.5],
std: [0.5]}``. A network whose file states none gets ``pixel / 255`` and a warning.

    >>> p = Preprocess((0.5,), (0.5,))
    >>> p(np.array([[[[0, 255]]]], dtype=np.uint8)).tolist()
    [[[[-1.0, 1.0]]]]
    >>> str(CIFAR10)
    '(pixel/255 - [0.4914, 0.4822, 0.4465]) / [0.247, 0.2435, 0.2616]'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Preprocess:
    """``(pixel / 255 - mean) / std`` along the channel axis (axis 1 of ``(N, C, ...)``)."""

    mean: tuple[float, ...]
    std: tuple[float, ...]

    def check(self, channels: int, where: str) -> None:
        """Refuse statistics that cannot apply to ``channels`` channels, naming ``where``."""
        for name, values in (("mean", self.mean), ("std", self.std)):
            if len(values) not in (1, channels):
                raise ValueError(f"{where}: '{name}' has {len(values)} entries; the input has {channels} channels "
                                 f"(give one entry per channel, or one for all)")
            if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in values):
                raise ValueError(f"{where}: '{name}' must be finite numbers, got {list(values)}")
        if any(v <= 0 for v in self.std):
            raise ValueError(f"{where}: 'std' must be above 0, got {list(self.std)}")

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        """uint8 (or float) pixels (N, C, ...) → float64 network inputs."""
        x = np.asarray(pixels, dtype=np.float64) / 255.0
        trailing = (1,) * (x.ndim - 2)
        mean = np.asarray(self.mean, dtype=np.float64).reshape(-1, *trailing)
        std = np.asarray(self.std, dtype=np.float64).reshape(-1, *trailing)
        return (x - mean) / std

    def __str__(self) -> str:
        def spell(values: tuple[float, ...]) -> str:
            return f"[{', '.join(f'{v:g}' for v in values)}]"
        return f"(pixel/255 - {spell(self.mean)}) / {spell(self.std)}"

    def as_dict(self) -> dict:
        """The network file's ``preprocess`` entry."""
        return {"mean": list(self.mean), "std": list(self.std)}


# The usual CIFAR-10 training-set statistics (alexnet32 was trained with them).
CIFAR10 = Preprocess((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))
# What a network that states nothing gets (with a warning): pixels scaled to [0, 1].
UNSTATED = Preprocess((0.0,), (1.0,))
