"""Shared fixtures: the oracle programs are compiled once per session and cached on disk."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import settings

# hypothesis draws the same examples on every run and machine: a failure in CI reproduces here
settings.register_profile("reproducible", derandomize=True, deadline=None)
settings.load_profile("reproducible")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261121)
