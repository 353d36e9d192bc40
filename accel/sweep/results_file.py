"""The results file of a sweep: one JSON line per (point, image chunk), appended and
flushed as each finishes, so an interrupted sweep loses only the work in flight.

A line is ``{"key": POINT_KEY, "chunk": I, "point": {...}, "tally": {...}}``; the key
hashes the point with everything its result depends on (network, weights, images, chunk
size), so a rerun with the same inputs skips what is there and a changed input computes
afresh. A last line cut off mid-write (the process was killed) is dropped on reading.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .tally import RunTally


class ResultsFile:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.done: dict[tuple[str, int], RunTally] = {}
        if self.path.exists():
            self._read()

    def _read(self) -> None:
        text = self.path.read_text()
        lines = text.splitlines(keepends=True)
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                self.done[(record["key"], int(record["chunk"]))] = RunTally.from_dict(record["tally"])
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
                if number == len(lines):  # a record cut short by an interruption: drop it
                    self.path.write_text("".join(lines[:-1]))
                    continue
                raise ValueError(f"{self.path}: line {number} is not a sweep result ({err}); "
                                 f"give another --results file or remove this one") from None

    def has(self, key: str, chunk: int) -> bool:
        return (key, chunk) in self.done

    def add(self, key: str, chunk: int, point: dict, tally: RunTally) -> None:
        self.done[(key, chunk)] = tally
        line = json.dumps({"key": key, "chunk": chunk, "point": point, "tally": tally.as_dict()})
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
