"""CIFAR-10 in its official binary release, and the preprocessing the networks expect.

The binary release (``cifar-10-binary.tar.gz`` or the extracted ``cifar-10-batches-bin/``)
holds records of 3073 bytes: one label byte, then 1024 red, 1024 green and 1024 blue
pixel bytes, each plane row-major 32×32. ``read_cifar`` reads either form straight from
the archive (no extraction), checks every file's size, and returns uint8 images
(N, 3, 32, 32) and labels (N,).

The python release (``cifar-10-python.tar.gz`` / ``cifar-10-batches-py/``) is never read:
its batches are *pickle* files, and unpickling runs whatever code a file holds. A path
that holds it gets an error that names the binary release instead.

alexnet32 takes normalized images: ``(pixel / 255 - MEAN) / STD`` per channel, the
usual CIFAR-10 statistics; ``normalize`` applies it (the accelerator's input type sees
values within about ±2.5). Every network states its own in its file
(``accel.preprocess``), and the commands use that. ``load_sample`` returns the embedded sample the default run
uses: 500 test images, 50 per class, shipped with the package.
"""

from __future__ import annotations

import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from .preprocess import CIFAR10

IMAGE_SHAPE = (3, 32, 32)  # channels first
RECORD = 1 + 3 * 32 * 32  # a label byte, then the pixels
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILES = ("test_batch.bin",)
CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
MEAN, STD = np.array(CIFAR10.mean), np.array(CIFAR10.std)
Split = Literal["train", "test"]


@dataclass(frozen=True)
class Cifar:
    images: np.ndarray  # uint8 (N, 3, 32, 32)
    labels: np.ndarray  # uint8 (N,)
    classes: tuple[str, ...] = CLASSES
    source: str = ""

    def __len__(self) -> int:
        return len(self.labels)


def read_cifar(path: str | Path, split: Split = "test") -> Cifar:
    """Read a split of the binary release from a ``.tar.gz`` or an extracted folder."""
    path = Path(path)
    names = TEST_FILES if split == "test" else TRAIN_FILES
    if split not in ("train", "test"):
        raise ValueError(f"split {split!r} must be 'train' or 'test'")
    if path.is_dir():
        folder = path / "cifar-10-batches-bin" if (path / "cifar-10-batches-bin").is_dir() else path
        if not (folder / names[0]).exists() and _holds_python_release(path):
            raise ValueError(_python_release_error(path))
        chunks = [_records(_read_file(folder / name), f"{folder / name}") for name in names]
        classes = _classes((folder / "batches.meta.txt").read_text() if (folder / "batches.meta.txt").exists() else None)
    elif path.is_file():
        chunks, classes = _from_archive(path, names)
    else:
        raise ValueError(f"{path}: no CIFAR-10 binary release here (expected cifar-10-binary.tar.gz "
                         f"or a cifar-10-batches-bin/ folder)")
    records = np.concatenate(chunks)
    images = records[:, 1:].reshape(-1, *IMAGE_SHAPE)
    labels = records[:, 0]
    if labels.max(initial=0) >= len(CLASSES):
        raise ValueError(f"{path}: label {int(labels.max())} out of range 0..9: not a CIFAR-10 binary file")
    return Cifar(np.ascontiguousarray(images), labels.copy(), classes, str(path))


def load_sample() -> Cifar:
    """The embedded, class-balanced sample of 500 CIFAR-10 test images (50 per class)."""
    from importlib import resources

    with resources.files("accel").joinpath("data/cifar10_sample.npz").open("rb") as fh:
        with np.load(fh, allow_pickle=False) as npz:
            return Cifar(npz["images"], npz["labels"], CLASSES, "embedded sample (500 CIFAR-10 test images)")


PY_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
PY_TEST = ("test_batch",)


def _holds_python_release(folder: Path) -> bool:
    return (folder / "cifar-10-batches-py").is_dir() or any((folder / n).exists() for n in PY_TEST + PY_TRAIN)


def _python_release_error(path: Path) -> str:
    return (f"{path}: this is CIFAR-10's python release, whose batches are pickle files; reading a pickle "
            f"runs any code it holds, so accel never does. Use the binary release (cifar-10-binary.tar.gz "
            f"from https://www.cs.toronto.edu/~kriz/cifar.html) instead")


def normalize(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 3, H, W) pixels → float64 inputs with the CIFAR-10 statistics (alexnet32's
    ``preprocess``; another network's are its own: ``Network.input_from_pixels``)."""
    return CIFAR10(images)


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as err:
        raise ValueError(f"{path}: cannot read ({err.strerror})") from None


def _records(data: bytes, where: str) -> np.ndarray:
    if len(data) % RECORD or not data:
        raise ValueError(f"{where}: {len(data)} bytes is not a whole number of {RECORD}-byte CIFAR-10 "
                         f"records (truncated or not a CIFAR-10 binary batch)")
    return np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD)


def _from_archive(path: Path, names: tuple[str, ...]) -> tuple[list[np.ndarray], tuple[str, ...]]:
    """One pass over the archive as a stream: a gzip file cannot seek back without
    decompressing from its start again (listing the members first and then extracting
    them read the 160 MB archive twice: 2.1 s of a 10,000-image run's reading)."""
    wanted = set(names) | {"batches.meta.txt"}
    found, seen = {}, set()
    try:
        with tarfile.open(path, "r|*") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                name = Path(member.name).name
                seen.add(name)
                if name in wanted and name not in found:
                    found[name] = tar.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError) as err:
        raise ValueError(f"{path}: not a readable CIFAR-10 archive ({err})") from None
    missing = [n for n in names if n not in found]
    if missing and any(n in seen for n in PY_TEST + PY_TRAIN):
        raise ValueError(_python_release_error(path))
    if missing:
        raise ValueError(f"{path}: the archive has no {missing} (is it the *binary* release?)")
    meta = found.get("batches.meta.txt")
    return [_records(found[n], f"{path}:{n}") for n in names], _classes(meta.decode() if meta else None)


def _classes(text: str | None) -> tuple[str, ...]:
    if not text:
        return CLASSES
    names = tuple(line.strip() for line in text.splitlines() if line.strip())
    return names if len(names) == len(CLASSES) else CLASSES
