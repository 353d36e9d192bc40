"""Reading YAML that a user hands us, with bounds: ``load(text, source)``.

``yaml.safe_load`` never runs code, but it still trusts the file in two ways this tool
must not:

- **size**: aliases let a 1 KB file describe a structure of billions of nodes (a
  "billion laughs" in a layer's ``order:``); building or printing it hangs the process.
  The file is capped in bytes, and the document's node graph is measured *as expanded*
  (every alias counted as a copy) before a single object is built;
- **duplicate keys**: YAML says keys are unique, PyYAML keeps the last one silently, so a
  second ``stride:`` in a layer would win without a word. Here it is an error naming the
  line.

    >>> load("a: 1\\nb: [1, 2]", "net.yaml")
    {'a': 1, 'b': [1, 2]}
    >>> load("a: 1\\na: 2", "net.yaml")
    Traceback (most recent call last):
    ...
    layers.config.config_error.ConfigError: net.yaml: line 2: duplicate key 'a' (YAML keeps only the last one)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .config_error import ConfigError

MAX_BYTES = 4 << 20  # a network file is a few kilobytes; weights never live in YAML
MAX_NODES = 200_000  # expanded nodes; the largest shipped file has a few hundred


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int):
        super().__init__(key, line)
        self.key, self.line = key, line


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys among a mapping's own (non-merged) keys."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, (str, int, float, bool)):
                    continue  # unhashable keys are refused by the constructor itself
                if key in seen:
                    raise _DuplicateKey(key, key_node.start_mark.line + 1)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)


def _expanded_nodes(root: yaml.Node, limit: int) -> int:
    """Nodes of the document with every alias expanded; stops counting past ``limit``."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        if depth > 200:
            raise ConfigError("nested more than 200 levels deep")
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = limit + 1  # a node that contains itself expands without end
        if isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        else:
            total = 1
        sizes[id(node)] = min(total, limit + 1)
        return sizes[id(node)]

    return size(root, 0)


def load(text: str, source: str, max_nodes: int = MAX_NODES) -> Any:
    """The document in ``text``; ``ConfigError`` naming ``source`` for anything refused."""
    if len(text) > MAX_BYTES:
        raise ConfigError(f"{source}: {len(text):,} bytes is more than a network or profile file can be "
                          f"({MAX_BYTES:,} at most)")
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            nodes = _expanded_nodes(node, max_nodes)
        except ConfigError as err:
            raise ConfigError(f"{source}: {err}") from None
        if nodes > max_nodes:
            raise ConfigError(f"{source}: the document expands to more than {max_nodes:,} values "
                              f"(aliases of aliases?); refusing to build it")
        return loader.construct_document(node)
    except _DuplicateKey as dup:
        raise ConfigError(f"{source}: line {dup.line}: duplicate key {dup.key!r} (YAML keeps only the last one)") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{source}: not valid YAML: {err}") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_file(path: str | Path, what: str = "file") -> Any:
    """``load`` of a file, with unreadable files reported by name (``what``: "network file")."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ConfigError(f"{path}: {path.stat().st_size:,} bytes is more than a network or profile file "
                              f"can be ({MAX_BYTES:,} at most)")
        text = path.read_text()
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the {what} ({err.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file (YAML expected)") from None
    return load(text, str(path))
