"""Importers, on files written by the real frameworks inside the tests."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from accel.config import load_network  # noqa: E402
from accel.shipped import shipped_config  # noqa: E402
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


class _LRN(torch.autograd.Function):
    """LocalResponseNorm that exports as one ONNX LRN node (the stock exporter decomposes it)."""

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        return torch.nn.functional.local_response_norm(x, size, alpha, beta, k)

    @staticmethod
    def symbolic(g, x, size, alpha, beta, k):
        return g.op("LRN", x, size_i=size, alpha_f=alpha, beta_f=beta, bias_f=k)


class _Exportable(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = AlexNet32().eval()
        for module in self.net.modules():  # trained-like, distinct biases (He init zeroes them)
            if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
                torch.nn.init.normal_(module.bias, 0.0, 0.1)

    def forward(self, x):
        n = self.net
        x = n.pool1(_LRN.apply(torch.relu(n.conv1(x)), 5, 1e-4, 0.75, 2.0))
        x = n.pool2(_LRN.apply(torch.relu(n.conv2(x)), 5, 1e-4, 0.75, 2.0))
        x = n.pool5(torch.relu(n.conv5(torch.relu(n.conv4(torch.relu(n.conv3(x)))))))
        x = torch.flatten(x, 1)
        return n.fc3(torch.relu(n.fc2(torch.relu(n.fc1(x)))))


def test_onnx_export_imports_and_runs_like_pytorch(tmp_path, capsys) -> None:
    pytest.importorskip("onnx")
    from accel.cli import main
    from accel.config import load_network
    from accel.simulator import simulate_float

    torch.manual_seed(2)
    model = _Exportable().eval()
    x = np.random.default_rng(1).normal(0, 1, (2, 3, 32, 32))
    torch.onnx.export(model, torch.zeros(1, 3, 32, 32), tmp_path / "m.onnx", dynamo=False,
                      input_names=["image"], output_names=["logits"])
    assert main(["import", str(tmp_path / "m.onnx"), "--out", str(tmp_path / "out")]) == 0
    net = load_network(tmp_path / "out" / "net.yaml")
    ops = [(l.op, getattr(l, "relu", None)) for l in net.layers]
    assert ops[:3] == [("conv", True), ("lrn", None), ("maxpool", None)] and ops[-1] == ("dense", False)
    weights = load_weights(net, tmp_path / "out" / "weights.npz")
    with torch.no_grad():
        expected = model(torch.from_numpy(x.astype(np.float32))).numpy()
    ours = simulate_float(net, weights, x)[net.layers[-1].name]
    assert np.allclose(ours, expected, rtol=1e-4, atol=1e-4)


def test_an_onnx_mlp_imports_with_a_vector_input(tmp_path) -> None:
    """PyTorch ``Linear → ReLU → Linear`` on 16 features: a network that takes a vector."""
    pytest.importorskip("onnx")
    from accel.config import network_from_dict
    from accel.importers.onnx_model import import_onnx
    from accel.simulator import simulate_float
    from accel.weights import check_weights

    torch.manual_seed(3)
    model = torch.nn.Sequential(torch.nn.Linear(16, 12), torch.nn.ReLU(), torch.nn.Linear(12, 4)).eval()
    torch.onnx.export(model, torch.zeros(1, 16), tmp_path / "mlp.onnx", dynamo=False)
    description, flat = import_onnx(tmp_path / "mlp.onnx")
    net = network_from_dict(description, "mlp.onnx")
    assert net.input_shape == (16,) and [(l.op, l.relu) for l in net.layers] == [("dense", True), ("dense", False)]
    x = np.random.default_rng(4).normal(0, 1, (5, 16))
    with torch.no_grad():
        expected = model(torch.from_numpy(x.astype(np.float32))).numpy()
    assert np.allclose(simulate_float(net, check_weights(net, flat), x)[net.layers[-1].name], expected, atol=1e-4)


class _Residual(torch.nn.Module):
    """conv → ReLU, conv, + the first (a skip), ReLU, a 1x1 branch off the first, concatenated."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1, self.conv2 = torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.Conv2d(4, 4, 3, padding=1)
        self.branch, self.fc = torch.nn.Conv2d(4, 2, 1), torch.nn.Linear(6 * 4 * 4, 5)

    def forward(self, x):
        a = torch.relu(self.conv1(x))
        skip = torch.relu(self.conv2(a) + a)
        cat = torch.cat([skip, self.branch(a)], dim=1)
        return self.fc(torch.flatten(torch.nn.functional.max_pool2d(cat, 2), 1))


@pytest.mark.parametrize("folding", [True, False])
def test_an_onnx_graph_with_a_skip_and_a_branch_imports_and_runs_like_pytorch(tmp_path, folding) -> None:
    pytest.importorskip("onnx")
    from accel.config import network_from_dict
    from accel.importers.onnx_model import import_onnx
    from accel.simulator import simulate_float
    from accel.weights import check_weights

    torch.manual_seed(4)
    model = _Residual().eval()
    torch.onnx.export(model, torch.zeros(1, 3, 8, 8), tmp_path / "res.onnx", dynamo=False,
                      do_constant_folding=folding)
    description, flat = import_onnx(tmp_path / "res.onnx")
    net = network_from_dict(description, "res.onnx")
    ops = {layer.op for layer in net.layers}
    assert {"add", "concatenate"} <= ops and not net.is_chain
    add = [i for i, layer in enumerate(net.layers) if layer.op == "add"][0]
    assert net.layers[0].relu and net.layers[0].name in net.sources(add)  # the skip reads conv1 after its ReLU
    x = np.random.default_rng(5).normal(0, 1, (3, 3, 8, 8))
    with torch.no_grad():
        expected = model(torch.from_numpy(x.astype(np.float32))).numpy()
    ours = simulate_float(net, check_weights(net, flat), x)[net.layers[-1].name]
    assert np.allclose(ours, expected, rtol=1e-4, atol=1e-4)


def test_an_onnx_1d_cnn_imports_and_runs_like_pytorch(tmp_path) -> None:
    """Conv1d, MaxPool1d, flatten, Linear over [channels, length] sequences."""
    pytest.importorskip("onnx")
    from accel.config import network_from_dict
    from accel.importers.onnx_model import import_onnx
    from accel.simulator import simulate_float
    from accel.weights import check_weights

    torch.manual_seed(6)
    model = torch.nn.Sequential(torch.nn.Conv1d(3, 8, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool1d(2),
                                torch.nn.Conv1d(8, 4, 3, stride=2), torch.nn.Flatten(), torch.nn.Linear(4 * 7, 5)).eval()
    torch.onnx.export(model, torch.zeros(1, 3, 32), tmp_path / "c1d.onnx", dynamo=False)
    description, flat = import_onnx(tmp_path / "c1d.onnx")
    net = network_from_dict(description, "c1d.onnx")
    assert net.input_shape == (3, 32) and [l.op for l in net.layers] == ["conv1d", "maxpool1d", "conv1d", "flatten",
                                                                           "dense"]
    x = np.random.default_rng(7).normal(0, 1, (4, 3, 32))
    with torch.no_grad():
        expected = model(torch.from_numpy(x.astype(np.float32))).numpy()
    assert np.allclose(simulate_float(net, check_weights(net, flat), x)[net.layers[-1].name], expected, atol=1e-4)


def test_onnx_activations_import_and_run_like_pytorch(tmp_path) -> None:
    """LeakyRelu, Elu and PRelu (its per-channel slopes repeated to one per value) over feature maps."""
    pytest.importorskip("onnx")
    from accel.config import network_from_dict
    from accel.importers.onnx_model import import_onnx
    from accel.simulator import simulate_float
    from accel.weights import check_weights

    torch.manual_seed(8)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.LeakyReLU(0.1), torch.nn.Conv2d(4, 4, 3),
                                torch.nn.PReLU(4), torch.nn.ELU(0.7), torch.nn.Flatten(), torch.nn.Linear(64, 5)).eval()
    with torch.no_grad():
        model[3].weight.uniform_(-1, 1)
    torch.onnx.export(model, torch.zeros(1, 3, 8, 8), tmp_path / "act.onnx", dynamo=False)
    description, flat = import_onnx(tmp_path / "act.onnx")
    net = network_from_dict(description, "act.onnx")
    assert [l.op for l in net.layers] == ["conv", "leaky_relu", "conv", "prelu", "elu", "flatten", "dense"]
    assert flat[f"{net.layers[3].name}.weight"].shape == (4, 4, 4)
    x = np.random.default_rng(9).normal(0, 1, (4, 3, 8, 8))
    with torch.no_grad():
        expected = model(torch.from_numpy(x.astype(np.float32))).numpy()
    assert np.allclose(simulate_float(net, check_weights(net, flat), x)[net.layers[-1].name], expected, atol=1e-4)


def test_onnx_unsupported_ops_and_bad_files(tmp_path) -> None:
    pytest.importorskip("onnx")
    from accel.importers.onnx_model import import_onnx

    class Odd(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3)

        def forward(self, x):
            return torch.nn.functional.gelu(self.conv(x))

    torch.onnx.export(Odd(), torch.zeros(1, 3, 8, 8), tmp_path / "odd.onnx", dynamo=False)
    with pytest.raises(ValueError, match=r"odd.onnx: node .* \(Gelu\): unsupported op"):
        import_onnx(tmp_path / "odd.onnx")
    (tmp_path / "junk.onnx").write_bytes(b"\x00garbage")
    with pytest.raises(ValueError, match="junk.onnx: not a readable ONNX model"):
        import_onnx(tmp_path / "junk.onnx")

    # a node lacking an attribute the import reads (a MaxPool without kernel_shape): named, no KeyError
    from onnx import TensorProto, helper, save

    graph = helper.make_graph([helper.make_node("MaxPool", ["x"], ["y"], name="pool")], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 4])])
    save(helper.make_model(graph), tmp_path / "bare.onnx")
    with pytest.raises(ValueError, match=r"bare.onnx: node 'pool' \(MaxPool\): lacks or mistypes an attribute "
                                         r"or input the import reads \(KeyError: 'kernel_shape'\)"):
        import_onnx(tmp_path / "bare.onnx")


@pytest.mark.parametrize("folding", [True, False])
def test_onnx_of_the_projects_own_alexnet32_imports_its_lrn(tmp_path, folding) -> None:
    """``torch.onnx.export`` decomposes ``nn.LocalResponseNorm`` into some 30 nodes (more
    without constant folding, as the hls4ml path exports); the importer recognises the
    chain either way and gives back the network of ``alexnet32.yaml``."""
    pytest.importorskip("onnx")
    from accel.importers.onnx_model import import_onnx
    from accel.shipped import trained_weights
    from accel.simulator import simulate_float
    from accel.weights import check_weights

    reference = load_network(shipped_config("alexnet32"))
    model = AlexNet32().eval()
    trained = load_weights(reference, trained_weights("alexnet32"))
    model.load_state_dict({f"{layer}.{p}": torch.from_numpy(a.astype(np.float32))
                           for layer, params in trained.items() for p, a in params.items()})
    torch.onnx.export(model, torch.zeros(1, 3, 32, 32), tmp_path / "alexnet32.onnx", dynamo=False,
                      do_constant_folding=folding)
    description, flat = import_onnx(tmp_path / "alexnet32.onnx")
    from accel.config import network_from_dict

    net = network_from_dict(description, "alexnet32.onnx")
    assert [l.op for l in net.layers] == [l.op for l in reference.layers]
    for ours, theirs in zip(net.layers, reference.layers):
        if theirs.op == "lrn":
            assert (ours.size, ours.alpha, ours.beta, ours.k, ours.alpha_convention) == \
                   (theirs.size, theirs.alpha, theirs.beta, theirs.k, theirs.alpha_convention)
    x = np.random.default_rng(3).normal(0, 1, (3, 3, 32, 32))
    with torch.no_grad():
        expected = model(torch.from_numpy(x.astype(np.float32))).numpy()
    ours = simulate_float(net, check_weights(net, flat), x)[net.layers[-1].name]
    assert np.allclose(ours, expected, rtol=1e-4, atol=1e-4)
