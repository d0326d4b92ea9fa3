// f32_gemm_14x32__avx512: FP32 GEMM microkernel, AVX-512F.
// Tile 14 rows x 32 columns (2 zmm per row): 28 accumulators, 2 B vectors and 1 broadcast of
// 32 zmm registers. A panels MR = 14 (k-major), B panels NR = 32; float accumulation in k
// order. Column tails use AVX-512 write masks. No over-read of A or B.
#include <immintrin.h>

#include "engine/kernels/gemm/f32_gemm_tile_inl.h"

namespace trt::kernels::gemm {
namespace {

struct Avx512Vec {
  using Vec = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;
  static Vec Zero() { return _mm512_setzero_ps(); }
  static Vec Load(const float* p) { return _mm512_loadu_ps(p); }
  static Vec LoadU(const float* p) { return _mm512_loadu_ps(p); }
  static Vec LoadMasked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void StoreU(float* p, Vec v) { _mm512_storeu_ps(p, v); }
  static void StoreMasked(float* p, Mask m, Vec v) { _mm512_mask_storeu_ps(p, m, v); }
  static Vec Set1(float x) { return _mm512_set1_ps(x); }
  static Vec Fmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
  static Vec Add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
  static Vec Mul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
  static Vec Max(Vec a, Vec b) { return _mm512_max_ps(a, b); }
  static Vec Min(Vec a, Vec b) { return _mm512_min_ps(a, b); }
  // Lanes [0, n) set (n clamped to [0, 16]).
  static Mask TailMask(int n) {
    n = n < 0 ? 0 : (n > 16 ? 16 : n);
    return static_cast<Mask>((1u << n) - 1u);
  }
};

}  // namespace

void f32_gemm_14x32__avx512(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                            int mr, int nr, bool load_c, const TileEpilogue* ep) {
  tile::F32TileRows<Avx512Vec, 14, 2>(mr, kc, a, b, c, ldc, nr, load_c, ep);
}

}  // namespace trt::kernels::gemm
