"""Test vectors for real HLS testbenches: one layer's input, weights, bias and expected
output as raw fixed-point integers, plus a minimal C++ testbench that checks a C++ layer.

For layer ``NAME`` the files are

- ``NAME_{input,weight,bias,output}.bin``: little-endian two's complement raws, 1, 2, 4
  or 8 bytes each (the smallest that holds the type), in C order (PyTorch layouts);
- ``NAME_{...}.dat``: the same, one hex word per line (for ``$readmemh``);
- ``NAME_vectors.h``: the types (``typedef ap_fixed<…> NAME_input_t`` …), the shapes and
  the file names;
- ``NAME_layer.h``: the layer in its canonical loop nest (conv, dense or maxpool), the
  same C++ as the module docstrings show — replace it by your own HLS code;
- ``NAME_tb.cpp``: loads the ``.bin`` files, runs the layer image by image and compares
  every output bit for bit; exit status 0 only when all match.

The same vectors drive Vitis C-sim, co-sim and the board.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from layers import Conv, Dense, MaxPool
from quant import FixedType

from .network import Network
from .simulator import Simulator
from .weights import Weights


def element_bytes(t: FixedType) -> int:
    for size in (1, 2, 4, 8):
        if t.width <= 8 * size:
            return size
    raise ValueError(f"{t}: raws wider than 64 bits cannot be exported")


def write_raw(path_stem: Path, raw: np.ndarray, t: FixedType) -> None:
    size = element_bytes(t)
    flat = np.asarray(raw, dtype=np.int64).reshape(-1)
    flat.astype(f"<i{size}").tofile(path_stem.with_suffix(".bin"))
    digits = (t.width + 3) // 4
    mask = (1 << t.width) - 1
    path_stem.with_suffix(".dat").write_text("".join(f"{int(v) & mask:0{digits}x}\n" for v in flat.tolist()))


def export_layer(network: Network, weights: Weights, images: np.ndarray, name: str, out: Path) -> dict[str, Path]:
    """Simulate ``images`` through the network and write the vectors of layer ``name``."""
    layer = network.layer(name)
    out.mkdir(parents=True, exist_ok=True)
    sim = Simulator(network, weights).run(images, batch_size=len(images))
    in_type = next(t for l, t, _ in network.io_types() if l.name == name)
    index = [l.name for l in network.layers].index(name)
    in_raw = sim.input_raw if index == 0 else sim.layers[index - 1].result.raw
    result = sim[name]
    arrays = {"input": (in_raw, in_type), "output": (result.raw, result.type)}
    if isinstance(layer, (Conv, Dense)):
        params = weights[name]
        arrays["weight"] = (layer.types.weight.to_raw(params["weight"]), layer.types.weight)
        bias = params["bias"] if layer.bias else np.zeros(params["weight"].shape[0])
        arrays["bias"] = (layer.types.bias.to_raw(bias), layer.types.bias)
    files = {}
    for key, (raw, t) in arrays.items():
        stem = out / f"{name}_{key}"
        write_raw(stem, raw, t)
        files[key] = stem.with_suffix(".bin")
    shapes = {key: tuple(raw.shape[1:]) if key in ("input", "output") else tuple(raw.shape)
              for key, (raw, _) in arrays.items()}
    (out / f"{name}_vectors.h").write_text(_vectors_header(name, arrays, shapes, len(images)))
    files["layer"] = out / f"{name}_layer.h"
    files["layer"].write_text(_layer_source(layer, name, shapes))
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


def _layer_source(layer, name: str, shapes: dict) -> str:
    head = f'#pragma once\n#include "{name}_vectors.h"\n'
    sig_io = f"const {name}_input_t* in, {name}_output_t* out"
    if isinstance(layer, Conv):
        c, h, w = shapes["input"]
        m, r, cc = shapes["output"]
        kh, kw = layer.kernel
        n_g, m_g = c // layer.groups, m // layer.groups
        tn = dict(layer.tiles).get("n", n_g)
        t = layer.types
        return head + f"""
// {name}: conv {c}x{h}x{w} -> {m}x{r}x{cc}, kernel {kh}x{kw}, stride {layer.stride}, padding {layer.padding}, groups {layer.groups}
typedef {t.product_type.cpp()} {name}_product_t;
typedef {t.accum.cpp()} {name}_accum_t;
typedef {t.partial_type.cpp()} {name}_partial_t;
inline void {name}_layer(const {name}_input_t* in, const {name}_weight_t* w, const {name}_bias_t* b, {name}_output_t* out) {{
  for (int m = 0; m < {m}; m++) for (int r = 0; r < {r}; r++) for (int c = 0; c < {cc}; c++) {{
    int g = m / {m_g};
    {name}_accum_t acc = b[m];
    for (int n0 = 0; n0 < {n_g}; n0 += {tn}) {{
      if (n0 > 0) acc = ({name}_accum_t)({name}_partial_t)acc;
      for (int {_reduction_loops(layer, tn, n_g)}) {{
        int row = {layer.stride} * r + i - {layer.padding}, col = {layer.stride} * c + j - {layer.padding};
        {name}_input_t x = 0;
        if (row >= 0 && row < {h} && col >= 0 && col < {w}) x = in[((g * {n_g} + n) * {h} + row) * {w} + col];
        {name}_product_t p = w[((m * {n_g} + n) * {kh} + i) * {kw} + j] * x;
        acc = acc + p;
      }}
    }}
    {"if (acc < 0) acc = 0;" if layer.relu else ""}
    out[(m * {r} + r) * {cc} + c] = acc;
  }}
}}
"""
    if isinstance(layer, Dense):
        (n,), (m,) = shapes["input"], shapes["output"]
        tn = dict(layer.tiles).get("n", n)
        t = layer.types
        return head + f"""
// {name}: dense {n} -> {m}
typedef {t.product_type.cpp()} {name}_product_t;
typedef {t.accum.cpp()} {name}_accum_t;
typedef {t.partial_type.cpp()} {name}_partial_t;
inline void {name}_layer(const {name}_input_t* in, const {name}_weight_t* w, const {name}_bias_t* b, {name}_output_t* out) {{
  for (int m = 0; m < {m}; m++) {{
    {name}_accum_t acc = b[m];
    for (int n0 = 0; n0 < {n}; n0 += {tn}) {{
      if (n0 > 0) acc = ({name}_accum_t)({name}_partial_t)acc;
      for (int n = n0; n < n0 + {tn} && n < {n}; n++) {{
        {name}_product_t p = w[m * {n} + n] * in[n];
        acc = acc + p;
      }}
    }}
    {"if (acc < 0) acc = 0;" if layer.relu else ""}
    out[m] = acc;
  }}
}}
"""
    if isinstance(layer, MaxPool):
        c, h, w = shapes["input"]
        _, r, cc = shapes["output"]
        k, s, p = layer.kernel, layer.stride, layer.padding
        return head + f"""
// {name}: max-pool {k}x{k}, stride {s}, padding {p}
inline void {name}_layer({sig_io}) {{
  for (int ch = 0; ch < {c}; ch++) for (int r = 0; r < {r}; r++) for (int col = 0; col < {cc}; col++) {{
    {name}_input_t best = 0;
    bool first = true;
    for (int i = 0; i < {k}; i++) for (int j = 0; j < {k}; j++) {{
      int y = {s} * r + i - {p}, x = {s} * col + j - {p};
      if (y < 0 || y >= {h} || x < 0 || x >= {w}) continue;
      {name}_input_t v = in[(ch * {h} + y) * {w} + x];
      if (first || v >= best) best = v;
      first = false;
    }}
    out[(ch * {r} + r) * {cc} + col] = best;
  }}
}}
"""
    raise ValueError(f"layer {name!r} ({layer.op}): export-vectors writes a C++ layer for conv, dense "
                     f"and maxpool; the vectors themselves were written")


def _reduction_loops(layer: Conv, tn: int, n_g: int) -> str:
    """The n, i, j loops in the layer's order, as one nested for-header chain."""
    bounds = {"n": f"n = n0; n < n0 + {tn} && n < {n_g}; n++", "i": f"i = 0; i < {layer.kernel[0]}; i++",
              "j": f"j = 0; j < {layer.kernel[1]}; j++"}
    order = [loop for loop in layer.order if loop in bounds]
    return ") for (int ".join(bounds[loop] for loop in order)


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
