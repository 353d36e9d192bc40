"""CIFAR-10 binary release reader, on files written here in the official layout."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from accel.cifar import CLASSES, MEAN, RECORD, STD, normalize, read_cifar


def records(labels, rng) -> tuple[bytes, np.ndarray]:
    images = rng.integers(0, 256, (len(labels), 3, 32, 32), dtype=np.uint8)
    data = b"".join(bytes([label]) + img.tobytes() for label, img in zip(labels, images))
    return data, images


def write_release(tmp_path, rng, archive: bool):
    files = {}
    expected = {}
    for name in ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                 "data_batch_5.bin", "test_batch.bin"]:
        labels = rng.integers(0, 10, 7)
        files[name], images = records(labels, rng)
        expected[name] = (images, labels)
    files["batches.meta.txt"] = ("\n".join(CLASSES) + "\n").encode()
    if archive:
        path = tmp_path / "cifar-10-binary.tar.gz"
        with tarfile.open(path, "w:gz") as tar:
            for name, data in files.items():
                info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return path, expected
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return tmp_path, expected


@pytest.mark.parametrize("archive", [True, False])
def test_reads_both_splits_from_archive_or_folder(tmp_path, rng, archive) -> None:
    path, expected = write_release(tmp_path, rng, archive)
    test = read_cifar(path, "test")
    images, labels = expected["test_batch.bin"]
    assert test.images.shape == (7, 3, 32, 32) and test.images.dtype == np.uint8
    assert np.array_equal(test.images, images) and np.array_equal(test.labels, labels)
    assert test.images[2, 1, 5, 7] == images[2, 1, 5, 7]  # red, green, blue planes, row-major
    train = read_cifar(path, "train")
    assert len(train) == 35
    assert np.array_equal(train.images[7:14], expected["data_batch_2.bin"][0])
    assert test.classes == CLASSES


def test_truncated_and_foreign_files_are_refused(tmp_path, rng) -> None:
    path, _ = write_release(tmp_path, rng, archive=False)
    batch = path / "cifar-10-batches-bin" / "test_batch.bin"
    batch.write_bytes(batch.read_bytes()[:-5])
    with pytest.raises(ValueError, match=f"test_batch.bin: {7 * RECORD - 5} bytes is not a whole number"):
        read_cifar(path, "test")
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="junk.tar.gz: not a readable CIFAR-10 archive"):
        read_cifar(junk)
    with pytest.raises(ValueError, match="no CIFAR-10 binary release here"):
        read_cifar(tmp_path / "nowhere")


def test_normalize() -> None:
    pixels = np.full((1, 3, 2, 2), 255, dtype=np.uint8)
    assert np.allclose(normalize(pixels)[0, :, 0, 0], (1 - MEAN) / STD)


class _Payload:
    """Unpickling this runs ``os.system`` — what a hostile "CIFAR-10" download could do."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def _malicious_releases(tmp_path: Path) -> list[Path]:
    """The python release's layouts — a folder, a bare batch folder, a .tar.gz — each
    holding a pickle that would create ``marker`` if it were ever loaded."""
    import io
    import pickle
    import tarfile

    blob = pickle.dumps({b"data": _Payload(tmp_path / "marker"), b"labels": [0]})
    folder = tmp_path / "release"
    (folder / "cifar-10-batches-py").mkdir(parents=True)
    bare = tmp_path / "bare"
    bare.mkdir()
    for where in (folder / "cifar-10-batches-py", bare):
        for name in ("test_batch", "data_batch_1"):
            (where / name).write_bytes(blob)
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("cifar-10-batches-py/test_batch")
        info.size = len(blob)
        tar.addfile(info, io.BytesIO(blob))
    return [folder, bare, archive]


def test_pickled_releases_are_refused_and_never_unpickled(tmp_path, capsys) -> None:
    from accel.cli import main

    marker = tmp_path / "marker"
    for path in _malicious_releases(tmp_path):
        with pytest.raises(ValueError, match="python release, whose batches are pickle files.*binary release"):
            read_cifar(path, "test")
        assert main(["run", "--cifar", str(path)]) == 2
        assert main(["sweep", "--cifar", str(path), "--width", "8", "--int", "3", "--images", "10",
                     "--results", str(tmp_path / "r.jsonl")]) == 2
        assert "pickle" in capsys.readouterr().err
    assert not marker.exists()
    # the same payload does run when unpickled: the test above could have failed
    import pickle

    pickle.loads((tmp_path / "bare" / "test_batch").read_bytes())
    assert marker.exists()
