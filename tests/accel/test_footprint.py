"""The memory a run needs, estimated from the shapes before anything is allocated."""

from __future__ import annotations

import pytest

from accel import footprint
from accel.config import network_from_dict

NET = {"name": "mlp", "input": {"shape": [1000], "type": "ap_fixed<16,6>"},
       "defaults": {"types": {k: "ap_fixed<16,6>" for k in ("weight", "bias", "accum", "result")}},
       "layers": [{"name": "fc1", "op": "dense", "out_features": 1000}, {"name": "fc2", "op": "dense", "out_features": 10}]}


def test_kept_outputs_batches_and_parameters_are_counted(monkeypatch) -> None:
    net = network_from_dict(NET, "mlp.yaml")
    params = 1000 * 1000 + 1000 + 10 * 1000 + 10  # 1,011,010
    per_image, kept_last = 1000 + 1000 + 10, 1000 + 10
    need = 8 * (100_000 * per_image + 2 * 64 * per_image + 2 * params)  # every output kept for 10^5 inputs
    monkeypatch.setattr(footprint, "available_bytes", lambda: need)
    footprint.check_fits(net, 100_000, 64)  # just fits
    monkeypatch.setattr(footprint, "available_bytes", lambda: need - 1)
    with pytest.raises(ValueError, match=r"mlp.yaml: simulating 100000 input\(s\) needs about 1.6 GB \(the input "
                                         r"alone holds 1,000 values an input, the parameters 1,011,010\)"):
        footprint.check_fits(net, 100_000, 64)
    footprint.check_fits(net, 100_000, 64, kept={"fc2"})  # only the last layer kept: far less
    assert 8 * (100_000 * kept_last) < need - 1
    monkeypatch.setattr(footprint, "available_bytes", lambda: 2 * 8 * params - 1)
    with pytest.raises(ValueError, match=r"the parameters hold 1,011,010 values \(fc1.weight alone 1,000,000\)"):
        footprint.check_parameters_fit(net)
    monkeypatch.setenv("ACCEL_NO_MEMORY_CHECK", "1")
    footprint.check_parameters_fit(net)  # said to run anyway
