"""Weights from the frameworks models are trained in.

- ``torch_state``: PyTorch ``state_dict`` files (``.pt``/``.pth``), read with
  ``torch.load(..., weights_only=True)`` so that no pickled code runs.
"""
