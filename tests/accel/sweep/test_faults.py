"""A sweep under faults: its parent killed, Ctrl-C, two sweeps on one results file, an
edited results line. Run as a user would: ``accel`` in its own process."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accel.cli import main
from accel.sweep.results_file import ResultsFile

SWEEP = ["sweep", "--width", "6:16", "--int", "3", "--images", "200", "--chunk", "20", "--workers", "2"]


def start(tmp_path: Path, results: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "accel.cli", *SWEEP, "--results", str(results)],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for_results(process: subprocess.Popen, results: Path, lines: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if results.exists() and len(results.read_text().splitlines()) >= lines:
            return
        if process.poll() is not None:
            pytest.fail(f"the sweep ended early ({process.returncode}): {process.stderr.read()}")
        time.sleep(0.2)
    pytest.fail(f"the sweep wrote fewer than {lines} results in {timeout} s")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_killed_sweep_takes_its_workers_and_resumes_losing_nothing(tmp_path) -> None:
    results = tmp_path / "r.jsonl"
    process = start(tmp_path, results)
    wait_for_results(process, results, 4)
    workers = [pid for pid in children(process.pid) if "spawn" in Path(f"/proc/{pid}/cmdline").read_text()]
    assert workers, "no worker processes found"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in workers), "workers outlived their killed parent"
    kept = len(results.read_text().splitlines())
    assert 0 < kept < 110
    # rerun: the kept results are reused, the rest computed, and the totals equal a clean run
    assert main([*SWEEP, "--results", str(results), "--format", "json"]) == 0
    resumed = ResultsFile(results)
    assert len(resumed.done) == 110
    assert main([*SWEEP, "--results", str(tmp_path / "clean.jsonl"), "--format", "json"]) == 0
    clean = ResultsFile(tmp_path / "clean.jsonl")
    assert {k: t.as_dict() for k, t in clean.done.items()} == {k: t.as_dict() for k, t in resumed.done.items()}


def test_ctrl_c_exits_130_with_one_line_and_keeps_the_results(tmp_path) -> None:
    results = tmp_path / "r.jsonl"
    process = start(tmp_path, results)
    wait_for_results(process, results, 4)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert time.monotonic() - started < 10
    assert "Traceback" not in err and "interrupted;" in err and "run the same command again to resume" in err
    assert len(results.read_text().splitlines()) >= 4


def test_a_second_sweep_on_the_same_file_refuses(tmp_path, capsys) -> None:
    results = tmp_path / "r.jsonl"
    with ResultsFile(results):
        assert main([*SWEEP[:-2], "--workers", "1", "--results", str(results)]) == 2
    assert "another sweep is writing this results file" in capsys.readouterr().err


def test_an_edited_result_is_refused(tmp_path, capsys) -> None:
    results = tmp_path / "r.jsonl"
    argv = ["sweep", "--width", "8", "--int", "3", "--images", "40", "--chunk", "20", "--workers", "1",
            "--results", str(results)]
    assert main(argv) == 0
    lines = results.read_text().splitlines()
    record = json.loads(lines[0])
    record["tally"]["fixed_correct"] += 5  # a better accuracy, typed in
    results.write_text("\n".join([json.dumps(record), *lines[1:]]) + "\n")
    assert main(argv) == 2
    assert "line 1 is not a sweep result (its checksum does not match" in capsys.readouterr().err
