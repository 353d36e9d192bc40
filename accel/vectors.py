"""Test vectors for real HLS testbenches: one layer's input, weights, bias and expected
output as raw fixed-point integers, plus a minimal C++ testbench that checks a C++ layer.

For layer ``NAME`` the files are

- ``NAME_{input,weight,bias,output}.bin``: little-endian two's complement raws, 1, 2, 4
  or 8 bytes each (the smallest that holds the type), in C order (PyTorch layouts);
- ``NAME_{...}.dat``: the same, one hex word per line (for ``$readmemh``);
- ``NAME_vectors.h``: the types (``typedef ap_fixed<…> NAME_input_t`` …), the shapes and
  the file names;
- ``NAME_layer.h``: the layer in its canonical loop nest (``Layer.cpp_source``: conv,
  dense and maxpool have one), the same C++ as the module docstrings show — replace it by
  your own HLS code;
- ``NAME_tb.cpp``: loads the ``.bin`` files, runs the layer image by image and compares
  every output bit for bit; exit status 0 only when all match.

The same vectors drive Vitis C-sim, co-sim and the board.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from quant import FixedType

from .network import Network
from .simulator import Simulator
from .weights import Weights


def element_bytes(t: FixedType) -> int:
    for size in (1, 2, 4, 8):
        if t.width <= 8 * size:
            return size
    raise ValueError(f"{t}: raws wider than 64 bits cannot be exported")


def write_raw(path_stem: Path, raw: np.ndarray, t: FixedType, dat: bool = True) -> None:
    """``STEM.bin`` (little-endian raws) and, with ``dat``, ``STEM.dat`` (hex words)."""
    size = element_bytes(t)
    flat = np.asarray(raw, dtype=np.int64).reshape(-1)
    flat.astype(f"<i{size}").tofile(path_stem.with_name(path_stem.name + ".bin"))
    if not dat:
        return
    digits = (t.width + 3) // 4
    mask = (1 << t.width) - 1
    path_stem.with_name(path_stem.name + ".dat").write_text("".join(f"{int(v) & mask:0{digits}x}\n" for v in flat.tolist()))


def export_layer(network: Network, weights: Weights, images: np.ndarray, name: str, out: Path) -> dict[str, Path]:
    """Simulate ``images`` through the network and write the vectors of layer ``name``."""
    layer = network.layer(name)
    if layer.arity != 1:
        raise ValueError(f"{network.source}: layer {name!r} ({layer.op}) takes {layer.arity} tensors; export-vectors "
                         f"writes one-input layers (accel export-hls writes the whole network, merges included)")
    out.mkdir(parents=True, exist_ok=True)
    sim = Simulator(network, weights).run(images, batch_size=len(images))
    in_type = next(t for l, t, _ in network.io_types() if l.name == name)
    index = [l.name for l in network.layers].index(name)
    (source,) = network.sources(index)
    in_raw = sim.input_raw if source == network.INPUT else sim[source].raw
    result = sim[name]
    arrays = {"input": (in_raw, in_type), "output": (result.raw, result.type)}
    for param, (raw, t) in layer.param_raws(weights.get(name, {})).items():
        arrays[param] = (raw, t)
    files = {}
    for key, (raw, t) in arrays.items():
        stem = out / f"{name}_{key}"
        write_raw(stem, raw, t)
        files[key] = stem.with_suffix(".bin")
    shapes = {key: tuple(raw.shape[1:]) if key in ("input", "output") else tuple(raw.shape)
              for key, (raw, _) in arrays.items()}
    (out / f"{name}_vectors.h").write_text(_vectors_header(name, arrays, shapes, len(images)))
    files["layer"] = out / f"{name}_layer.h"
    files["layer"].write_text(_layer_source(layer, name, shapes, in_type))
    files["testbench"] = out / f"{name}_tb.cpp"
    files["testbench"].write_text(_testbench_source(name, arrays))
    return files


def _vectors_header(name: str, arrays: dict, shapes: dict, images: int) -> str:
    lines = [f"// Test vectors of layer {name}: raw fixed-point values, written by accel export-vectors.",
             "#pragma once", "#include <ap_fixed.h>", f"#define {name.upper()}_IMAGES {images}"]
    for key, (raw, t) in arrays.items():
        lines.append(f"typedef {t.cpp()} {name}_{key}_t;")
        lines.append(f"#define {name.upper()}_{key.upper()}_SIZE {int(np.prod(shapes[key]))}")
        lines.append(f"#define {name.upper()}_{key.upper()}_BYTES {element_bytes(t)}")
        lines.append(f'#define {name.upper()}_{key.upper()}_FILE "{name}_{key}.bin"')
    return "\n".join(lines) + "\n"


def _layer_source(layer, name: str, shapes: dict, in_type: FixedType) -> str:
    head = f'#pragma once\n#include "{name}_vectors.h"\n'
    try:
        return head + layer.cpp_source(shapes["input"], in_type, name)
    except NotImplementedError:
        raise ValueError(f"layer {name!r} ({layer.op}): this kind has no canonical C++ to export; "
                         f"its vectors were written") from None


def _testbench_source(name: str, arrays: dict) -> str:
    has_params = "weight" in arrays
    up = name.upper()
    params_load = f"""
  std::vector<{name}_weight_t> w = load<{name}_weight_t>({up}_WEIGHT_FILE, {up}_WEIGHT_SIZE, {up}_WEIGHT_BYTES);
  std::vector<{name}_bias_t> b = load<{name}_bias_t>({up}_BIAS_FILE, {up}_BIAS_SIZE, {up}_BIAS_BYTES);""" if has_params else ""
    call = (f"{name}_layer(&in[k * {up}_INPUT_SIZE], w.data(), b.data(), got.data());" if has_params
            else f"{name}_layer(&in[k * {up}_INPUT_SIZE], got.data());")
    return f"""// Minimal C++ testbench for layer {name}, written by accel export-vectors.
// Build: g++ -std=c++14 -I<ap_types> {name}_tb.cpp -o {name}_tb && ./{name}_tb
#include <cstdio>
#include <cstdint>
#include <vector>
#include "{name}_layer.h"

template <class T>
std::vector<T> load(const char* path, long size, int bytes, long count = 1) {{
  std::vector<T> out(size * count);
  FILE* f = std::fopen(path, "rb");
  if (!f) {{ std::fprintf(stderr, "cannot open %s\\n", path); std::exit(2); }}
  for (long i = 0; i < size * count; i++) {{
    uint8_t buf[8] = {{0}};
    if (std::fread(buf, 1, bytes, f) != (size_t)bytes) {{ std::fprintf(stderr, "%s: too short\\n", path); std::exit(2); }}
    uint64_t bits = 0;
    for (int b = bytes - 1; b >= 0; b--) bits = (bits << 8) | buf[b];
    out[i].range(T::width - 1, 0) = bits;  // the low W bits are the raw value
  }}
  std::fclose(f);
  return out;
}}

int main() {{
  const long images = {up}_IMAGES;
  std::vector<{name}_input_t> in = load<{name}_input_t>({up}_INPUT_FILE, {up}_INPUT_SIZE, {up}_INPUT_BYTES, images);
  std::vector<{name}_output_t> expected = load<{name}_output_t>({up}_OUTPUT_FILE, {up}_OUTPUT_SIZE, {up}_OUTPUT_BYTES, images);{params_load}
  long errors = 0;
  std::vector<{name}_output_t> got({up}_OUTPUT_SIZE);
  for (long k = 0; k < images; k++) {{
    {call}
    for (long i = 0; i < {up}_OUTPUT_SIZE; i++) {{
      if (got[i] != expected[k * {up}_OUTPUT_SIZE + i]) {{
        if (errors < 10) std::printf("image %ld output %ld: got %s expected %s\\n", k, i,
                                     got[i].to_string(10).c_str(), expected[k * {up}_OUTPUT_SIZE + i].to_string(10).c_str());
        errors++;
      }}
    }}
  }}
  std::printf("%s: %ld of %ld outputs differ: %s\\n", "{name}", errors, images * {up}_OUTPUT_SIZE, errors ? "FAIL" : "PASS");
  return errors ? 1 : 0;
}}
"""
