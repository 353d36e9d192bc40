"""A whole network as a Vitis HLS project: firmware, testbench, expected outputs, scripts.

``export_project(network, weights, images, out)`` writes::

    OUT/firmware/types.h           one typedef per layer and array (the YAML's types)
    OUT/firmware/layers/NAME.h     each layer's canonical nest (``Layer.cpp_source``)
    OUT/firmware/weights/NAME.h    small layers' weights and biases as constant arrays
    OUT/firmware/trace.h           C-sim only: every layer's output to the testbench
    OUT/firmware/NET.h, NET.cpp    the top function chaining the layers, with interfaces
    OUT/tb/NET_tb.cpp              runs the images, compares every layer bit for bit
    OUT/tb_data/                   input.bin, expected/NAME.bin, weights/NAME_{weight,bias}.bin
    OUT/build_prj.tcl              vitis_hls -f build_prj.tcl (csim, csynth, cosim, export)
    OUT/csim.sh                    the same C-simulation with g++ and the ap_types headers
    OUT/README.md

The ``.bin`` files are little-endian raws, as ``accel export-vectors`` writes them. A
layer whose weights exceed ``header_limit`` values gets them through an ``m_axi`` port of
the top function, loaded by the testbench; smaller ones are ROMs in the firmware. g++
pays for every constant: alexnet32 with conv1 and fc3 (5,000 values) in headers takes
21 s to compile, 3.5 s with every array through a port. Nothing here switches on
layer kinds: each layer writes its own C++ and names its own parameters.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from layers.cpp.writer import initializer
from layers.hw import find_device

from . import hls_testbench
from .estimator import uses_dataflow
from .hls_plan import HEADER_LIMIT, Array, Stage, identifier, plan
from .network import Network
from .simulator import Simulator
from .vectors import write_raw
from .weights import Weights

INTERFACES = ("m_axi", "axis")


def export_project(network: Network, weights: Weights, images: np.ndarray, out: Path, *, board: str = "zcu104",
                   clock_ns: float = 10.0, interface: str | None = None, header_limit: int = HEADER_LIMIT,
                   part: str | None = None) -> dict[str, Path]:
    """Write the project for ``network`` into ``out`` with the simulator's outputs of
    ``images`` as the testbench's expectations; ``interface`` overrides the network's.
    Returns the main files by role."""
    interface = interface or network.interface
    if interface not in INTERFACES:
        raise ValueError(f"interface {interface!r} must be one of {', '.join(INTERFACES)}")
    device_part = part or full_part(board)
    stages = plan(network, weights, header_limit)
    top = identifier(network.name)
    sim = Simulator(network, weights).run(images, batch_size=len(images))
    firmware, data = out / "firmware", out / "tb_data"
    for folder in (firmware / "layers", firmware / "weights", out / "tb", data / "expected", data / "weights"):
        folder.mkdir(parents=True, exist_ok=True)
    files = {"types": firmware / "types.h", "top": firmware / f"{top}.cpp", "header": firmware / f"{top}.h",
             "testbench": out / "tb" / f"{top}_tb.cpp", "tcl": out / "build_prj.tcl", "csim": out / "csim.sh",
             "readme": out / "README.md"}
    files["types"].write_text(_types_header(network, stages))
    for stage in stages:
        (firmware / "layers" / f"{stage.ident}.h").write_text(
            f"#pragma once\n#include \"../types.h\"\n\n{stage.layer.cpp_source(stage.in_shape, stage.in_type, stage.ident)}")
        for array in stage.params:
            if array.in_header:
                continue
            write_raw(data / "weights" / array.name, array.raw, array.type, dat=False)
        if any(a.in_header for a in stage.params):
            (firmware / "weights" / f"{stage.ident}.h").write_text(_weights_header(stage))
        write_raw(data / "expected" / stage.ident, sim[stage.layer.name].raw, stage.out_type, dat=False)
    write_raw(data / "input", sim.input_raw, network.input_type, dat=False)
    (firmware / "trace.h").write_text(hls_testbench.TRACE_HEADER)
    files["header"].write_text(_top_header(top, stages, interface))
    port = "".join(f" {key}={value}" for key, value in (("max_widen_bitwidth", network.port_bits),
                                                         ("max_read_burst_length", network.port_burst),
                                                         ("latency", network.port_latency)) if value)
    files["top"].write_text(_top_source(top, stages, interface, uses_dataflow(network), port))
    files["testbench"].write_text(hls_testbench.source(top, stages, len(images), interface))
    files["tcl"].write_text(_tcl(top, device_part, clock_ns))
    files["csim"].write_text(_csim_script(top))
    files["csim"].chmod(0o755)
    files["readme"].write_text(_readme(network, top, stages, device_part, clock_ns, len(images), interface))
    return files


def project_bytes(out: Path) -> int:
    return sum(p.stat().st_size for p in out.rglob("*") if p.is_file())


def full_part(board: str) -> str:
    """The part ``set_part`` takes: a full part number as given, else the board's part."""
    device = find_device(board)
    return board if board.lower().startswith(device.part) and len(board) > len(device.part) else device.part_number


def _types_header(network: Network, stages: list[Stage]) -> str:
    lines = [f"// Types of {network.name}, from {Path(network.source).name}: one typedef per layer and array.",
             "#pragma once", "#include <ap_fixed.h>", "",
             f"typedef {network.input_type.cpp()} input_t;  // the network's input"]
    for stage in stages:
        shapes = " + ".join("x".join(map(str, shape)) for shape in stage.in_shapes)
        lines.append(f"\n// {stage.ident} ({stage.layer.op}): {shapes} -> {'x'.join(map(str, stage.out_shape))}"
                     + (f", from {', '.join(stage.sources)}" if len(stage.sources) > 1 else ""))
        if len(stage.in_types) == 1:
            lines.append(f"typedef {stage.in_type.cpp()} {stage.ident}_input_t;")
        else:  # a merge: one input type per tensor it takes
            lines += [f"typedef {t.cpp()} {stage.ident}_input{k}_t;" for k, t in enumerate(stage.in_types, 1)]
        lines += [f"typedef {a.type.cpp()} {a.name}_t;" for a in stage.params]
        lines.append(f"typedef {stage.out_type.cpp()} {stage.ident}_output_t;")
    lines.append(f"\ntypedef {stages[-1].out_type.cpp()} output_t;  // the network's output")
    return "\n".join(lines) + "\n"


def _weights_header(stage: Stage) -> str:
    lines = [f"// {stage.ident}'s parameters, quantized to their types (values exact as doubles).",
             "#pragma once", '#include "../types.h"', ""]
    for a in stage.params:
        values = a.type.from_raw(a.raw)
        lines.append(f"static const {a.name}_t {a.name}[{a.size}] = {initializer(values)};")
    return "\n".join(lines) + "\n"


def _port_arrays(stages: list[Stage]) -> list[Array]:
    return [a for s in stages for a in s.params if not a.in_header]


def _signature(top: str, stages: list[Stage], interface: str) -> str:
    first, last = stages[0], stages[-1]
    if interface == "axis":
        args = ["hls::stream<input_t>& in", "hls::stream<output_t>& out"]
    else:
        args = [f"const input_t in[{first.in_size}]", f"output_t out[{last.out_size}]"]
    args += [f"const {a.name}_t {a.name}[{a.size}]" for a in _port_arrays(stages)]
    return f"void {top}({', '.join(args)})"


def _top_header(top: str, stages: list[Stage], interface: str) -> str:
    include = "#include <hls_stream.h>\n" if interface == "axis" else ""
    sizes = "".join(f"#define {s.ident.upper()}_OUT_SIZE {s.out_size}\n" for s in stages)
    return (f"// The top function of {top}, written by accel export-hls.\n#pragma once\n{include}#include \"types.h\"\n\n"
            f"#define INPUT_SIZE {stages[0].in_size}\n#define OUTPUT_SIZE {stages[-1].out_size}\n{sizes}\n"
            f"{_signature(top, stages, interface)};\n")


def _top_source(top: str, stages: list[Stage], interface: str, dataflow: bool, port: str = "") -> str:
    """The top function; ``port``: the m_axi options the network's interface gives (its
    width and burst length, as the estimator costs them)."""
    lines = [f"// {top}: the layers in order, each on the outputs it names (the previous one's by default).",
             f'#include "{top}.h"',
             '#include "trace.h"']
    lines += [f'#include "layers/{s.ident}.h"' for s in stages]
    lines += [f'#include "weights/{s.ident}.h"' for s in stages if any(a.in_header for a in s.params)]
    lines += ["", f"{_signature(top, stages, interface)} {{"]
    if interface == "axis":
        lines += ["#pragma HLS INTERFACE axis port=in", "#pragma HLS INTERFACE axis port=out"]
    else:
        lines += [f"#pragma HLS INTERFACE m_axi port=in offset=slave bundle=gmem_in depth={stages[0].in_size}{port}",
                  f"#pragma HLS INTERFACE m_axi port=out offset=slave bundle=gmem_out depth={stages[-1].out_size}{port}"]
    lines += [f"#pragma HLS INTERFACE m_axi port={a.name} offset=slave bundle=gmem_weights depth={a.size}{port}"
              for a in _port_arrays(stages)]
    lines.append("#pragma HLS INTERFACE s_axilite port=return")
    if dataflow:
        lines.append("#pragma HLS DATAFLOW")
    buffers = {"input": "in"}  # tensor -> the array that holds it
    if interface == "axis":
        lines += [f"  static input_t image[{stages[0].in_size}];",
                  f"  read_input: for (int i = 0; i < {stages[0].in_size}; i++) {{", "#pragma HLS PIPELINE II=1",
                  "    image[i] = in.read();", "  }"]
        buffers["input"] = "image"
    for k, stage in enumerate(stages):
        target = "out" if k == len(stages) - 1 and interface != "axis" else f"{stage.ident}_out"
        if target != "out":
            lines.append(f"  static {stage.ident}_output_t {target}[{stage.out_size}];")
        params = [a.name for a in stage.params]
        inputs = [buffers[name] for name in stage.sources]
        lines.append(f"  {stage.ident}_layer({', '.join([*inputs, *params, target])});")
        lines.append(f'  ACCEL_TRACE("{stage.ident}", {target}, {stage.out_size});')
        buffers[stage.ident] = source = target
    if interface == "axis":
        lines += [f"  write_output: for (int i = 0; i < {stages[-1].out_size}; i++) {{", "#pragma HLS PIPELINE II=1",
                  f"    out.write({source}[i]);", "  }"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _tcl(top: str, part: str, clock_ns: float) -> str:
    return f"""# Vitis HLS project of {top}, written by accel export-hls.
#   vitis_hls -f build_prj.tcl                         C-simulation and synthesis
#   vitis_hls -f build_prj.tcl -tclargs cosim=1 export=1
array set opt {{csim 1 synth 1 cosim 0 export 0}}
foreach arg $::argv {{
  foreach {{key value}} [split $arg =] {{ set opt($key) $value }}
}}
open_project -reset {top}_prj
set_top {top}
add_files firmware/{top}.cpp -cflags "-std=c++14 -Ifirmware"
add_files -tb tb/{top}_tb.cpp -cflags "-std=c++14"
add_files -tb tb_data
open_solution -reset solution1 -flow_target vivado
set_part {{{part}}}
create_clock -period {clock_ns:g} -name default
if {{$opt(csim)}} {{ csim_design }}
if {{$opt(synth)}} {{ csynth_design }}
if {{$opt(cosim)}} {{ cosim_design }}
if {{$opt(export)}} {{ export_design -format ip_catalog }}
exit
"""


def _csim_script(top: str) -> str:
    return f"""#!/bin/sh
# C-simulation of {top} with g++ and the Xilinx ap_types headers, without Vitis:
#   ./csim.sh /path/to/ap_types        (or set AP_TYPES, or XILINX_HLS)
set -e
cd "$(dirname "$0")"
AP="${{1:-${{AP_TYPES:-${{XILINX_HLS:+$XILINX_HLS/include}}}}}}"
if [ -z "$AP" ] || [ ! -f "$AP/ap_fixed.h" ]; then
  echo "csim.sh: give the folder holding ap_fixed.h (argument, AP_TYPES or XILINX_HLS)" >&2; exit 2
fi
${{CXX:-g++}} -std=c++14 ${{CXXFLAGS:--O2}} -w -Ifirmware -I"$AP" firmware/{top}.cpp tb/{top}_tb.cpp -o csim_{top}
./csim_{top} tb_data
"""


def _readme(network: Network, top: str, stages: list[Stage], part: str, clock_ns: float, images: int,
            interface: str) -> str:
    ports = _port_arrays(stages)
    rows = "\n".join(f"| `{s.ident}` | {s.layer.op} | {' + '.join('x'.join(map(str, shape)) for shape in s.in_shapes)} → "
                     f"{'x'.join(map(str, s.out_shape))} | `{s.out_type.cpp()}` | "
                     f"{'header' if s.params and s.params[0].in_header else ('port' if s.params else '')} |"
                     for s in stages)
    return f"""# {top}: a Vitis HLS project written by `accel export-hls`

From `{network.source}`: {len(stages)} layers, part `{part}`, clock {clock_ns:g} ns, `{interface}` interfaces.
Every layer's header in `firmware/layers/` is the loop nest the simulator runs (same order,
tiles and types), with the network YAML's directives as pragmas.

| layer | kind | shape | output type | weights |
|---|---|---|---|---|
{rows}

`tb/{top}_tb.cpp` runs {images} image(s) from `tb_data/input.bin` and compares every layer's
output with `tb_data/expected/LAYER.bin` (the simulator's, little-endian raws), printing the
first differing layer and index; exit status 0 only when every value matches.
{len(ports)} weight array(s) come through `m_axi` ports; the testbench loads them from
`tb_data/weights/`.

- Vitis HLS: `vitis_hls -f build_prj.tcl` (C-simulation, then synthesis);
  `vitis_hls -f build_prj.tcl -tclargs cosim=1 export=1` adds co-simulation and the IP.
- Without Vitis: `./csim.sh /path/to/ap_types` compiles the same C-simulation with g++.
- After synthesis: `accel calibrate --config {Path(network.source).name} --reports {top}_prj/solution1/syn/report`
  puts the estimator's figures beside Vitis' for every layer (each layer is its own module,
  `LAYER_layer`), and `--out profile.yaml` fits the estimator to them.
"""
