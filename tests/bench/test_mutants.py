"""``bench/mutants.py`` stays plantable: every mutant's text occurs exactly once in its
file and the tests meant to kill it exist. A refactoring that moves the code a mutant
targets fails here, not silently as "not planted" in the next mutation run."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("accel_bench_mutants", ROOT / "bench" / "mutants.py")
mutants = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("accel_bench_mutants", mutants)  # dataclasses look their module up
_spec.loader.exec_module(mutants)


def test_there_are_mutants_in_every_part_of_the_core() -> None:
    parts = {m.path.split("/")[0] for m in mutants.MUTANTS}
    assert {"quant", "layers", "accel"} <= parts and len(mutants.MUTANTS) >= 15


@pytest.mark.parametrize("mutant", mutants.MUTANTS, ids=lambda m: m.name)
def test_the_mutant_can_be_planted(mutant) -> None:
    text = (ROOT / mutant.path).read_text()
    assert text.count(mutant.before) == 1, f"{mutant.path}: the text to mutate occurs {text.count(mutant.before)} times"
    assert mutant.before != mutant.after
    for test in mutant.tests:
        assert (ROOT / test.split("::")[0]).exists(), test
