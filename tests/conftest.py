"""Shared fixtures: the oracle programs are compiled once per session and cached on disk."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261121)
