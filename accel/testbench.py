"""The layer testbench: each fixed-point layer against golden float outputs, as a Vitis
C-simulation testbench checks one layer against the outputs of the model it came from.

Golden data is an ``.npz`` with ``input`` (float images) and one float array per layer
name (that layer's output on those images, from the float model).

- ``isolated``: every layer gets the golden output of the layer before it, quantized to
  its input type, so its own error is measured alone;
- ``chained``: the layers run one after the other on the fixed-point outputs, as on the
  board, so the error measured includes what the earlier layers passed on.

Per layer: max and mean absolute error, max error in LSBs of the result type, SQNR,
share of elements within the absolute tolerance, overflow counts by stage and, for LRN,
the approximation error apart from the quantization error. A layer passes when the share
within tolerance and the SQNR reach the limits set in the network's ``tolerances``.
"""

from __future__ import annotations

import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from reports.tally import LayerTally

from .arrays import check_npz_headers
from .network import Network
from .simulator import Simulator
from .weights import Weights

Mode = Literal["isolated", "chained"]


@dataclass
class LayerCheck:
    layer: str
    op: str
    mode: str
    type: str
    max_abs_error: float
    mean_abs_error: float
    max_error_lsb: float
    sqnr_db: float
    share_within: float
    tolerance: dict
    overflows: dict
    lrn_errors: dict
    passed: bool

    def as_dict(self) -> dict:
        return asdict(self)


def load_golden(network: Network, path: str | Path) -> dict[str, np.ndarray]:
    path = Path(path)
    try:
        check_npz_headers(path, {})  # numeric, and no header claiming more than the file holds
        with np.load(path, allow_pickle=False) as npz:
            golden = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as err:
        raise ValueError(f"{path}: not a readable golden .npz ({err})") from None
    expected = {"input", *(layer.name for layer in network.layers)}
    missing = sorted(expected - set(golden))
    if missing:
        raise ValueError(f"{path}: golden data lacks {missing} for network {network.name!r}")
    batch = len(golden["input"])
    for layer, _, out_shape in network.shapes():
        if golden[layer.name].shape != (batch, *out_shape):
            raise ValueError(f"{path}: layer {layer.name!r}: golden output has shape "
                             f"{golden[layer.name].shape}, the network makes {(batch, *out_shape)}")
    return golden


def run_testbench(network: Network, weights: Weights, golden: dict[str, np.ndarray], mode: Mode = "isolated",
                  only: str | None = None) -> list[LayerCheck]:
    if mode not in ("isolated", "chained"):
        raise ValueError(f"testbench mode {mode!r} must be 'isolated' or 'chained'")
    if only is not None:
        network.layer(only)  # a clear error for an unknown name
    simulator = Simulator(network, weights)
    checks = []
    if mode == "chained":
        sim = simulator.run(golden["input"], batch_size=len(golden["input"]))
        for run in sim.layers:
            if only in (None, run.name):
                checks.append(_check(network, run.name, run.op, mode, run.result, golden[run.name]))
        return checks
    for index, (layer, in_type, _) in enumerate(network.io_types()):
        if only in (None, layer.name):  # fed the golden outputs of the tensors it takes, quantized
            names, types = network.sources(index), in_type if layer.arity > 1 else (in_type,)
            raws = tuple(t.to_raw(golden[name]) for name, t in zip(names, types))
            result = layer.timed(raws if layer.arity > 1 else raws[0], in_type, simulator.prepared[layer.name])
            result.stats.parameters += simulator.parameter_stats[layer.name]
            checks.append(_check(network, layer.name, layer.op, mode, result, golden[layer.name]))
    return checks


def _check(network: Network, name: str, op: str, mode: str, result, reference: np.ndarray) -> LayerCheck:
    tolerance = network.tolerance(name)
    tally = LayerTally.of_result(result, reference, tolerance["abs"])
    lrn = {k: v for k, v in result.extra.items() if k.startswith(("approximation", "quantization"))}
    share, sqnr = tally.share_within, tally.sqnr_db
    return LayerCheck(
        layer=name, op=op, mode=mode, type=str(result.type),
        max_abs_error=tally.max_error, mean_abs_error=tally.mean_error,
        max_error_lsb=tally.max_error / result.type.lsb, sqnr_db=sqnr, share_within=share, tolerance=tolerance,
        overflows=tally.overflows_by_stage(), lrn_errors=lrn,
        passed=bool(share >= tolerance["share"] and sqnr >= tolerance["sqnr_db"]),
    )
