// f32_v{exp,erf,tanh,sigmoid,gelu,gelu_tanh}__avx2: the vector math of vec_math_inl.h over
// AVX2 + FMA, 8 lanes. One full vector per step, the tail with masked loads/stores (no over-read).
#include "engine/kernels/common/simd_avx2_inl.h"
#include "engine/kernels/common/vec_math.h"
#include "engine/kernels/common/vec_math_inl.h"

namespace trt::kernels::vecmath {
namespace {

using V = simd::Avx2F32;

void f32_vexp__avx2(const float* x, float* y, int64_t n) { Map<V, Exp<V>>(x, y, n); }
void f32_verf__avx2(const float* x, float* y, int64_t n) { Map<V, Erf<V>>(x, y, n); }
void f32_vtanh__avx2(const float* x, float* y, int64_t n) { Map<V, Tanh<V>>(x, y, n); }
void f32_vsigmoid__avx2(const float* x, float* y, int64_t n) { Map<V, Sigmoid<V>>(x, y, n); }
void f32_vgelu__avx2(const float* x, float* y, int64_t n) { Map<V, Gelu<V>>(x, y, n); }
void f32_vgelu_tanh__avx2(const float* x, float* y, int64_t n) { Map<V, GeluTanh<V>>(x, y, n); }

}  // namespace

extern const F32VecMath kF32VecMathAvx2 = {
    "avx2",          Isa::kAvx2,         f32_vexp__avx2,  f32_verf__avx2,
    f32_vtanh__avx2, f32_vsigmoid__avx2, f32_vgelu__avx2, f32_vgelu_tanh__avx2,
};

}  // namespace trt::kernels::vecmath
