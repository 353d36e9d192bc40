"""The dependency rules of ARCHITECTURE.md, read from the source: a rule that is not
checked is a rule that erodes.

- packages depend downwards only: ``quant`` ← ``layers`` ← ``accel`` → ``reports`` (reports
  may read ``layers``' key lists and ``quant``, never ``accel``; ``golden`` sits on top);
- no import cycle between modules, counting every import: at module level, in functions and
  under ``if TYPE_CHECKING:`` (an annotation that points back is still a loop a reader follows);
- ``layers/`` is its layer kinds, one module each at the top, and machinery in wings
  (``core``, ``kernels``, ``cpp``, ``config``, ``hw``) that never import a kind;
- no file of ours over 300 lines (tests and benchmarks included);
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


def imports_of(name: str, annotations: bool = False) -> set[str]:
    """The modules of ours that ``name`` imports at run time (module level or in functions),
    and with ``annotations`` those under ``if TYPE_CHECKING:`` too."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node) and not annotations:
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
EVERY_IMPORT = {name: imports_of(name, annotations=True) for name in MODULES}


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
        for nxt in sorted(EVERY_IMPORT[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = 2

    for name in sorted(EVERY_IMPORT):
        if name not in state:
            walk(name)


WINGS = ("core", "kernels", "cpp", "config", "hw")


def test_layers_top_level_is_layer_kinds() -> None:
    """Every module directly in ``layers/`` defines a layer kind and registers its builder;
    everything else lives in a wing."""
    top = {p.stem for p in (ROOT / "layers").glob("*.py")} - {"__init__"}
    assert {"conv", "dense", "lrn", "maxpool"} <= top
    kinds = {cls.__module__.rpartition(".")[2] for cls in layers.Layer.__subclasses__()}
    kinds |= {sub.__module__.rpartition(".")[2] for cls in layers.Layer.__subclasses__() for sub in cls.__subclasses__()}
    registered = {kind.build.__module__.rpartition(".")[2] for kind in layers.kinds().values()}
    assert top <= kinds & registered, f"not layer kinds, move them into a wing: {sorted(top - (kinds & registered))}"
    folders = {p.name for p in (ROOT / "layers").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(WINGS), f"layers/ wings: {sorted(folders)}; ARCHITECTURE.md lists {WINGS}"


def test_wings_never_import_a_kind() -> None:
    kinds = {f"layers.{p.stem}" for p in (ROOT / "layers").glob("*.py")} - {"layers.__init__"}
    for name in MODULES:
        if name.split(".")[:2] in (["layers", wing] for wing in WINGS):
            wrong = sorted((EVERY_IMPORT[name] & kinds) | ({"layers"} & EVERY_IMPORT[name]))
            assert not wrong, f"{name} (machinery) imports the layer kind(s) {wrong}"


LINE_LIMIT = 300


def test_no_file_over_the_line_limit() -> None:
    files = [p for folder in (*PACKAGES, "tests", "bench") for p in (ROOT / folder).rglob("*.py")]
    assert len(files) > 100
    long = {str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text().splitlines())) > LINE_LIMIT}
    assert not long, f"files over {LINE_LIMIT} lines (split them by concept): {long}"


def test_no_command_imports_another() -> None:
    helpers = ("accel.cli.common", "accel.cli.common_data", "accel.cli.__main__")  # shared by commands, not commands
    commands = {m for m in MODULES if m.startswith("accel.cli.") and m not in helpers}
    assert {"accel.cli.run", "accel.cli.sweep", "accel.cli.quant"} <= commands
    for name in commands:
        others = GRAPH[name] & (commands | {"accel.cli"})
        assert not others, f"{name} imports {sorted(others)}: shared code belongs in accel.cli.common(_data)"


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
    assert "quant.convert" in GRAPH["quant.fixed_type"] and "quant.raw_format" in GRAPH["quant.convert"]
    assert "layers.hw" in EVERY_IMPORT["layers.core.base"]  # annotations are seen too
    assert "layers.hw" not in GRAPH["layers.core.base"]  # ...and told apart
    assert "accel.cli.common" in GRAPH["accel.cli.run"] and "layers.config.registry" in GRAPH["accel.config"]
    assert "accel.sweep.grid" in GRAPH["accel.sweep.plan"] and "accel.memory" in GRAPH["accel.cli"]
