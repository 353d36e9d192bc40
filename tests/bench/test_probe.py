"""``bench/probe_bad_inputs.py`` stays runnable: its fixtures write, its cases cover every
class, and its sorting tells a clear refusal from a traceback and from an acceptance."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
_spec = importlib.util.spec_from_file_location("accel_bench_probe", ROOT / "bench" / "probe_bad_inputs.py")
probe = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("accel_bench_probe", probe)
_spec.loader.exec_module(probe)


def test_the_cases_cover_every_class(tmp_path) -> None:
    probe.write_fixtures(tmp_path)
    cases = probe.cases(tmp_path)
    groups = {case.group for case in cases}
    assert {"allocation", "output paths", "importer input", "degenerate types", "Python API"} <= groups
    assert len(cases) >= 100 and len({(c.group, c.name) for c in cases}) == len(cases)


def test_outcomes_are_sorted(tmp_path) -> None:
    Case = probe.Case
    clear = Case("t", "refused", ("quant", "fixed<8>", "1"), cwd=tmp_path)
    accepted = Case("t", "accepted", ("quant", "ap_fixed<8,4>", "1"), cwd=tmp_path)
    crash = Case("t", "crash", python="{}['missing']", cwd=tmp_path)
    refused = Case("t", "api refusal", python="from quant import FixedType\nFixedType(0, 0)", cwd=tmp_path)
    outcomes = [probe.run_case(case, ROOT, timeout=120)["outcome"] for case in (clear, accepted, crash, refused)]
    assert outcomes == ["clear", "silent", "traceback", "clear"]
