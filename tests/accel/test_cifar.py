"""CIFAR-10 binary release reader, on files written here in the official layout."""

from __future__ import annotations

import io
import tarfile

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


def test_python_release_from_a_given_path(tmp_path, rng) -> None:
    import pickle

    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    expected = {}
    for name in ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"]:
        images = rng.integers(0, 256, (4, 3072), dtype=np.uint8)
        labels = rng.integers(0, 10, 4).tolist()
        (folder / name).write_bytes(pickle.dumps({b"data": images, b"labels": labels}))
        expected[name] = (images, labels)
    test = read_cifar(tmp_path, "test")
    assert np.array_equal(test.images.reshape(4, 3072), expected["test_batch"][0])
    assert test.labels.tolist() == expected["test_batch"][1]
    assert len(read_cifar(tmp_path, "train")) == 20
    (folder / "test_batch").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="not a readable CIFAR-10 python release"):
        read_cifar(tmp_path, "test")
