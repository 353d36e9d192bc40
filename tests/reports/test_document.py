"""``reports``: one ``render`` for every command's document, and the tally they share."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from layers.core.types import StageStats
from reports.document import FORMATS, Document, render
from reports.table import Table
from reports.tally import STAGES, LayerTally

TABLES = (Table("Layers", ("name", "DSP", "ms"), (("conv1", 4, 1.5), ("fc1", 2, 0.25)), flagged={(0, 1)}),
          Table("Other", ("a", "b"), ((1, 2),)))
DOC = Document("net on board", TABLES, {"layers": {"conv1": {"DSP": 4}}, "ok": np.bool_(True), "x": np.arange(2)},
               lines=("a line under the title",), footer="2 of 2 checks passed")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders(fmt) -> None:
    text = render(DOC, fmt)
    if fmt == "json":
        assert json.loads(text) == {"layers": {"conv1": {"DSP": 4}}, "ok": True, "x": [0, 1]}
    elif fmt == "csv":
        assert text.splitlines() == ["name,DSP,ms", "conv1,4,1.5", "fc1,2,0.25"]  # only the first table
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>") and "<td class=over>4</td>" in text
    else:
        assert "net on board\na line under the title" in text and text.rstrip().endswith("2 of 2 checks passed")
        assert ("4 !" if fmt == "text" else "**4 !**") in text and "Other" in text
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        render(DOC, "pdf")


def test_text_tables_put_names_left_and_numbers_right() -> None:
    lines = TABLES[0].render("text").splitlines()
    assert lines[2].startswith("name ") and lines[4].startswith("conv1 ")
    assert lines[5].endswith("0.25")


def test_tally_sums_merge_to_the_whole() -> None:
    rng = np.random.default_rng(1)
    reference = rng.normal(0, 1, 1000)
    fixed = reference + rng.normal(0, 0.01, 1000)
    stats = StageStats()
    stats.accumulation.record(1000, 3, 1, 0)
    whole = LayerTally.of(fixed, reference, stats, tolerance=0.01)
    half = LayerTally.of(fixed[:500], reference[:500], stats, 0.01).merged(
        LayerTally.of(fixed[500:], reference[500:], StageStats(), 0.01))
    err = fixed - reference
    assert whole.sqnr_db == pytest.approx(10 * math.log10(np.sum(reference**2) / np.sum(err**2)))
    assert half.sqnr_db == pytest.approx(whole.sqnr_db) and half.max_error == whole.max_error
    assert whole.mean_error == pytest.approx(np.abs(err).mean()) and whole.share_within == np.mean(np.abs(err) <= 0.01)
    assert whole.overflows_by_stage() == {"parameters": 0, "product": 0, "accumulation": 4, "result": 0}
    assert STAGES == ("parameters", "product", "accumulation", "result")
    # parameter overflows are a property of the network: merging chunks does not add them up
    stats.parameters.record(10, 2, 0, 0)
    assert LayerTally.of(fixed, reference, stats).merged(LayerTally.of(fixed, reference, stats)).parameters == 2
    assert LayerTally.of(reference, reference, StageStats()).sqnr_db == math.inf
