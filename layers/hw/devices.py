"""The device database: FPGA parts by part number or by board name.

    >>> find_device("ultra96").BRAM_18K, find_device("xczu3eg-sbva484-1-e").DSP
    (432, 360)
    >>> find_device("xqvu7p-flra2104-1-i").available()["BRAM_18K"]
    2880
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from .device import Device


@lru_cache(maxsize=1)
def devices() -> tuple[Device, ...]:
    text = resources.files("layers.hw").joinpath("devices.yaml").read_text()
    entries = yaml.safe_load(text)["devices"]
    found = []
    for e in entries:
        for part in e["parts"]:
            found.append(Device(part, e["family"], e["LUT"], e["FF"], e["BRAM_18K"], e["URAM"], e["DSP"],
                                e["dsp_slice"], tuple(e["boards"]), float(e.get("dram_gbs", 0.0)),
                                e["part_number"] if e.get("part_number", "").startswith(part) else part))
    return tuple(found)


def find_device(name: str) -> Device:
    """A device by board name (``ultra96``) or part number (``xczu3eg-sbva484-1-e``)."""
    key = name.strip().lower()
    for device in devices():
        if key in device.boards:
            return device
    matches = [d for d in devices() if key.startswith(d.part)]
    if matches:
        return max(matches, key=lambda d: len(d.part))
    boards = sorted(b for d in devices() for b in d.boards)
    parts = sorted(d.part for d in devices())
    raise ValueError(f"unknown device {name!r}; boards: {', '.join(boards)}; parts: {', '.join(parts)}")
