"""The report of where values overflow and by how much (``accel.integer_bits``), through
``accel run --format json``, against ranges PyTorch computes for the same float model."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from accel.cli import main
from accel.integer_bits import needed_bits

torch = pytest.importorskip("torch", reason="torch is in the test extra")


@pytest.mark.parametrize("low, high, signed, bits", [
    (-4.0, 3.99, True, 3), (-4.01, 0.0, True, 4), (0.0, 4.0, True, 4), (0.0, 3.9, False, 2), (0.0, 0.3, False, -1),
    (-0.25, 0.2, True, -1), (0.0, 0.0, True, 1), (-1.0, 0.0, False, None)])
def test_needed_bits_are_the_fewest_that_hold_the_range(low, high, signed, bits) -> None:
    assert needed_bits(low, high, signed) == bits
    if bits is not None and high > low:  # one bit fewer does not hold it: the bound is tight
        fewer = bits - 1
        fits = (low >= -2.0 ** (fewer - 1) and high < 2.0 ** (fewer - 1)) if signed else high < 2.0 ** fewer
        assert not fits


def test_accel_run_reports_each_arrays_range_and_the_bits_it_is_short(tmp_path, capsys) -> None:
    torch.manual_seed(0)
    conv, fc = torch.nn.Conv2d(2, 3, 3), torch.nn.Linear(3 * 4 * 4, 4)
    with torch.no_grad():
        conv.weight.mul_(6.0)  # outputs well past ap_fixed<10,3>'s [-4, 4)
    net = {"name": "small", "input": {"shape": [2, 6, 6], "type": "ap_fixed<12,4>"},
           "layers": [{"name": "conv1", "op": "conv", "out_channels": 3, "kernel": 3,
                       "types": {"weight": "ap_fixed<12,4>", "bias": "ap_fixed<12,4>", "accum": "ap_fixed<24,8>",
                                 "result": "ap_fixed<10,3,AP_TRN,AP_SAT>"}},
                      {"name": "flat", "op": "flatten"},
                      {"name": "fc1", "op": "dense", "out_features": 4,
                       "types": {"weight": "ap_fixed<12,4>", "bias": "ap_fixed<12,4>", "accum": "ap_fixed<24,8>",
                                 "result": "ap_fixed<16,8>"}}]}
    (tmp_path / "net.yaml").write_text(yaml.safe_dump(net))
    np.savez(tmp_path / "w.npz", **{"conv1.weight": conv.weight.detach().numpy(), "conv1.bias": conv.bias.detach().numpy(),
                                    "fc1.weight": fc.weight.detach().numpy(), "fc1.bias": fc.bias.detach().numpy()})
    images = np.random.default_rng(1).normal(0, 1, (8, 2, 6, 6))
    np.save(tmp_path / "x.npy", images)
    assert main(["run", "--config", str(tmp_path / "net.yaml"), "--weights", str(tmp_path / "w.npz"),
                 "--input", str(tmp_path / "x.npy"), "--format", "json"]) == 0
    rows = {(r["layer"], r["array"]): r for r in json.loads(capsys.readouterr().out)["ranges"]}

    with torch.no_grad():  # the float model, in PyTorch
        x = torch.tensor(images)
        out = conv.double()(x)
        logits = fc.double()(out.flatten(1))
    result = rows[("conv1", "result")]
    assert (result["low"], result["high"]) == pytest.approx((out.min().item(), out.max().item()), rel=1e-12)
    peak = out.abs().max().item()
    assert result["needed_integer_bits"] == int(np.floor(np.log2(peak))) + 2  # peak < 2^(I-1), not an exact power
    assert result["short_by"] == result["needed_integer_bits"] - 3 > 0 and result["overflows"] > 0
    weight = rows[("conv1", "weight")]
    assert (weight["low"], weight["high"]) == pytest.approx((conv.weight.min().item(), conv.weight.max().item()))
    assert rows[("fc1", "accum")]["high"] == pytest.approx(logits.max().item(), rel=1e-12)
    assert rows[("fc1", "result")]["short_by"] == 0 and rows[("fc1", "result")]["overflows"] == 0
    assert rows[("input", "result")]["high"] == pytest.approx(images.max())
