"""Importers, on files written by the real frameworks inside the tests."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from accel.config import load_network  # noqa: E402
from accel.network import shipped_config  # noqa: E402
from accel.weights import load_weights  # noqa: E402
from golden.model import AlexNet32  # noqa: E402

NET = load_network(shipped_config("alexnet32"))


def test_state_dict_and_checkpoint_files(tmp_path) -> None:
    torch.manual_seed(0)
    model = AlexNet32()
    torch.save(model.state_dict(), tmp_path / "plain.pt")
    torch.save({"epoch": 3, "model_state_dict": model.state_dict()}, tmp_path / "checkpoint.pth")
    for name in ("plain.pt", "checkpoint.pth"):
        weights = load_weights(NET, tmp_path / name)
        assert np.array_equal(weights["conv2"]["weight"], model.conv2.weight.detach().numpy())
        assert np.array_equal(weights["fc3"]["bias"], model.fc3.bias.detach().numpy())


def test_simulator_float_reference_matches_pytorch(tmp_path) -> None:
    from accel.simulator import simulate_float

    torch.manual_seed(1)
    model = AlexNet32().eval()
    torch.save(model.state_dict(), tmp_path / "m.pt")
    weights = load_weights(NET, tmp_path / "m.pt")
    x = np.random.default_rng(0).normal(0, 1, (3, 3, 32, 32))
    ours = simulate_float(NET, weights, x)
    with torch.no_grad():
        theirs = model.layer_outputs(torch.from_numpy(x.astype(np.float32)))
    for name, out in theirs.items():
        assert np.allclose(ours[name], out.numpy(), rtol=1e-4, atol=1e-4), name


def test_bad_pytorch_files_are_refused(tmp_path) -> None:
    model = AlexNet32()
    torch.save(model.state_dict(), tmp_path / "ok.pt")
    data = (tmp_path / "ok.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.pt: not a loadable PyTorch state_dict"):
        load_weights(NET, tmp_path / "cut.pt")
    torch.save({"conv1.weight": model.conv1.weight, "extra": model.fc3.weight}, tmp_path / "partial.pt")
    with pytest.raises(ValueError, match="partial.pt: unexpected key"):
        load_weights(NET, tmp_path / "partial.pt")

    class Evil:
        def __reduce__(self):
            return (print, ("this must never run",))

    torch.save({"conv1.weight": Evil()}, tmp_path / "evil.pt", _use_new_zipfile_serialization=True)
    with pytest.raises(ValueError, match="evil.pt: not a loadable PyTorch state_dict"):
        load_weights(NET, tmp_path / "evil.pt")
