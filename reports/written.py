"""What a command that writes files prints: a line saying what was written from what, the
files, and what to do next — the same facts as JSON for machines.

    >>> doc = files_document("alexnet32 layer conv1 -> vectors/", {"input": "vectors/input.bin"},
    ...                      {"network": "alexnet32"}, next_steps=("build and run: g++ ...",))
    >>> print(render(doc, "json"), end="")
    {
      "network": "alexnet32",
      "files": {
        "input": "vectors/input.bin"
      },
      "next": [
        "build and run: g++ ..."
      ]
    }
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .document import Document, render
from .table import Table

__all__ = ["files_document", "render"]


def files_document(title: str, files: Mapping[str, object], data: Mapping, next_steps: Sequence[str] = ()) -> Document:
    """A document listing ``files`` (kind -> path) under ``title``; ``data`` and the files
    (and the next steps) are what ``--format json`` prints."""
    table = Table("Files written", ("kind", "path"), tuple((kind, str(path)) for kind, path in files.items()))
    plain = {**data, "files": {kind: str(path) for kind, path in files.items()}}
    if next_steps:
        plain["next"] = list(next_steps)
    return Document(title, (table,), plain, footer="\n".join(next_steps))
