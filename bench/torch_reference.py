"""A float32 PyTorch model of a ``Network``, with the same weights: the speed baseline.

torch is a bench/dev extra (``pip install -e ".[bench]"``), never a runtime dependency.
"""

from __future__ import annotations

import numpy as np

from accel.network import Network
from accel.weights import Weights
from layers import LRN, Conv, Dense, Flatten, MaxPool, ReLU


def torch_model(network: Network, weights: Weights):
    import torch
    from torch import nn

    modules = []
    for layer in network.layers:
        params = weights.get(layer.name, {})
        if isinstance(layer, Conv):
            conv = nn.Conv2d(params["weight"].shape[1] * layer.groups, layer.out_channels, layer.kernel,
                             stride=layer.stride, padding=layer.padding, groups=layer.groups, bias=layer.bias)
            _load(conv, params)
            modules += [conv] + ([nn.ReLU()] if layer.relu else [])
        elif isinstance(layer, Dense):
            fc = nn.Linear(params["weight"].shape[1], layer.out_features, bias=layer.bias)
            _load(fc, params)
            modules += [fc] + ([nn.ReLU()] if layer.relu else [])
        elif isinstance(layer, LRN):
            alpha = layer.alpha if layer.alpha_convention == "pytorch" else layer.alpha * layer.size
            modules.append(nn.LocalResponseNorm(layer.size, alpha=alpha, beta=layer.beta, k=layer.k))
        elif isinstance(layer, MaxPool):
            modules.append(nn.MaxPool2d(layer.kernel, layer.stride, layer.padding))
        elif isinstance(layer, Flatten):
            modules.append(nn.Flatten() if layer.order == "chw" else _HwcFlatten())
        elif isinstance(layer, ReLU):
            modules.append(nn.ReLU())
    model = nn.Sequential(*modules).eval()
    torch.set_grad_enabled(False)
    return model


def _load(module, params: dict[str, np.ndarray]) -> None:
    import torch

    module.weight.data = torch.from_numpy(params["weight"].astype(np.float32))
    if "bias" in params:
        module.bias.data = torch.from_numpy(params["bias"].astype(np.float32))


class _HwcFlatten:
    def __new__(cls):
        from torch import nn

        class HwcFlatten(nn.Module):
            def forward(self, x):
                return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)

        return HwcFlatten()
