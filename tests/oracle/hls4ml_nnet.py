"""hls4ml's own C++ (``nnet_utils`` from the installed wheel) as an oracle: a program of
case functions calling it, compiled with g++ and the real ``ap_types``, fed raws on stdin.

Each case function ``caseK()`` reads its inputs with ``scanf("%lld")`` into ``x.range()``
(the raw's low W bits) and prints its outputs with ``to_string(10)``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from .ap_oracle import find_headers

needs_gxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed: hls4ml's C++ cannot be compiled")


def templates() -> Path | None:
    """The folder holding ``nnet_utils``, or None without hls4ml installed."""
    folder = find_headers().parent
    return folder if (folder / "nnet_utils" / "nnet_common.h").is_file() else None


def build(folder: Path, header: str, cases: list[str]) -> Path:
    """Compile the cases (each defining ``caseK()``) after ``#include "nnet_utils/HEADER"``."""
    nnet = templates()
    if nnet is None:
        pytest.skip("hls4ml's nnet_utils are not installed (pip install -e '.[test]')")
    source = folder / "oracle.cpp"
    main = "int main() {" + "".join(f" case{k}();" for k in range(len(cases))) + " }"
    source.write_text("\n".join(['#include <cstdio>', '#include "ap_fixed.h"', f'#include "nnet_utils/{header}"',
                                 *cases, main]) + "\n")
    exe = folder / "oracle"
    subprocess.run([shutil.which("g++"), "-std=c++14", "-O1", "-w", f"-I{find_headers()}", f"-I{nnet}", str(source),
                    "-o", str(exe)], check=True)
    return exe


def run(exe: Path, feed: list[int]) -> np.ndarray:
    """The program's printed values, in order, for the raws ``feed``."""
    done = subprocess.run([str(exe)], input=" ".join(map(str, feed)), capture_output=True, text=True, check=True)
    return np.array([float(v) for v in done.stdout.split()])
