"""What the package ships beside its code: two network files, the trained weights of
``alexnet32`` and their golden per-layer float outputs.

``golden/`` trains the float model and writes these files into ``accel/data/``; ``accel``
only reads them, so it never imports ``golden`` (which needs torch).

    >>> shipped_config("alexnet32").name, trained_weights("alexnet32").name, trained_weights("alexnet227")
    ('alexnet32.yaml', 'alexnet32.npz', None)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

NETWORKS = ("alexnet32", "alexnet227")  # in accel/networks/
DEFAULT_NETWORK = "alexnet32"  # what accel run classifies
DEFAULT_HARDWARE_NETWORK = "alexnet227"  # what accel report and accel dse cost (the seed's design)


def _data(*parts: str) -> Path:
    return Path(str(resources.files("accel").joinpath("data", *parts)))


def shipped_config(name: str = DEFAULT_NETWORK) -> Path:
    """Path of a network YAML shipped with the package (``alexnet32``, ``alexnet227``)."""
    if name not in NETWORKS:
        raise ValueError(f"unknown shipped network {name!r}; shipped: {', '.join(NETWORKS)}")
    return Path(str(resources.files("accel") / "networks" / f"{name}.yaml"))


def trained_weights(network_name: str) -> Path | None:
    """The trained weights shipped for a network (``data/weights/NAME.npz``), if any."""
    path = _data("weights", f"{network_name}.npz")
    return path if path.is_file() else None


def golden_outputs(network_name: str) -> Path | None:
    """The golden per-layer float outputs shipped for a network (``data/golden/NAME.npz``), if any."""
    path = _data("golden", f"{network_name}.npz")
    return path if path.is_file() else None


def weights_folder() -> Path:
    """Where ``golden`` writes trained weights and their provenance."""
    return _data("weights")


def golden_folder() -> Path:
    """Where ``golden.make_golden`` writes golden outputs."""
    return _data("golden")
