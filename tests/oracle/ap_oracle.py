"""The oracle: small C++ programs compiled against the real Xilinx ``ap_types`` headers.

The headers ship inside the ``hls4ml`` wheel on PyPI (``hls4ml/templates/vivado/ap_types``)
and need no Vivado. They are found, in order, in ``$ACCEL_AP_TYPES``, in an installed
``hls4ml`` (the ``test`` extra installs it), or in a wheel this module downloads with pip
into the cache. Compiled programs are cached by a hash of their source, flags and
headers (``$ACCEL_ORACLE_CACHE``, default ``~/.cache/accel-oracle``).

A program is a list of case instantiations from ``harness.h``, e.g.
``from_double<ap_fixed<16,4,AP_RND,AP_SAT>>``; ``Program.run`` sends every request in one
process and decodes the raw results (with the output type the C++ compiler chose).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quant import FixedType

HLS4ML_VERSION = "1.3.0"
HARNESS = Path(__file__).with_name("harness.h")
CXXFLAGS = ["-std=c++14", "-O0", "-w"]
UNITS = 2  # translation units compiled in parallel (the machines have 2 cores)


def cache_dir() -> Path:
    path = Path(os.environ.get("ACCEL_ORACLE_CACHE", Path.home() / ".cache" / "accel-oracle"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def find_headers() -> Path:
    """The directory holding ``ap_fixed.h``, downloading the hls4ml wheel if need be."""
    env = os.environ.get("ACCEL_AP_TYPES")
    if env:
        path = Path(env)
        if not (path / "ap_fixed.h").is_file():
            raise FileNotFoundError(f"ACCEL_AP_TYPES={env} has no ap_fixed.h")
        return path
    spec = importlib.util.find_spec("hls4ml")
    if spec is not None and spec.origin:
        path = Path(spec.origin).parent / "templates" / "vivado" / "ap_types"
        if (path / "ap_fixed.h").is_file():
            return path
    return _headers_from_wheel()


def _headers_from_wheel() -> Path:
    target = cache_dir() / f"hls4ml-{HLS4ML_VERSION}" / "ap_types"
    if (target / "ap_fixed.h").is_file():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             f"hls4ml=={HLS4ML_VERSION}", "-d", tmp],
            check=True,
        )
        wheel = next(Path(tmp).glob("hls4ml-*.whl"))
        prefix = "hls4ml/templates/vivado/ap_types/"
        with zipfile.ZipFile(wheel) as zf:
            for name in zf.namelist():
                if name.startswith(prefix) and not name.endswith("/"):
                    dest = target / name[len(prefix):]
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(zf.read(name))
    return target


def cpp_type(t: FixedType) -> str:
    return t.cpp()


@dataclass(frozen=True)
class Result:
    type: FixedType  # the type the C++ side produced (modes are not reported)
    raw: np.ndarray


class Program:
    """A compiled program serving a fixed list of case instantiations."""

    def __init__(self, cases: list[str]):
        self.cases = list(cases)
        self.index = {c: i for i, c in enumerate(self.cases)}
        self.binary = _compile(self.cases)

    def run(self, requests: list[tuple[str, int, np.ndarray]]) -> list[Result]:
        """Each request: (case, element count, input words as uint64). One process."""
        chunks = []
        for case, n, words in requests:
            chunks.append(np.array([self.index[case], n], dtype=np.uint64))
            chunks.append(np.asarray(words, dtype=np.uint64).reshape(-1))
        payload = np.concatenate(chunks).tobytes() if chunks else b""
        done = subprocess.run([str(self.binary)], input=payload, capture_output=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"oracle failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
        out = np.frombuffer(done.stdout, dtype=np.uint64)
        results, pos = [], 0
        for _, n, _ in requests:
            width, integer, signed = int(out[pos]), int(out[pos + 1].view(np.int64)), bool(out[pos + 2])
            pos += 3
            t = FixedType(width, integer, signed)
            words = (width + 63) // 64
            block = out[pos:pos + n * words].reshape(n, words)
            pos += n * words
            results.append(Result(t, decode(block, t)))
        return results


def decode(words: np.ndarray, t: FixedType) -> np.ndarray:
    """Raw values of ``t`` from rows of little-endian 64-bit words."""
    if words.shape[1] == 1 and t.is_native:
        shift = 64 - t.width
        as_signed = words[:, 0].view(np.int64)
        if t.signed:
            return (as_signed << shift) >> shift if shift else as_signed.copy()
        return as_signed & ((1 << t.width) - 1)
    values = []
    for row in words.tolist():
        v = sum(int(w) << (64 * i) for i, w in enumerate(row))
        if t.signed and v >> (t.width - 1):
            v -= 1 << t.width
        values.append(v)
    return np.array(values, dtype=t.raw_dtype)


def encode(raw, t: FixedType) -> np.ndarray:
    """Rows of little-endian 64-bit words for raw values of ``t`` (two's complement)."""
    words = (t.width + 63) // 64
    arr = np.asarray(raw)
    if words == 1 and arr.dtype != object:
        return arr.astype(np.int64).view(np.uint64).reshape(-1, 1)
    mask = (1 << 64) - 1
    rows = [[(int(v) >> (64 * i)) & mask for i in range(words)] for v in arr.reshape(-1).tolist()]
    return np.array(rows, dtype=np.uint64).reshape(-1, words)


def _compile(cases: list[str]) -> Path:
    headers = find_headers()
    units = [range(i, len(cases), UNITS) for i in range(UNITS)]
    sources = [_unit_source(cases, unit) for unit in units] + [_main_source(len(cases))]
    digest = hashlib.sha256()
    for part in [*sources, HARNESS.read_text(), (headers / "ap_fixed_base.h").read_text(), " ".join(CXXFLAGS)]:
        digest.update(part.encode())
    binary = cache_dir() / f"oracle-{digest.hexdigest()[:20]}"
    if binary.exists():
        return binary
    compiler = shutil.which("g++") or shutil.which("c++")
    if compiler is None:
        raise RuntimeError("the ap_fixed oracle needs g++ (apt-get install g++)")
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, src in enumerate(sources):
            path = Path(tmp) / f"unit{i}.cpp"
            path.write_text(src)
            paths.append(path)
        include = ["-I", str(headers), "-I", str(HARNESS.parent)]

        def build(path: Path) -> Path:
            obj = path.with_suffix(".o")
            subprocess.run([compiler, *CXXFLAGS, *include, "-c", str(path), "-o", str(obj)], check=True)
            return obj

        with ThreadPoolExecutor(UNITS) as pool:
            objects = list(pool.map(build, paths))
        staged = Path(tmp) / "oracle"
        subprocess.run([compiler, *map(str, objects), "-o", str(staged)], check=True)
        shutil.move(str(staged), binary)  # atomic enough: same cache file name for same input
    return binary


def _unit_source(cases: list[str], unit: range) -> str:
    lines = ['#include "harness.h"']
    for i in unit:
        lines.append(f"void case_{i}(const uint64_t*& in, long n, Words& out) {{ {cases[i]}(in, n, out); }}")
    return "\n".join(lines) + "\n"


def _main_source(count: int) -> str:
    names = [f"case_{i}" for i in range(count)]
    lines = ['#include "harness.h"']
    lines += [f"void {name}(const uint64_t*& in, long n, Words& out);" for name in names]
    lines.append(f"static const CaseFn CASES[] = {{{', '.join(names)}}};")
    lines.append(f"int main() {{ return serve(CASES, {count}); }}")
    return "\n".join(lines) + "\n"
