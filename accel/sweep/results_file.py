"""The results file of a sweep: one JSON line per (point, image chunk), appended and
flushed as each finishes, so an interrupted sweep loses only the work in flight.

A line is ``{"key": POINT_KEY, "chunk": I, "point": {...}, "tally": {...}, "sha256": ...}``;
the key hashes the point with everything its result depends on (network, weights,
images, chunk size), so a rerun with the same inputs skips what is there and a changed
input computes afresh. The checksum covers the rest of the record: an edited line is
refused, not trusted. A last line cut off mid-write (the process was killed) is dropped
on reading. While a sweep writes the file it holds an exclusive lock on it, so a second
sweep on the same file refuses at once instead of duplicating the work.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from pathlib import Path

from .tally import RunTally


def _checksum(record: dict) -> str:
    body = {k: v for k, v in record.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


class ResultsFile:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.done: dict[tuple[str, int], RunTally] = {}
        self._lock = None
        if self.path.is_symlink() or self.path.is_dir():
            raise ValueError(f"{self.path}: the results file must be a plain file, not a link or a folder")
        if self.path.exists():
            self._read()

    def __enter__(self) -> "ResultsFile":
        """Take the file for this sweep (exclusive, non-blocking)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = self.path.with_name(self.path.name + ".lock").open("a")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise ValueError(f"{self.path}: another sweep is writing this results file; wait for it to finish "
                             f"(a rerun then reuses its results) or give another --results file") from None
        if self.path.exists():  # what the other sweep wrote before it let go
            self.done.clear()
            self._read()
        return self

    def __exit__(self, *exc) -> None:
        if self._lock is not None:  # the lock file goes while still held: no sweep leaves one behind
            self.path.with_name(self.path.name + ".lock").unlink(missing_ok=True)
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def _read(self) -> None:
        try:
            text = self.path.read_text()
        except UnicodeDecodeError:
            raise ValueError(f"{self.path}: not a sweep results file (binary data); give another --results "
                             f"file or remove this one") from None
        except OSError as err:
            raise ValueError(f"{self.path}: cannot read the results file ({err.strerror})") from None
        lines = text.splitlines(keepends=True)
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if record.get("sha256") != _checksum(record):
                    raise ValueError("its checksum does not match: the line was edited or damaged")
                self.done[(record["key"], int(record["chunk"]))] = RunTally.from_dict(record["tally"])
            except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as err:
                if number == len(lines):  # a record cut short by an interruption: drop it
                    self.path.write_text("".join(lines[:-1]))
                    continue
                raise ValueError(f"{self.path}: line {number} is not a sweep result ({err}); "
                                 f"give another --results file or remove this one") from None

    def has(self, key: str, chunk: int) -> bool:
        return (key, chunk) in self.done

    def add(self, key: str, chunk: int, point: dict, tally: RunTally) -> None:
        self.done[(key, chunk)] = tally
        record = {"key": key, "chunk": chunk, "point": point, "tally": tally.as_dict()}
        line = json.dumps({**record, "sha256": _checksum(record)})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())  # on disk before the next task's result is taken

    def tally(self, key: str, chunks: int) -> RunTally | None:
        """The merged tally of a point, once all its chunks are in."""
        parts = [self.done.get((key, c)) for c in range(chunks)]
        if any(p is None for p in parts):
            return None
        total = parts[0]
        for part in parts[1:]:
            total = total.merged(part)
        return total
