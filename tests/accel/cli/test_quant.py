"""``accel quant``: the README's main job, run in-process and as the installed script."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from accel.cli import main


def table_rows(text: str) -> list[list[str]]:
    lines = text.strip().splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    return [line.split() for line in lines[rule + 1:]]  # the rows under the header's rule


def test_quant_prints_raw_bits_value_and_error(capsys) -> None:
    assert main(["quant", "ap_fixed<16,4,AP_RND,AP_SAT>", "3.14159", "-2.5", "9"]) == 0
    rows = table_rows(capsys.readouterr().out)
    # 3.14159 * 2**12 = 12867.95 rounds to 12868; -2.5 is exact; 9 saturates to 32767
    assert rows[0][:4] == ["3.14159", "12868", "0011001001000100", "0x3244"]
    assert rows[0][-1] == "rounded"
    assert rows[1][1:4] == ["-10240", "1101100000000000", "0xd800"] and rows[1][-1] == "exact"
    assert rows[2][1] == str(2**15 - 1) and rows[2][4] == repr(8 - 2**-12) and rows[2][-1] == "overflow"


def test_quant_as_json(capsys) -> None:
    assert main(["quant", "ap_fixed<16,4,AP_RND,AP_SAT>", "3.14159", "9", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["type"] == "ap_fixed<16,4,AP_RND,AP_SAT>" and data["fraction_bits"] == 12
    assert [v["raw"] for v in data["values"]] == [12868, 2**15 - 1]
    assert [v["note"] for v in data["values"]] == ["rounded", "overflow"] and data["values"][1]["value"] == 8 - 2**-12


def test_quant_reads_raw_integers(capsys) -> None:
    assert main(["quant", "ap_fixed<8,3>", "--raw", "100", "-128", "0x7f"]) == 0
    rows = table_rows(capsys.readouterr().out)
    assert [r[3] for r in rows] == [repr(100 / 32), "-4.0", repr(127 / 32)]


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["quant", "ap_fixed<16", "1"], "cannot read fixed-point type"),
        (["quant", "ap_fixed<16,4>", "abc"], "VALUE 'abc' is not a real number"),
        (["quant", "ap_fixed<16,4>", "nan"], "NaN and ±inf"),
        (["quant", "ap_fixed<8,3>", "--raw", "300"], "outside ap_fixed<8,3>'s raw range"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(argv, fragment, capsys) -> None:
    assert main(argv) == 2
    assert fragment in capsys.readouterr().err


def test_installed_console_script_runs() -> None:
    exe = shutil.which("accel")
    if exe is None:
        pytest.skip("the package is not installed (pip install -e .)")
    done = subprocess.run([exe, "quant", "ap_fixed<16,4,AP_RND,AP_SAT>", "3.14159", "-2.5"],
                          capture_output=True, text=True, check=True)
    assert "12868" in done.stdout and "-10240" in done.stdout
