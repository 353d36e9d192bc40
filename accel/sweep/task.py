"""The unit of work of a sweep (or a tune): some points on one chunk of images.

Runs in a worker process (or on a Dask worker), so it takes and returns plain, picklable
data. The float reference of the chunk is computed once and shared by its points.
"""

from __future__ import annotations

import numpy as np

from ..network import Network
from ..simulator import Simulator, simulate_float
from ..weights import Weights
from .grid import SweepPoint
from .tally import RunTally


def network_inputs(network: Network, data: np.ndarray, warn: bool = True) -> np.ndarray:
    """The network's inputs from a sweep's data: uint8 image pixels through the network's
    preprocessing; float arrays (``--input``) are its inputs already."""
    return network.input_from_pixels(data, warn=warn) if data.dtype == np.uint8 else np.asarray(data, np.float64)


def evaluate_chunk(network: Network, weights: Weights, points: list[SweepPoint], pixels: np.ndarray,
                   labels: np.ndarray) -> list[dict]:
    """Each point's ``RunTally`` (as a dict) on these uint8 images, in the order of ``points``
    (anything with ``apply(network)``: a ``SweepPoint``, a ``TunePoint``)."""
    images = network_inputs(network, pixels, warn=False)  # the sweep command has warned, once
    reference = simulate_float(network, weights, images, dtype=np.float32)  # as the float model runs
    labels = np.asarray(labels, dtype=np.int64)
    results = []
    for point in points:
        sim = Simulator(point.apply(network), weights, detail=False).run(images, batch_size=len(images))
        results.append(RunTally.of(sim, reference, labels).as_dict())
    return results
