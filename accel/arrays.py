"""Reading the arrays users give (``.npy`` images, ``.npz`` weights and golden data)
without trusting their headers.

``np.load`` with ``allow_pickle=False`` never runs code, but it believes the header: a
file of a few bytes may claim a terabyte-sized array, and numpy allocates it before it
finds the data missing. Here the header is read first and held against what the network
expects and against the bytes the file really has.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np


def _header(fh) -> tuple[tuple[int, ...], np.dtype]:
    version = np.lib.format.read_magic(fh)
    shape, _, dtype = (np.lib.format.read_array_header_1_0(fh) if version == (1, 0)
                       else np.lib.format.read_array_header_2_0(fh))
    return tuple(shape), dtype


def check_npz_headers(path: Path, expected: dict[str, tuple[int, ...]]) -> None:
    """Refuse, before allocating anything, an array of an ``.npz`` that the network does
    not expect in shape (``expected``: key → shape) or that is not numeric."""
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            with archive.open(info) as fh:
                shape, dtype = _header(fh)
            layer, _, field = key.rpartition(".")
            where = f"{path}: layer {layer!r} field {field!r}" if layer else f"{path}: array {key!r}"
            if dtype.kind not in "fiub":
                raise ValueError(f"{where}: dtype {dtype} is not numeric")
            if key in expected and shape != tuple(expected[key]):
                raise ValueError(f"{where}: shape {shape} does not match the network, which needs "
                                 f"{tuple(expected[key])}")
            if int(np.prod(shape, dtype=np.float64)) * dtype.itemsize > info.file_size:
                raise ValueError(f"{where}: the header claims {shape} {dtype}, more than the "
                                 f"{info.file_size:,} bytes stored (truncated or forged)")


def load_npy(path: str | Path, what: str = "array") -> np.ndarray:
    """A numeric ``.npy`` whose header agrees with the file's size."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            shape, dtype = _header(fh)
            data_bytes = path.stat().st_size - fh.tell()
        if dtype.kind not in "fiub":
            raise ValueError(f"dtype {dtype} is not numeric")
        if int(np.prod(shape, dtype=np.float64)) * dtype.itemsize > data_bytes:
            raise ValueError(f"the header claims {shape} {dtype}, more than the {data_bytes:,} bytes stored "
                             f"(truncated or forged)")
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise ValueError(f"{path}: {what} file not found") from None
    except (OSError, ValueError, EOFError) as err:
        raise ValueError(f"{path}: not a readable .npy {what} ({err})") from None
