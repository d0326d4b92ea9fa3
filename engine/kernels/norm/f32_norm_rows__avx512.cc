// f32_softmax__avx512, f32_layernorm__avx512: the row bodies of f32_norm_rows_inl.h over
// AVX-512F, 16 lanes. Rows are contiguous; tails use masked loads/stores (no over-read).
#include "engine/kernels/common/simd_avx512_inl.h"
#include "engine/kernels/norm/f32_norm_rows.h"
#include "engine/kernels/norm/f32_norm_rows_inl.h"

namespace trt::kernels::norm {
namespace {

using V = simd::Avx512F32;

void f32_softmax__avx512(const float* x, float* y, int64_t n) { rows::Softmax<V>(x, y, n); }
void f32_layernorm__avx512(const float* x, const float* scale, const float* bias, float epsilon,
                           float* y, int64_t n, float* mean, float* inv_std) {
  rows::LayerNorm<V>(x, scale, bias, epsilon, y, n, mean, inv_std);
}

}  // namespace

extern const F32NormRows kF32NormRowsAvx512 = {Isa::kAvx512, "f32_softmax__avx512",
                                               "f32_layernorm__avx512", f32_softmax__avx512,
                                               f32_layernorm__avx512};

}  // namespace trt::kernels::norm
