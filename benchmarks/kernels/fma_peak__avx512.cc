// FMA-throughput probe, AVX-512: 24 independent zmm accumulators (enough to cover FMA latency x
// ports on the CPUs we run on). Returns the FLOPs executed (2 per lane per FMA).
#include <immintrin.h>

#include <cstdint>

namespace trt::bench {

double FmaProbe__avx512(int64_t iters) {
  __m512 acc[24];
  for (int i = 0; i < 24; ++i) acc[i] = _mm512_set1_ps(0.001f * i);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 24
    for (int i = 0; i < 24; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 s = acc[0];
  for (int i = 1; i < 24; ++i) s = _mm512_add_ps(s, acc[i]);
  volatile float sink = _mm512_reduce_add_ps(s);
  (void)sink;
  return static_cast<double>(iters) * 24 * 16 * 2;
}

}  // namespace trt::bench
