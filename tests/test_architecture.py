"""The dependency rules of ARCHITECTURE.md, read from the source: a rule that is not
checked is a rule that erodes.

- packages depend downwards only: ``quant`` ← ``layers`` ← ``accel`` → ``reports`` (reports
  may read ``layers``' key lists and ``quant``, never ``accel``; ``golden`` sits on top);
- no import cycle between modules (imports inside functions count; imports under
  ``if TYPE_CHECKING:`` are annotations, not dependencies, and do not);
- no command module of ``accel/cli`` imports another (they share ``accel/cli/common``);
- ``accel/`` never switches on layer classes: a layer kind owns its behaviour.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import layers

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("quant", "layers", "reports", "accel", "golden")
ALLOWED = {  # package -> the packages of ours it may import
    "quant": {"quant"},
    "layers": {"layers", "quant"},
    "reports": {"reports", "layers", "quant"},
    "accel": {"accel", "reports", "layers", "quant"},
    "golden": {"golden", "accel", "layers", "quant"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(name: str) -> set[str]:
    """The modules of ours that ``name`` imports at run time (module level or in functions)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(), str(path)))
    return {m for m in found if m.split(".")[0] in PACKAGES and m in MODULES}


GRAPH = {name: imports_of(name) for name in MODULES}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_packages_depend_downwards_only(name) -> None:
    package = name.split(".")[0]
    wrong = sorted(m for m in GRAPH[name] if m.split(".")[0] not in ALLOWED[package])
    assert not wrong, f"{name} imports {wrong}; {package} may import only {sorted(ALLOWED[package])}"


def test_no_import_cycles() -> None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            walk(name)


def test_no_command_imports_another() -> None:
    commands = {m for m in MODULES if m.startswith("accel.cli.") and m not in ("accel.cli.common", "accel.cli.__main__")}
    assert {"accel.cli.run", "accel.cli.sweep", "accel.cli.quant"} <= commands
    for name in commands:
        others = GRAPH[name] & (commands | {"accel.cli"})
        assert not others, f"{name} imports {sorted(others)}: shared code belongs in accel.cli.common"


def test_accel_never_switches_on_layer_classes() -> None:
    kinds = {name for name in dir(layers) if isinstance(getattr(layers, name), type)
             and issubclass(getattr(layers, name), layers.Layer)}
    assert {"Conv", "Dense", "LRN", "MaxPool", "ReLU", "Flatten"} <= kinds
    offenders = []
    for name, path in MODULES.items():
        if not name.startswith("accel"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance" and len(node.args) == 2:
                classes = node.args[1].elts if isinstance(node.args[1], ast.Tuple) else [node.args[1]]
                # a bare name, or one of ``layers`` (not, say, ``ast.Add``: another module's class)
                named = {c.id if isinstance(c, ast.Name) else c.attr for c in classes
                         if isinstance(c, ast.Name) or (isinstance(c, ast.Attribute)
                                                        and getattr(c.value, "id", "") == "layers")}
                if named & kinds:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"isinstance on layer kinds in accel/: {offenders}"


def test_the_checker_sees_imports() -> None:
    """The rules above would pass vacuously if imports were not found."""
    assert "quant.fixed_type" in GRAPH["quant.convert"] or "quant.convert" in GRAPH["quant.fixed_type"]
    assert "quant.fixed_type" not in GRAPH["quant.convert"]  # under TYPE_CHECKING only
    assert "accel.cli.common" in GRAPH["accel.cli.run"] and "layers.config.registry" in GRAPH["accel.config"]
    assert "accel.sweep.grid" in GRAPH["accel.sweep.plan"] and "accel.memory" in GRAPH["accel.cli"]
