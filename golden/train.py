"""Train the float CIFAR-10 AlexNet (``golden.model.AlexNet32``) on the CPU, reproducibly.

    python -m golden.train --data cifar-10-binary.tar.gz --out alexnet32.npz

The defaults (20 epochs, seed 0, batch 128, peak learning rate 0.03) are those of the
shipped weights (``accel/data/weights/alexnet32.json`` records the command); ``--out`` is
required, so that a run never overwrites the package's weights unasked (give that path,
``accel/data/weights/alexnet32.npz``, to replace them).

SGD with momentum, cosine learning rate, weight decay, standard augmentation (random
crop of the 4-pixel-padded image, horizontal flip). One addition for the accelerator: a
small penalty on layer outputs beyond ±RANGE keeps activations (and logits) inside what
an ``ap_fixed<16,4>`` holds (±8), so the fixed-point network does not saturate; the
topology is unchanged. Writes the weights (``.npz``, PyTorch state_dict names, float32)
and a ``.json`` provenance file beside them: command, seed, epochs, data, accuracy.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from accel.cifar import normalize, read_cifar

from .model import AlexNet32

RANGE = 6.0  # activations beyond this cost a little: <16,4> saturates at 8
PENALTY = 0.2  # weight of the range penalty, applied on every PENALTY_EVERY-th batch
PENALTY_EVERY = 4  # (computing it costs a third of a step; every 4th keeps training fast)


def augment(images: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Random 32×32 crops of the zero-padded (4 px) images, half of them flipped."""
    padded = F.pad(images, (4, 4, 4, 4))
    rows, cols = rng.integers(0, 9, len(images)), rng.integers(0, 9, len(images))
    crops = torch.stack([padded[i, :, r:r + 32, c:c + 32] for i, (r, c) in enumerate(zip(rows, cols))])
    flip = torch.from_numpy(rng.random(len(images)) < 0.5)
    crops[flip] = crops[flip].flip(3)
    return crops


def range_penalty(model: AlexNet32, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits, mean squared excess of every layer output beyond ±RANGE)."""
    outputs = model.layer_outputs(x)
    excess = sum(torch.relu(out.abs() - RANGE).pow(2).mean() for out in outputs.values())
    return outputs["fc3"], excess


def evaluate(model: AlexNet32, images: np.ndarray, labels: np.ndarray, batch: int = 500) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(images), batch):
            x = torch.from_numpy(normalize(images[start:start + batch]).astype(np.float32))
            correct += int((model(x).argmax(1).numpy() == labels[start:start + batch]).sum())
    return correct / len(images)


def train(data: str, epochs: int, seed: int, batch: int, lr: float, log) -> tuple[AlexNet32, dict]:
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    train_set, test_set = read_cifar(data, "train"), read_cifar(data, "test")
    x_train = torch.from_numpy(normalize(train_set.images).astype(np.float32))
    y_train = torch.from_numpy(train_set.labels.astype(np.int64))
    model = AlexNet32()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4, nesterov=True)
    steps = epochs * (len(x_train) // batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.15)
    start = time.time()
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(x_train))
        seen, loss_sum = 0, 0.0
        for i in range(len(x_train) // batch):
            idx = torch.from_numpy(order[i * batch:(i + 1) * batch])
            x = augment(x_train[idx], rng)
            if i % PENALTY_EVERY == 0:
                logits, excess = range_penalty(model, x)
                loss = F.cross_entropy(logits, y_train[idx]) + PENALTY * excess
            else:
                loss = F.cross_entropy(model(x), y_train[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            seen += len(idx)
            loss_sum += float(loss.detach()) * len(idx)
        accuracy = evaluate(model, test_set.images, test_set.labels)
        log(f"epoch {epoch + 1}/{epochs}: loss {loss_sum / seen:.4f}, test top-1 {accuracy:.4f}, "
            f"{time.time() - start:.0f} s")
    provenance = {
        "command": " ".join(["python -m golden.train", *sys.argv[1:]]),
        "seed": seed, "epochs": epochs, "batch": batch, "max_lr": lr,
        "range_penalty": f"{PENALTY} * mean(relu(|a| - {RANGE})^2) over layer outputs, every {PENALTY_EVERY}th batch",
        "data": "CIFAR-10 binary release (50000 train / 10000 test)",
        "test_top1": evaluate(model, test_set.images, test_set.labels),
        "seconds": round(time.time() - start),
        "torch": torch.__version__, "python": platform.python_version(),
        "normalization": "pixel/255 - MEAN / STD per channel (accel.cifar)",
    }
    return model, provenance


def save(model: AlexNet32, provenance: dict, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    np.savez(out, **state)
    out.with_suffix(".json").write_text(json.dumps(provenance, indent=2) + "\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Train the float CIFAR-10 AlexNet (32x32) on the CPU.")
    parser.add_argument("--data", required=True, help="cifar-10-binary.tar.gz or cifar-10-batches-bin/")
    parser.add_argument("--epochs", type=int, default=20, help="epochs (default 20, as the shipped weights)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    parser.add_argument("--batch", type=int, default=128, help="batch size (default 128)")
    parser.add_argument("--lr", type=float, default=0.03, help="peak learning rate (default 0.03, as the shipped weights)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--out", required=True, help="the weights .npz to write (a .json of provenance beside it); "
                        "accel/data/weights/alexnet32.npz replaces the shipped ones")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    model, provenance = train(args.data, args.epochs, args.seed, args.batch, args.lr,
                              log=lambda line: print(line, flush=True))
    save(model, provenance, Path(args.out))
    print(json.dumps(provenance, indent=2))


if __name__ == "__main__":
    main()
