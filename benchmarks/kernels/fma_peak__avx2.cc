// FMA-throughput probe, AVX2: 12 independent ymm accumulators (enough to cover FMA latency x
// ports on the CPUs we run on). Returns the FLOPs executed (2 per lane per FMA).
#include <immintrin.h>

#include <cstdint>

namespace trt::bench {

double FmaProbe__avx2(int64_t iters) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(0.001f * i);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
  volatile float sink = _mm_cvtss_f32(_mm256_castps256_ps128(s));
  (void)sink;
  return static_cast<double>(iters) * 12 * 8 * 2;
}

}  // namespace trt::bench
