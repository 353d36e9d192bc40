"""The seed's AlexNet-227 at full size: seeded weights, golden outputs from PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from accel.config import load_network  # noqa: E402
from accel.shipped import shipped_config  # noqa: E402
from accel.testbench import run_testbench  # noqa: E402
from accel.weights import seeded_weights  # noqa: E402
from golden.reference import layer_outputs  # noqa: E402

NET = load_network(shipped_config("alexnet227"))


def test_seeded_weights_keep_activations_inside_16_4() -> None:
    weights = seeded_weights(NET, 0)
    x = np.random.default_rng(5).normal(0, 1, (1, 3, 227, 227))
    golden = layer_outputs(NET, weights, x)
    peaks = {name: float(np.abs(out).max()) for name, out in golden.items()}
    assert all(0.5 < peak < 8.0 for peak in peaks.values()), peaks  # used, and not saturating


def test_every_layer_passes_the_testbench_at_full_size() -> None:
    weights = seeded_weights(NET, 0)
    x = np.random.default_rng(6).normal(0, 1, (1, 3, 227, 227))
    golden = {"input": x, **layer_outputs(NET, weights, x)}
    for mode in ("isolated", "chained"):
        checks = run_testbench(NET, weights, golden, mode)
        assert [c.layer for c in checks] == [l.name for l in NET.layers]
        failed = [(c.layer, c.sqnr_db, c.share_within) for c in checks if not c.passed]
        assert not failed, f"{mode}: {failed}"
        lrn = [c for c in checks if c.op == "lrn"]
        assert all(c.lrn_errors["approximation_max_abs"] > 0 for c in lrn)  # linear mode
