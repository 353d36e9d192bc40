"""``BIND_STORAGE`` types, constant tables (ROMs) and products cast before their sum: how
each changes the ports, the banks and the binding the estimate costs."""

from __future__ import annotations

import pytest

from layers import Conv, Dense, Directives, LayerTypes
from layers.core.storage import StorageSpec
from layers.hw import Profile
from layers.hw.devices import find_device
from quant import FixedType

Q16 = FixedType.parse("ap_fixed<16,4>")
TYPES = LayerTypes(Q16, Q16, Q16, FixedType.parse("ap_fixed<40,16>"), Q16)
ZU3 = find_device("ultra96")
PROFILE = Profile.load()


def ii(layer, shape, profile=PROFILE) -> int:
    dominant = layer.estimate(shape, Q16, ZU3, profile).dominant
    return int(dominant.split("II=")[1].split(",")[0].split(")")[0])


def test_storage_spec_reads_implementation_and_type() -> None:
    assert StorageSpec.parse("w", "bram") == StorageSpec("w", "bram", "ram_2p")
    single = StorageSpec.parse("in", ["bram", "ram_1p"])
    assert (single.read_ports, single.own_write_port, single.is_rom) == (1, False, False)
    assert StorageSpec.parse("o", ["auto", "ram_s2p"]).own_write_port
    assert single.pragma("in") == "BIND_STORAGE variable=in type=ram_1p impl=bram"
    assert StorageSpec.parse("w", ["auto", "rom_1p"]).pragma("w") == "BIND_STORAGE variable=w type=rom_1p"
    for bad in ("flash", ["bram"], ["bram", "ram_9p"], ["bram", "ram_1p", "x"], 3):
        with pytest.raises(ValueError, match="must be an implementation"):
            StorageSpec.parse("w", bad)


def test_a_single_port_ram_halves_the_reads_a_cycle() -> None:
    """A public Vivado HLS 2020.1 conv (aa08453/CNN-on-FPGA ``conv2``) copies its input into a
    ``RAM_1P_BRAM`` and reads 72 words of it a pipeline iteration: II 72 (reported 73); on
    the default two-port RAM, 36."""
    def conv(storage):
        return Conv("c", 16, (3, 3), TYPES, padding=1, directives=Directives(
            pipeline="c", unroll=(("n", 0),), storage=storage, ports=(("weight", 2), ("bias", 2), ("output", 2))))
    assert ii(conv((("input", "bram", "ram_1p"),)), (8, 14, 14)) == 72
    assert ii(conv((("input", "bram"),)), (8, 14, 14)) == 36
    assert any("BIND_STORAGE variable=input type=ram_1p impl=bram" in p
               for p in conv((("input", "bram", "ram_1p"),)).cpp_pragmas((8, 14, 14)))


def test_a_simple_dual_port_ram_writes_through_a_port_of_its_own() -> None:
    """Four partial sums read and written back a cycle from one bank: a two-port RAM serves
    the 8 accesses in 4 cycles, a simple dual-port one (``ram_s2p``) its 4 reads on its read
    port while the 4 writes use the write port (4), a single-port one all 8 on one port (8)."""
    def fc(kind):
        return Dense("fc", 64, TYPES, tiles=(("n", 32),), order=("n", "m"),
                     directives=Directives(pipeline="m", unroll=(("m", 4),), storage=(("output", "bram", kind),)))
    assert [ii(fc(kind), (64,)) for kind in ("ram_2p", "ram_s2p", "ram_1p")] == [4, 4, 8]


def test_a_rom_read_in_parallel_is_partitioned_by_vitis_not_by_vivado_hls() -> None:
    """ryan880718/HLS_LabA solution4 (Vitis 2020.1): the DCT's 8x8 coefficient table, read 8
    words a cycle by the unrolled inner loop, comes out as 8 ROMs of 8 words with no pragma,
    and the loop runs at II 1; a RAM (or a ROM under vivado-hls) stays one memory of two
    ports: II 4."""
    def dct(rom):
        return Dense("dct", 8, TYPES, bias=False, directives=Directives(
            pipeline="m", rom=rom, partition=(("input", "complete", 0, 1),), ports=(("input", 2), ("output", 2))))
    rom = dct(("weight",)).estimate((8,), Q16, ZU3, PROFILE)
    weight = next(m for m in rom.memories if m.name == "weight")
    assert (weight.banks, ii(dct(("weight",)), (8,))) == (8, 1)
    assert ii(dct(()), (8,)) == 4
    assert ii(dct(("weight",)), (8,), PROFILE.with_tool("vivado-hls")) == 4
    explicit = Dense("dct", 8, TYPES, bias=False, directives=Directives(  # a pragma of its own wins
        pipeline="m", rom=("weight",), partition=(("weight", "cyclic", 2, 2), ("input", "complete", 0, 1)),
        ports=(("input", 2), ("output", 2))))
    assert next(m for m in explicit.estimate((8,), Q16, ZU3, PROFILE).memories if m.name == "weight").banks == 2


def test_products_cast_before_the_sum_are_built_in_luts_when_narrow() -> None:
    """aa08453/CNN-on-FPGA ``conv2`` (Vivado HLS 2020.1): 72 ``ap_fixed<8,5>`` products a
    cycle, each cast to ``<8,5>`` before the add, so no DSP post-adder can take the add:
    0 DSPs, the products in LUTs. Summed exactly (product type ``full``), the same products
    map to DSP multiply-adds; 16-bit ones stay in DSPs either way."""
    f85 = FixedType.parse("ap_fixed<8,5>")

    def conv(t, product):
        types = LayerTypes(t, t, t, t if product != "full" else FixedType.parse("ap_fixed<24,12>"), t, product=product)
        return Conv("c", 16, (3, 3), types, padding=1, directives=Directives(pipeline="c", unroll=(("n", 0),)))
    cast = conv(f85, f85).estimate((8, 14, 14), f85, ZU3, PROFILE)
    exact = conv(f85, "full").estimate((8, 14, 14), f85, ZU3, PROFILE)
    wide = conv(Q16, Q16).estimate((8, 14, 14), Q16, ZU3, PROFILE)
    assert (cast.DSP, exact.DSP, wide.DSP) == (0, 72, 72)
    assert cast.LUT > exact.LUT


def test_bind_op_latency_sets_the_products_stages() -> None:
    """``bind: {impl: dsp, latency: 4}`` (UG1399's BIND_OP latency=): each product takes that
    many cycles instead of the release's (2 registered stages in 2021.2+), so the pipeline's
    iteration and a rolled loop's body grow by the difference; the exported pragma says it."""
    def fc(bind_latency, **directives):
        return Dense("fc", 16, TYPES, directives=Directives(bind_latency=bind_latency, **directives))
    depth = lambda est: int(est.dominant.split("depth ")[1].split(")")[0])  # noqa: E731
    piped = [fc(latency, pipeline="n").estimate((16,), Q16, ZU3, PROFILE) for latency in (None, 4)]
    assert depth(piped[1]) - depth(piped[0]) == 4 - PROFILE.latency("multiply")
    rolled = [fc(latency, auto_pipeline=False).estimate((16,), Q16, ZU3, PROFILE) for latency in (None, 4)]
    assert rolled[1].WorstLatency - rolled[0].WorstLatency == 16 * 16 * (4 - PROFILE.latency("multiply"))
    assert any("BIND_OP variable=p op=mul impl=dsp latency=4" in p for p in fc(4, pipeline="n").cpp_pragmas((16,)))
    assert "#pragma HLS BIND_OP variable=p op=mul impl=dsp latency=4" in fc(4, pipeline="n").cpp_source((16,), Q16, "fc")
    with pytest.raises(ValueError, match="bind latency 40 must be from 0 to 16"):
        fc(40).estimate((16,), Q16, ZU3, PROFILE)
