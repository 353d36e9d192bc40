"""Golden per-layer outputs of the float model, for the testbench.

    python -m golden.make_golden --out golden.npz [--images 4]

(``--out accel/data/golden/alexnet32.npz``, 4 images, is how the shipped file was written;
``--out`` is required so that a run never overwrites it unasked.)

Runs the trained PyTorch ``AlexNet32`` (float32, eval mode) on the first N images of the
embedded CIFAR-10 sample and stores, compressed, ``input`` (the normalized images) and
every layer's output under its YAML name. The stored outputs come from PyTorch, not from
this package's float reference, so the tests can hold one against the other.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from accel.cifar import load_sample, normalize
from accel.shipped import golden_folder, weights_folder

from .model import AlexNet32

WEIGHTS = weights_folder() / "alexnet32.npz"


def load_model(weights: Path = WEIGHTS) -> AlexNet32:
    model = AlexNet32()
    with np.load(weights, allow_pickle=False) as npz:
        state = {k: torch.from_numpy(npz[k].astype(np.float32)) for k in npz.files}
    model.load_state_dict(state)
    return model.eval()


def golden_outputs(model: AlexNet32, images: np.ndarray) -> dict[str, np.ndarray]:
    x = torch.from_numpy(normalize(images).astype(np.float32))
    with torch.no_grad():
        outputs = model.layer_outputs(x)
    return {"input": x.numpy(), **{name: out.numpy() for name, out in outputs.items()}}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Write golden per-layer float outputs for the testbench.")
    parser.add_argument("--images", type=int, default=4, help="images of the embedded sample (default 4, as shipped)")
    parser.add_argument("--out", required=True, help=f"the .npz to write ({golden_folder() / 'alexnet32.npz'} "
                        "replaces the shipped one)")
    args = parser.parse_args(argv)
    sample = load_sample()
    golden = golden_outputs(load_model(), sample.images[:args.images])
    golden["labels"] = sample.labels[:args.images]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **golden)
    print(f"wrote {args.out}: {', '.join(f'{k} {v.shape}' for k, v in golden.items())}")


if __name__ == "__main__":
    main()
