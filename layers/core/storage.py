"""``BIND_STORAGE`` and constant tables: how an array is stored, as the C++ says it.

UG1399's ``#pragma HLS bind_storage variable=<v> type=<type> impl=<impl>`` names the memory
*type* (its ports) and the *implementation* (block RAM, UltraRAM, LUTs). The YAML writes
``storage: {weight: bram}`` (the implementation, a two-port RAM) or
``storage: {input: [bram, ram_1p]}`` (implementation and type). An array the C++ declares
``const`` with its values (``rom: [weight]``) is a read-only memory: Vitis builds it as a
ROM and, read by unrolled loops inside a pipeline, partitions it on its own
(``layers.hw.mac_cost``).

    >>> StorageSpec.parse("input", ["bram", "ram_1p"]).read_ports, StorageSpec.parse("w", "lutram").read_ports
    (1, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

IMPLEMENTATIONS = ("auto", "bram", "uram", "lutram")
# type -> (read ports, whether a write has a port of its own): UG1399's memory types
TYPES = {"ram_1p": (1, False), "ram_2p": (2, False), "ram_t2p": (2, False), "ram_s2p": (1, True),
         "rom_1p": (1, False), "rom_2p": (2, False)}


@dataclass(frozen=True)
class StorageSpec:
    """One array's BIND_STORAGE: implementation and memory type."""

    array: str
    impl: str = "auto"
    type: str = "ram_2p"

    @classmethod
    def parse(cls, array: str, value) -> "StorageSpec":
        """``"bram"`` or ``["bram", "ram_1p"]`` (implementation, type); a clear error otherwise."""
        impl = kind = None
        if isinstance(value, str):
            impl, kind = value, "ram_2p"
        elif isinstance(value, (list, tuple)) and len(value) == 2:
            impl, kind = value
        if impl not in IMPLEMENTATIONS or kind not in TYPES:
            raise ValueError(f"storage of {array!r}: {value!r} must be an implementation "
                             f"({', '.join(IMPLEMENTATIONS)}) or [implementation, type] with a type of "
                             f"{', '.join(TYPES)}")
        return cls(array, impl, kind)

    @property
    def read_ports(self) -> int:
        return TYPES[self.type][0]

    @property
    def own_write_port(self) -> bool:
        """A simple dual-port RAM (``ram_s2p``): reads and writes through ports of their own."""
        return TYPES[self.type][1]

    @property
    def is_rom(self) -> bool:
        return self.type.startswith("rom")

    def pragma(self, variable: str) -> str:
        impl = "" if self.impl == "auto" else f" impl={self.impl}"
        return f"BIND_STORAGE variable={variable} type={self.type}{impl}"
