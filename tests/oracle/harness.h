// Test harness around the real Xilinx ap_types headers (shipped in the hls4ml wheel).
//
// A generated program instantiates the case templates below for concrete types; the
// Python side (ap_oracle.py) streams records to stdin and reads results from stdout.
// Everything travels as little-endian 64-bit words:
//   request:  case index, element count n, then the case's input words
//   response: the output type (width, integer bits, signed), then n raw values of it,
//             each as ceil(width / 64) words, least significant word first.
#include <ap_fixed.h>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

typedef std::vector<uint64_t> Words;
typedef void (*CaseFn)(const uint64_t*& in, long n, Words& out);

template <class T>
struct Info {};
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
struct Info<ap_fixed_base<W, I, S, Q, O, N> > {
  enum { width = W, iwidth = I, is_signed = S };
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct Info<ap_fixed<W, I, Q, O, N> > {
  enum { width = W, iwidth = I, is_signed = 1 };
};
template <int W, int I, ap_q_mode Q, ap_o_mode O, int N>
struct Info<ap_ufixed<W, I, Q, O, N> > {
  enum { width = W, iwidth = I, is_signed = 0 };
};

template <class T>
inline int words_of() { return (Info<T>::width + 63) / 64; }

template <class T>
inline void set_raw(T& v, const uint64_t*& in) {
  const int w = Info<T>::width;
  for (int lo = 0; lo < w; lo += 64) {
    int hi = lo + 63 < w - 1 ? lo + 63 : w - 1;
    v.range(hi, lo) = ap_uint<64>(*in++);
  }
}

template <class T>
inline void put_raw(const T& v, Words& out) {
  const int w = Info<T>::width;
  for (int lo = 0; lo < w; lo += 64) {
    int hi = lo + 63 < w - 1 ? lo + 63 : w - 1;
    out.push_back(v.range(hi, lo).to_uint64());
  }
}

template <class T>
inline void put_info(Words& out) {
  out.push_back(Info<T>::width);
  out.push_back((uint64_t)(int64_t)Info<T>::iwidth);
  out.push_back(Info<T>::is_signed);
}

// T v = (double)x
template <class T>
void from_double(const uint64_t*& in, long n, Words& out) {
  put_info<T>(out);
  for (long i = 0; i < n; ++i) {
    double x;
    std::memcpy(&x, in++, sizeof x);
    T v = x;
    put_raw(v, out);
  }
}

// T v = (S)s
template <class S, class T>
void cast(const uint64_t*& in, long n, Words& out) {
  put_info<T>(out);
  for (long i = 0; i < n; ++i) {
    S s;
    set_raw(s, in);
    T v = s;
    put_raw(v, out);
  }
}

struct Mul { template <class A, class B> static auto go(const A& a, const B& b) -> decltype(a * b) { return a * b; } };
struct Add { template <class A, class B> static auto go(const A& a, const B& b) -> decltype(a + b) { return a + b; } };
struct Sub { template <class A, class B> static auto go(const A& a, const B& b) -> decltype(a - b) { return a - b; } };
struct Div { template <class A, class B> static auto go(const A& a, const B& b) -> decltype(a / b) { return a / b; } };

// the full-precision result of a OP b
template <class A, class B, class Op>
void binop(const uint64_t*& in, long n, Words& out) {
  typedef decltype(Op::go(A(), B())) R;
  put_info<R>(out);
  for (long i = 0; i < n; ++i) {
    A a;
    B b;
    set_raw(a, in);
    set_raw(b, in);
    R r = Op::go(a, b);
    put_raw(r, out);
  }
}

// acc = (Acc)bias; for k: acc += (Acc)(w[k] * x[k]); out = (Out)acc
// per element: K, bias, w[0..K), x[0..K)
template <class Wt, class Xt, class Bt, class Acc, class Out>
void dot(const uint64_t*& in, long n, Words& out) {
  put_info<Out>(out);
  for (long i = 0; i < n; ++i) {
    long k_len = (long)*in++;
    Bt bias;
    set_raw(bias, in);
    std::vector<Wt> w(k_len);
    std::vector<Xt> x(k_len);
    for (long k = 0; k < k_len; ++k) set_raw(w[k], in);
    for (long k = 0; k < k_len; ++k) set_raw(x[k], in);
    Acc acc = bias;
    for (long k = 0; k < k_len; ++k) acc += (Acc)(w[k] * x[k]);
    Out o = acc;
    put_raw(o, out);
  }
}

// A conv layer in the canonical tiled nest, for one image. The record's n is the number
// of outputs. Header words: C, H, W, M, KH, KW, stride, pad, Tn, order (0: n,i,j inner
// loops; 1: i,j,n), relu; then input[C][H][W], weight[M][C][KH][KW], bias[M].
template <class In, class Wt, class Bt, class Prod, class Acc, class Part, class Res>
void conv(const uint64_t*& in, long n, Words& out) {
  put_info<Res>(out);
  long C = *in++, H = *in++, W = *in++, M = *in++, KH = *in++, KW = *in++;
  long S = *in++, P = *in++, TN = *in++, order = *in++, relu = *in++;
  std::vector<In> x(C * H * W);
  std::vector<Wt> w(M * C * KH * KW);
  std::vector<Bt> b(M);
  for (auto& v : x) set_raw(v, in);
  for (auto& v : w) set_raw(v, in);
  for (auto& v : b) set_raw(v, in);
  long R = (H + 2 * P - KH) / S + 1, Cc = (W + 2 * P - KW) / S + 1;
  if (n != M * R * Cc) { std::fprintf(stderr, "conv: n=%ld, expected %ld\n", n, M * R * Cc); std::exit(3); }
  for (long m = 0; m < M; ++m)
    for (long r = 0; r < R; ++r)
      for (long c = 0; c < Cc; ++c) {
        Acc acc = b[m];
        for (long n0 = 0; n0 < C; n0 += TN) {
          if (n0 > 0) acc = (Acc)(Part)acc;
          long n1 = n0 + TN < C ? n0 + TN : C;
          auto step = [&](long ch, long i, long j) {
            long row = S * r + i - P, col = S * c + j - P;
            In v = 0;
            if (row >= 0 && row < H && col >= 0 && col < W) v = x[(ch * H + row) * W + col];
            Prod p = w[((m * C + ch) * KH + i) * KW + j] * v;
            acc = acc + p;
          };
          if (order == 0) {
            for (long ch = n0; ch < n1; ++ch) for (long i = 0; i < KH; ++i) for (long j = 0; j < KW; ++j) step(ch, i, j);
          } else {
            for (long i = 0; i < KH; ++i) for (long j = 0; j < KW; ++j) for (long ch = n0; ch < n1; ++ch) step(ch, i, j);
          }
        }
        if (relu && acc < 0) acc = 0;
        Res o = acc;
        put_raw(o, out);
      }
}

// A dense layer for one input vector. n is the number of outputs M. Header words: N, Tn,
// relu; then input[N], weight[M][N], bias[M].
template <class In, class Wt, class Bt, class Prod, class Acc, class Part, class Res>
void dense(const uint64_t*& in, long n, Words& out) {
  put_info<Res>(out);
  long N = *in++, TN = *in++, relu = *in++, M = n;
  std::vector<In> x(N);
  std::vector<Wt> w(M * N);
  std::vector<Bt> b(M);
  for (auto& v : x) set_raw(v, in);
  for (auto& v : w) set_raw(v, in);
  for (auto& v : b) set_raw(v, in);
  for (long m = 0; m < M; ++m) {
    Acc acc = b[m];
    for (long n0 = 0; n0 < N; n0 += TN) {
      if (n0 > 0) acc = (Acc)(Part)acc;
      for (long k = n0; k < N && k < n0 + TN; ++k) {
        Prod p = w[m * N + k] * x[k];
        acc = acc + p;
      }
    }
    if (relu && acc < 0) acc = 0;
    Res o = acc;
    put_raw(o, out);
  }
}

// Reads requests until EOF; CASES is defined by the generated program.
inline int serve(const CaseFn* cases, long count) {
  std::vector<uint64_t> input;
  uint64_t buf[4096];
  size_t got;
  while ((got = std::fread(buf, sizeof(uint64_t), 4096, stdin)) > 0) input.insert(input.end(), buf, buf + got);
  const uint64_t* in = input.data();
  const uint64_t* end = in + input.size();
  Words out;
  while (in < end) {
    long id = (long)*in++;
    long n = (long)*in++;
    if (id < 0 || id >= count) {
      std::fprintf(stderr, "unknown case %ld\n", id);
      return 2;
    }
    cases[id](in, n, out);
  }
  std::fwrite(out.data(), sizeof(uint64_t), out.size(), stdout);
  return 0;
}
