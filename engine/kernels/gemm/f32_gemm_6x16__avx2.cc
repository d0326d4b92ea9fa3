// f32_gemm_6x16__avx2: FP32 GEMM microkernel, AVX2 + FMA.
// Tile 6 rows x 16 columns (2 ymm per row): 12 accumulators, 2 B vectors and 1 broadcast of
// 16 ymm registers. A panels MR = 6 (k-major), B panels NR = 16; float accumulation in k
// order. No over-read: the k loop reads exactly kc * 6 floats of A and kc * 16 of B.
#include <immintrin.h>

#include "engine/kernels/gemm/f32_gemm_tile_inl.h"

namespace trt::kernels::gemm {
namespace {

struct Avx2Vec {
  using Vec = __m256;
  using Mask = __m256i;
  static constexpr int kLanes = 8;
  static Vec Zero() { return _mm256_setzero_ps(); }
  static Vec Load(const float* p) { return _mm256_loadu_ps(p); }
  static Vec LoadU(const float* p) { return _mm256_loadu_ps(p); }
  static Vec LoadMasked(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void StoreU(float* p, Vec v) { _mm256_storeu_ps(p, v); }
  static void StoreMasked(float* p, Mask m, Vec v) { _mm256_maskstore_ps(p, m, v); }
  static Vec Set1(float x) { return _mm256_set1_ps(x); }
  static Vec Fmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  static Vec Add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
  static Vec Mul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
  static Vec Max(Vec a, Vec b) { return _mm256_max_ps(a, b); }
  static Vec Min(Vec a, Vec b) { return _mm256_min_ps(a, b); }
  // Lanes [0, n) set (n clamped to [0, 8]).
  static Mask TailMask(int n) {
    n = n < 0 ? 0 : (n > 8 ? 8 : n);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes);
  }
};

}  // namespace

void f32_gemm_6x16__avx2(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int mr,
                         int nr, bool load_c, const TileEpilogue* ep) {
  tile::F32TileRows<Avx2Vec, 6, 2>(mr, kc, a, b, c, ldc, nr, load_c, ep);
}

}  // namespace trt::kernels::gemm
