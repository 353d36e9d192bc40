"""PyTorch ``state_dict`` files → the simulator's flat ``{"conv1.weight": array}``.

Read with ``torch.load(path, map_location="cpu", weights_only=True)``: a file that holds
anything but tensors and plain containers is refused, never executed. Accepts a bare
``state_dict`` or a training checkpoint that keeps it under ``state_dict`` or
``model_state_dict``. torch is needed only here (it is not a runtime dependency).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CHECKPOINT_KEYS = ("state_dict", "model_state_dict", "model")


def read_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    path = Path(path)
    try:
        import torch
    except ImportError:
        raise ValueError(f"{path}: reading PyTorch files needs torch (pip install torch)") from None
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise ValueError(f"{path}: file not found") from None
    except Exception as err:  # torch raises many kinds for corrupt or unsafe files
        raise ValueError(f"{path}: not a loadable PyTorch state_dict ({type(err).__name__}: "
                         f"{str(err).splitlines()[0] if str(err) else ''})") from None
    for key in CHECKPOINT_KEYS:
        if isinstance(data, dict) and isinstance(data.get(key), dict):
            data = data[key]
            break
    if not isinstance(data, dict) or not all(hasattr(v, "detach") for v in data.values()):
        raise ValueError(f"{path}: expected a state_dict (a mapping of names to tensors)")
    return {name: tensor.detach().cpu().numpy() for name, tensor in data.items()}
