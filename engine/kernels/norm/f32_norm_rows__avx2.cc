// f32_softmax__avx2, f32_layernorm__avx2: the row bodies of f32_norm_rows_inl.h over
// AVX2 + FMA, 8 lanes. Rows are contiguous; tails use masked loads/stores (no over-read).
#include "engine/kernels/common/simd_avx2_inl.h"
#include "engine/kernels/norm/f32_norm_rows.h"
#include "engine/kernels/norm/f32_norm_rows_inl.h"

namespace trt::kernels::norm {
namespace {

using V = simd::Avx2F32;

void f32_softmax__avx2(const float* x, float* y, int64_t n) { rows::Softmax<V>(x, y, n); }
void f32_layernorm__avx2(const float* x, const float* scale, const float* bias, float epsilon,
                         float* y, int64_t n, float* mean, float* inv_std) {
  rows::LayerNorm<V>(x, scale, bias, epsilon, y, n, mean, inv_std);
}

}  // namespace

extern const F32NormRows kF32NormRowsAvx2 = {Isa::kAvx2, "f32_softmax__avx2", "f32_layernorm__avx2",
                                             f32_softmax__avx2, f32_layernorm__avx2};

}  // namespace trt::kernels::norm
