"""The calibration profile: versioned, loaded from YAML, its fit data reproduced."""

from __future__ import annotations

import pytest
import yaml

from layers.hw import Profile


def test_shipped_profile_is_versioned_and_lists_its_fit_data() -> None:
    profile = Profile.load()
    assert profile.version >= 1 and profile.name
    fit = profile.fit_points()
    assert {p["layer"] for p in fit} >= {"conv2", "conv3", "fc1", "lrn1", "pool1", "flatten"}


def test_rolled_cycles_reproduce_the_points_they_were_fitted_to() -> None:
    """cycles = per_body * bodies + per_outer * outer, within 1 % of each fitted point
    (points with a note are the documented outliers)."""
    profile = Profile.load()
    for point in profile.fit_points():
        if "note" in point:
            continue
        kind = point["kind"]
        if kind in ("conv", "dense"):
            cycles = profile.rolled_per_body(kind) * point["macs"] + profile.rolled_per_outer(kind) * point["outputs"]
        elif kind == "maxpool":
            cycles = profile.rolled_per_body(kind) * point["outputs"] + profile.rolled_per_outer(kind) * point["rows"]
        else:
            cycles = profile.rolled_per_body(kind) * point["elements"]
        assert cycles * 1e-5 == pytest.approx(point["latency_ms"], rel=0.01), point["layer"]


def test_rolled_logic_is_within_a_fifth_of_the_fitted_rows() -> None:
    profile = Profile.load()
    for point in profile.fit_points():
        if "note" in point or point["layer"] == "fc3":  # fc3 still had its sigmoid (exp) when unoptimized
            continue
        for resource in ("LUT", "FF"):
            assert profile.rolled_logic(resource, point["kind"]) == pytest.approx(point[resource], rel=0.35), point["layer"]


def test_a_user_profile_replaces_the_numbers(tmp_path) -> None:
    data = Profile.load().data
    data = {**data, "rolled": {**data["rolled"], "per_body": {**data["rolled"]["per_body"], "conv": 4}}}
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data))
    assert Profile.load(path).rolled_per_body("conv") == 4
    changed = Profile.load().updated(rolled={"per_body": {"conv": 5}})
    assert (changed.rolled_per_body("conv"), changed.rolled_per_body("dense")) == (5, 3)


def test_bad_profiles_name_the_file_and_field(tmp_path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nversion: 1\n")
    with pytest.raises(ValueError, match=r"broken.yaml: missing field\(s\) latency, rolled, pipelined, dram"):
        Profile.load(path)
    with pytest.raises(ValueError, match="nowhere.yaml: cannot read the profile"):
        Profile.load(tmp_path / "nowhere.yaml")
    with pytest.raises(ValueError, match="no field rolled.per_body.tpu"):
        Profile.load().rolled_per_body("tpu")
