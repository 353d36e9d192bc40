"""The firmware folder of a project hls4ml wrote, parsed: the layer calls of the top
function, the typedefs, the config structs, the weight files, and the project's part and
clock. Only text is read: integer expressions (``6*6*4``) are evaluated by walking their
syntax tree, never as code; ``hls4ml_config.yml`` (which embeds the pickled model) is not read.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from layers.hw import find_device
from quant import FixedType

CALL = re.compile(r"nnet::(\w+)<([^;]*?)>\(([^;]*?)\);\s*//\s*(\S+)")
STRUCT = re.compile(r"struct\s+(\w+)\s*(?::\s*[\w:]+\s*)?\{(.*?)\n\};", re.S)
MEMBER = re.compile(r"static\s+(?:const|constexpr)\s+[\w:<>* ]+?\s(\w+)\s*=\s*([^;]+);")
TYPEDEF = re.compile(r"typedef\s+(.+?)\s+(\w+)\s*;")
ARRAY = re.compile(r"unsigned\s+(\w+)\[\d+\]\s*=\s*\{([^}]*)\};")
DEFINITION = re.compile(r"const\s+(\w+)\s+(\w+)::(\w+)\s*=\s*([^;]+);")  # hard activations' slope, shift
WEIGHTS = re.compile(r"load_weights_from_txt<[^,]+,\s*(\d+)>\((\w+),\s*\"([\w.]+)\"\)")


@dataclass(frozen=True)
class Firmware:
    """The parsed files of one project's ``firmware/`` folder."""

    folder: Path
    calls: list[tuple[str, list[str], list[str], str]]  # function, template args, arguments, comment
    typedefs: dict[str, str]
    configs: dict[str, dict[str, str]]  # struct -> member (value or typedef'd type) -> text
    arrays: dict[str, list[int]]
    weight_files: dict[str, tuple[str, int]]  # variable -> (file name, size)
    io_type: str  # io_stream (hls::stream arguments) or io_parallel

    def type(self, name: str, where: str) -> FixedType:
        """A typedef'd name resolved to its fixed-point type (``nnet::array`` element types too)."""
        text, seen = name.strip(), set()
        while text in self.typedefs and text not in seen:
            seen.add(text)
            text = self.typedefs[text]
        array = re.fullmatch(r"nnet::array<(.+),\s*[\d*]+>", text)
        if array:
            text = array.group(1)
        if text in self.typedefs:
            return self.type(text, where)
        try:
            return FixedType.parse(text.replace(" ", ""))
        except ValueError as err:
            raise ValueError(f"{self.folder}: {where}: type {name!r} is {text!r}: {err}") from None

    def config(self, struct: str, where: str) -> "Config":
        if struct not in self.configs:
            raise ValueError(f"{self.folder}/parameters.h: {where}: no struct {struct!r}")
        return Config(self, struct, where)

    def weights(self, variable: str, where: str) -> np.ndarray:
        if variable not in self.weight_files:
            raise ValueError(f"{self.folder}: {where}: no load_weights_from_txt for {variable!r}")
        name, size = self.weight_files[variable]
        path = self.folder / "weights" / name
        if not path.is_file():
            raise ValueError(f"{path}: missing (written with WriteWeightsTxt: False?)")
        values = np.array(path.read_text().strip().split(","), dtype=np.float64)  # text -> double, as C++ reads it
        if values.size != size:
            raise ValueError(f"{path}: {values.size} values, {size} expected")
        return values


@dataclass(frozen=True)
class Config:
    """One layer's ``struct config`` in ``parameters.h``."""

    firmware: Firmware
    struct: str
    where: str

    def int(self, key: str, default: int | None = None) -> int:
        text = self.firmware.configs[self.struct].get(key)
        if text is None:
            if default is None:
                raise ValueError(f"{self.firmware.folder}/parameters.h: {self.where}: {self.struct} has no {key!r}")
            return default
        return integer(text, f"{self.firmware.folder}/parameters.h: {self.where}: {key}")

    def text(self, key: str, default: str = "") -> str:
        return self.firmware.configs[self.struct].get(key, default).split("::")[-1].strip()

    def type(self, key: str) -> FixedType:
        if key not in self.firmware.configs[self.struct]:
            raise ValueError(f"{self.firmware.folder}/parameters.h: {self.where}: {self.struct} has no {key!r}")
        return self.firmware.type(self.firmware.configs[self.struct][key], f"{self.where}: {key}")


def read_firmware(project: str | Path) -> Firmware:
    """Parse ``project/firmware``; the top function is the ``.cpp`` with the layer calls."""
    folder = Path(project) / "firmware"
    if not folder.is_dir():
        raise ValueError(f"{project}: not an hls4ml project (no firmware/ folder; write it with hls_model.write())")
    tops = [p for p in sorted(folder.glob("*.cpp")) if "hls-fpga-machine-learning insert layers" in p.read_text()]
    if len(tops) != 1:
        raise ValueError(f"{folder}: expected one top-level .cpp with hls4ml's layer calls, found {[p.name for p in tops]}")
    for name in ("defines.h", "parameters.h"):
        if not (folder / name).is_file():
            raise ValueError(f"{folder}: no {name}")
    source = tops[0].read_text()
    parameters = (folder / "parameters.h").read_text()
    calls = [(m.group(1), split(m.group(2)), split(m.group(3)), m.group(4)) for m in CALL.finditer(source)]
    configs = {}
    for struct in STRUCT.finditer(parameters):
        body = struct.group(2)
        members = {m.group(1): m.group(2).strip() for m in MEMBER.finditer(body)}
        members.update({m.group(2): m.group(1).strip() for m in TYPEDEF.finditer(body)})
        configs[struct.group(1)] = members
    for m in DEFINITION.finditer(parameters):  # const slope4_t hard_sigmoid_config4::slope = 0.2;
        if m.group(2) in configs:
            configs[m.group(2)].update({m.group(3): m.group(4).strip(), f"{m.group(3)}_t": m.group(1)})
    typedefs = {m.group(2): m.group(1).strip() for m in TYPEDEF.finditer((folder / "defines.h").read_text())}
    arrays = {m.group(1): [int(v) for v in m.group(2).split(",")] for m in ARRAY.finditer(parameters)}
    weight_files = {m.group(2): (m.group(3), int(m.group(1))) for m in WEIGHTS.finditer(source)}
    if not calls:
        raise ValueError(f"{tops[0]}: no nnet:: layer calls found")
    io_type = "io_stream" if "hls::stream<" in source.split("{", 1)[0] else "io_parallel"
    return Firmware(folder, calls, typedefs, configs, arrays, weight_files, io_type)


def project_target(tcl: Path) -> dict:
    """hls4ml's part and clock from the project's ``project.tcl`` (``set part "..."``,
    ``set clock_period 5``), kept when the estimator knows the part (said otherwise)."""
    if not tcl.is_file():
        return {}
    text = tcl.read_text()
    part = re.search(r'set part "([\w.-]+)"', text)
    clock = re.search(r"set clock_period ([\d.]+)", text)
    target = {"clock_ns": float(clock.group(1))} if clock else {}
    if part:
        try:
            find_device(part.group(1))
            target["part"] = part.group(1)
        except ValueError:
            warnings.warn(f"{tcl}: part {part.group(1)} is not among the estimator's devices: give accel report "
                          f"--board", stacklevel=2)
    return target


def split(text: str) -> list[str]:
    """Comma-separated arguments, commas inside ``<...>`` kept."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"<": 1, ">": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [part for part in [*parts, current.strip()] if part]


def integer(text: str, where: str) -> int:
    """``6*6*4`` and the like: integer arithmetic only (never evaluated as code)."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ValueError(f"{where}: {text!r} is not an integer expression") from None
    def value(node) -> int:
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -value(node.operand)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add, ast.Sub)):
            left, right = value(node.left), value(node.right)
            return left * right if isinstance(node.op, ast.Mult) else left + right if isinstance(node.op, ast.Add) else left - right
        raise ValueError(f"{where}: {text!r} is not an integer expression")
    return value(tree.body)
