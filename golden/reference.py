"""A PyTorch model of any ``Network`` with the same weights: the speed baseline of the
benchmarks, and the golden reference of networks that have no trained float model (the
227×227 AlexNet with seeded weights). ``layer_outputs`` names each output as the YAML does.

torch is a golden/bench extra, never a runtime dependency.
"""

from __future__ import annotations

import numpy as np

from accel.network import Network
from accel.weights import Weights
from layers import LRN, Conv, Dense, Flatten, MaxPool, ReLU


def torch_model(network: Network, weights: Weights):
    from torch import nn

    return nn.Sequential(*[module for _, module in named_modules(network, weights)]).eval()


def named_modules(network: Network, weights: Weights) -> list:
    """(layer name, torch module) per layer; a fused ReLU is inside its layer's module."""
    import torch
    from torch import nn

    torch.set_grad_enabled(False)
    named = []
    for layer in network.layers:
        modules = []
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
        named.append((layer.name, nn.Sequential(*modules)))
    return named


def layer_outputs(network: Network, weights: Weights, x: np.ndarray, dtype=np.float64) -> dict[str, np.ndarray]:
    """Every layer's output of the PyTorch model on ``x`` (float64 by default)."""
    import torch

    current = torch.from_numpy(np.asarray(x, dtype=dtype))
    outputs = {}
    for name, module in named_modules(network, weights):
        module = module.to(current.dtype)
        current = module(current)
        outputs[name] = current.numpy()
    return outputs


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
