"""The float CIFAR-10 AlexNet (PyTorch), with exactly the topology of the shipped
32×32 fixed-point network (``accel/networks/alexnet32.yaml``).

Module names equal the YAML layer names, so ``state_dict()`` keys (``conv1.weight``,
``fc3.bias`` …) are the simulator's weight keys. LRN is PyTorch's
``LocalResponseNorm`` (alpha divided by the window size: the ``pytorch`` convention);
dropout is active in training only. torch is an optional extra (``golden``): the
simulator and the checks never need it.
"""

from __future__ import annotations

import torch
from torch import nn


class AlexNet32(nn.Module):
    """conv 32-64-96-96-64 (5,5,3,3,3), LRN after conv1/conv2, 3×3/2 max-pools, fc 256-256-10."""

    def __init__(self, dropout: float = 0.3):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 5, padding=2)
        self.lrn1 = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
        self.pool1 = nn.MaxPool2d(3, 2)
        self.conv2 = nn.Conv2d(32, 64, 5, padding=2)
        self.lrn2 = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
        self.pool2 = nn.MaxPool2d(3, 2)
        self.conv3 = nn.Conv2d(64, 96, 3, padding=1)
        self.conv4 = nn.Conv2d(96, 96, 3, padding=1)
        self.conv5 = nn.Conv2d(96, 64, 3, padding=1)
        self.pool5 = nn.MaxPool2d(3, 2)
        self.fc1 = nn.Linear(64 * 3 * 3, 256)
        self.fc2 = nn.Linear(256, 256)
        self.fc3 = nn.Linear(256, 10)
        self.drop = nn.Dropout(dropout)
        for module in self.modules():  # He initialization: without BatchNorm the default
            if isinstance(module, (nn.Conv2d, nn.Linear)):  # init shrinks the signal to nothing
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        relu = torch.relu
        x = self.pool1(self.lrn1(relu(self.conv1(x))))
        x = self.pool2(self.lrn2(relu(self.conv2(x))))
        x = relu(self.conv3(x))
        x = relu(self.conv4(x))
        x = self.pool5(relu(self.conv5(x)))
        x = torch.flatten(x, 1)  # chw order
        x = self.drop(relu(self.fc1(x)))
        x = self.drop(relu(self.fc2(x)))
        return self.fc3(x)

    def layer_outputs(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every layer's output, named as in the YAML (for golden outputs)."""
        outputs = {}
        relu = torch.relu
        steps = [("conv1", lambda t: relu(self.conv1(t))), ("lrn1", self.lrn1), ("pool1", self.pool1),
                 ("conv2", lambda t: relu(self.conv2(t))), ("lrn2", self.lrn2), ("pool2", self.pool2),
                 ("conv3", lambda t: relu(self.conv3(t))), ("conv4", lambda t: relu(self.conv4(t))),
                 ("conv5", lambda t: relu(self.conv5(t))), ("pool5", self.pool5),
                 ("flatten", lambda t: torch.flatten(t, 1)), ("fc1", lambda t: relu(self.fc1(t))),
                 ("fc2", lambda t: relu(self.fc2(t))), ("fc3", self.fc3)]
        for name, step in steps:
            x = step(x)
            outputs[name] = x
        return outputs
