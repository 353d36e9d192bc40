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
