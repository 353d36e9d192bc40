"""The C++ testbench of an exported HLS project (``accel.hls_project``).

The top function calls ``ACCEL_TRACE`` after every layer (``firmware/trace.h``: compiled
out of synthesis by ``__SYNTHESIS__``); the testbench's hook compares that layer's
outputs with the simulator's raws, so the first layer that differs is named, with the
first differing index — not just a wrong final answer.
"""

from __future__ import annotations

from .hls_plan import Stage
from .vectors import element_bytes

TRACE_HEADER = """// C-simulation only: the top function hands every layer's output to the testbench.
#pragma once
#ifndef __SYNTHESIS__
#include <cstdint>
#include <vector>

// Set by the testbench: a layer's name, its outputs' raw bits (low `width` bits) and width.
typedef void (*accel_trace_fn)(const char* layer, const std::vector<uint64_t>& bits, int width);

inline accel_trace_fn& accel_trace() {
  static accel_trace_fn hook = 0;
  return hook;
}

template <class T>
void accel_trace_layer(const char* layer, const T* data, long n) {
  if (!accel_trace()) return;
  std::vector<uint64_t> bits(n);
  for (long i = 0; i < n; i++) bits[i] = data[i].range(T::width - 1, 0).to_uint64();
  accel_trace()(layer, bits, T::width);
}
#define ACCEL_TRACE(layer, data, n) accel_trace_layer(layer, data, n)
#else
#define ACCEL_TRACE(layer, data, n)
#endif
"""


def source(top: str, stages: list[Stage], images: int, interface: str) -> str:
    expected = ",\n".join(f'  {{"{s.ident}", {s.out_size}L, {element_bytes(s.out_type)}, {{}}, 0}}' for s in stages)
    ports = [a for s in stages for a in s.params if not a.in_header]
    loads = "".join(f'  std::vector<{a.name}_t> {a.name} = read_values<{a.name}_t>(data + "/weights/{a.name}.bin", '
                    f'{a.size}L, {element_bytes(a.type)});\n' for a in ports)
    weights = "".join(f", {a.name}.data()" for a in ports)
    if interface == "axis":
        call = f"""    hls::stream<input_t> in;
    hls::stream<output_t> out;
    for (long i = 0; i < INPUT_SIZE; i++) in.write(input[image * INPUT_SIZE + i]);
    {top}(in, out{weights});
    for (long i = 0; i < OUTPUT_SIZE; i++) result[i] = out.read();"""
    else:
        call = f"    {top}(&input[image * INPUT_SIZE], result.data(){weights});"
    in_bytes = element_bytes(stages[0].in_type)
    return f"""// Testbench of {top}, written by accel export-hls: the images of tb_data/input.bin through
// {top}, every layer's output compared bit for bit with the simulator's (tb_data/expected/).
// Exit status 0 only when every value of every layer matches.
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include "../firmware/{top}.h"
#include "../firmware/trace.h"

struct Expected {{
  const char* layer;
  long size;  // values per image
  int bytes;  // bytes per raw in the .bin file
  std::vector<uint64_t> bits;
  long differing;
}};

static Expected expected[] = {{
{expected}
}};
static const int LAYERS = {len(stages)};
static const long IMAGES = {images};
static long image = 0;
static int next_layer = 0;
static bool image_differs = false;

static std::vector<uint64_t> read_bits(const std::string& path, long count, int bytes) {{
  std::vector<uint64_t> bits(count);
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {{ std::fprintf(stderr, "cannot open %s\\n", path.c_str()); std::exit(2); }}
  for (long i = 0; i < count; i++) {{
    unsigned char buf[8] = {{0}};
    if (std::fread(buf, 1, bytes, f) != (size_t)bytes) {{ std::fprintf(stderr, "%s: too short\\n", path.c_str()); std::exit(2); }}
    uint64_t value = 0;
    for (int b = bytes - 1; b >= 0; b--) value = (value << 8) | buf[b];  // little-endian
    bits[i] = value;
  }}
  std::fclose(f);
  return bits;
}}

template <class T>
std::vector<T> read_values(const std::string& path, long count, int bytes) {{
  std::vector<uint64_t> bits = read_bits(path, count, bytes);
  std::vector<T> values(count);
  for (long i = 0; i < count; i++) values[i].range(T::width - 1, 0) = bits[i];  // the low W bits are the raw
  return values;
}}

static void check(const char* layer, const std::vector<uint64_t>& bits, int width) {{
  if (next_layer >= LAYERS || std::strcmp(expected[next_layer].layer, layer) != 0) {{
    std::fprintf(stderr, "image %ld: layer %s traced out of order\\n", image, layer);
    std::exit(2);
  }}
  Expected& e = expected[next_layer++];
  const uint64_t mask = width >= 64 ? ~0ULL : ((1ULL << width) - 1);
  long first = -1, differing = 0;
  for (long i = 0; i < e.size; i++) {{
    if ((bits[i] & mask) != (e.bits[image * e.size + i] & mask)) {{
      if (first < 0) first = i;
      differing++;
    }}
  }}
  if (differing && !image_differs) {{
    std::printf("image %ld: first differing layer %s, index %ld: raw 0x%llx, expected 0x%llx (%ld of %ld values differ)\\n",
                image, layer, first, (unsigned long long)(bits[first] & mask),
                (unsigned long long)(e.bits[image * e.size + first] & mask), differing, e.size);
    image_differs = true;
  }}
  e.differing += differing;
}}

int main(int argc, char** argv) {{
  const std::string data = argc > 1 ? argv[1] : "tb_data";
  std::vector<input_t> input = read_values<input_t>(data + "/input.bin", IMAGES * INPUT_SIZE, {in_bytes});
  for (int k = 0; k < LAYERS; k++)
    expected[k].bits = read_bits(data + "/expected/" + expected[k].layer + ".bin", IMAGES * expected[k].size,
                                 expected[k].bytes);
{loads}  accel_trace() = check;
  std::vector<output_t> result(OUTPUT_SIZE);
  long failed = 0;
  for (image = 0; image < IMAGES; image++) {{
    next_layer = 0;
    image_differs = false;
{call}
    if (next_layer != LAYERS) {{ std::fprintf(stderr, "image %ld: %d of %d layers traced\\n", image, next_layer, LAYERS); return 2; }}
    failed += image_differs;
  }}
  for (int k = 0; k < LAYERS; k++)
    std::printf("%-16s %10ld values  %s\\n", expected[k].layer, IMAGES * expected[k].size,
                expected[k].differing ? "DIFFER" : "bit-exact");
  std::printf("{top}: %ld of %ld images bit-exact in every layer: %s\\n", IMAGES - failed, IMAGES, failed ? "FAIL" : "PASS");
  return failed ? 1 : 0;
}}
"""
