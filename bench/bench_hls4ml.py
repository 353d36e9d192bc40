"""hls4ml's C-simulation against the simulator on an hls4ml-converted CIFAR CNN, in one run.

    python bench/bench_hls4ml.py [--images 64] [--precision "fixed<16,6>"]

A CIFAR-10 CNN in PyTorch (conv 32-64-96, 3x3, ReLU, 2x2 max-pools — non-overlapping, so
hls4ml's stock io_stream pooling runs — then dense 256-10), converted by hls4ml 1.3.0
(io_stream, Vivado backend, one model-level precision), compiled, and run through
``predict()``; the same model exported to ONNX and imported with ``accel import --hls4ml``
from the same configuration, simulated on the same images. Prints both compile times
(hls4ml's g++ build; our kernels' first compile, cached on disk afterwards), both run
times per image, their ratio, and whether every output bit is the same.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accel.cli import main as accel  # noqa: E402
from accel.config import load_network  # noqa: E402
from accel.simulator import Simulator  # noqa: E402
from accel.weights import load_weights  # noqa: E402


def model():
    import torch

    torch.manual_seed(0)
    layers = []
    channels = 3
    for k, out in enumerate((32, 64, 96), start=1):
        layers += [(f"conv{k}", torch.nn.Conv2d(channels, out, 3, padding=1)), (f"relu{k}", torch.nn.ReLU()),
                   (f"pool{k}", torch.nn.MaxPool2d(2))]
        channels = out
    layers += [("flat", torch.nn.Flatten()), ("fc1", torch.nn.Linear(96 * 4 * 4, 256)), ("relu4", torch.nn.ReLU()),
               ("fc2", torch.nn.Linear(256, 10))]
    from collections import OrderedDict

    return torch.nn.Sequential(OrderedDict(layers)).eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--precision", default="fixed<16,6>")
    args = parser.parse_args()
    import hls4ml
    import torch

    warnings.filterwarnings("ignore")
    net = model()
    images = np.random.default_rng(1).normal(0, 1, (args.images, 3, 32, 32)).astype(np.float32)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        config = hls4ml.utils.config_from_pytorch_model(net, (3, 32, 32), granularity="model",
                                                        default_precision=args.precision)
        start = time.perf_counter()
        hls_model = hls4ml.converters.convert_from_pytorch_model(net, hls_config=config, io_type="io_stream",
                                                                 output_dir=str(out / "prj"), backend="Vivado")
        hls_model.compile()
        hls4ml_compile = time.perf_counter() - start
        start = time.perf_counter()
        theirs = np.asarray(hls_model.predict(np.ascontiguousarray(images)), dtype=np.float64).reshape(args.images, 10)
        hls4ml_run = (time.perf_counter() - start) / args.images

        torch.onnx.export(net, torch.zeros(1, 3, 32, 32), out / "model.onnx", dynamo=False)
        saved = {key: value for key, value in config.items() if key != "PytorchModel"}
        (out / "config.json").write_text(json.dumps(saved, default=list))
        assert accel(["import", str(out / "model.onnx"), "--hls4ml", str(out / "config.json"),
                      "--out", str(out / "ours")]) == 0
        network = load_network(out / "ours" / "net.yaml")
        sim = Simulator(network, load_weights(network, out / "ours" / "weights.npz"), detail=False, keep="last")
        start = time.perf_counter()
        first = sim.run(images[:2].astype(np.float64))  # the kernels' first compile (or cache load)
        ours_compile = time.perf_counter() - start
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            result = sim.run(images.astype(np.float64), batch_size=args.images)
            runs.append((time.perf_counter() - start) / args.images)
        del first
    ours_run = min(runs)
    same = np.array_equal(result.output.values(), theirs)
    print(f"CIFAR CNN (conv 32-64-96, dense 256-10), {args.images} images, {args.precision} everywhere, io_stream")
    print(f"hls4ml 1.3.0: convert + compile {hls4ml_compile:.1f} s, predict {hls4ml_run * 1e3:.1f} ms/image")
    print(f"accel: first run {ours_compile:.1f} s (kernel compile or cache load), {ours_run * 1e3:.2f} ms/image")
    print(f"-> {hls4ml_run / ours_run:.0f}x faster than hls4ml's C-sim per image; outputs bit-identical: {same}")


if __name__ == "__main__":
    main()
