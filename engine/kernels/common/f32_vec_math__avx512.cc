// f32_v{exp,erf,tanh,sigmoid,gelu,gelu_tanh}__avx512: the vector math of vec_math_inl.h over
// AVX-512F, 16 lanes. One full vector per step, the tail with masked loads/stores (no over-read).
#include "engine/kernels/common/simd_avx512_inl.h"
#include "engine/kernels/common/vec_math.h"
#include "engine/kernels/common/vec_math_inl.h"

namespace trt::kernels::vecmath {
namespace {

using V = simd::Avx512F32;

void f32_vexp__avx512(const float* x, float* y, int64_t n) { Map<V, Exp<V>>(x, y, n); }
void f32_verf__avx512(const float* x, float* y, int64_t n) { Map<V, Erf<V>>(x, y, n); }
void f32_vtanh__avx512(const float* x, float* y, int64_t n) { Map<V, Tanh<V>>(x, y, n); }
void f32_vsigmoid__avx512(const float* x, float* y, int64_t n) { Map<V, Sigmoid<V>>(x, y, n); }
void f32_vgelu__avx512(const float* x, float* y, int64_t n) { Map<V, Gelu<V>>(x, y, n); }
void f32_vgelu_tanh__avx512(const float* x, float* y, int64_t n) { Map<V, GeluTanh<V>>(x, y, n); }

}  // namespace

extern const F32VecMath kF32VecMathAvx512 = {
    "avx512",          Isa::kAvx512,         f32_vexp__avx512,  f32_verf__avx512,
    f32_vtanh__avx512, f32_vsigmoid__avx512, f32_vgelu__avx512, f32_vgelu_tanh__avx512,
};

}  // namespace trt::kernels::vecmath
