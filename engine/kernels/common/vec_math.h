// Vectorized float32 math for the optimized kernels: exp, erf, tanh, sigmoid and the two GELU
// forms over arrays, one variant per ISA level (AVX2+FMA: 8 lanes, AVX-512: 16 lanes).
//
// Where it lives: the polynomial bodies are written once in vec_math_inl.h over the vector
// traits of simd_avx2_inl.h / simd_avx512_inl.h and instantiated by f32_vec_math__avx2.cc
// and f32_vec_math__avx512.cc. Kernels inside ISA translation units (e.g. the softmax row
// kernels) call the inline templates directly; everything else goes through this table.
//
// The generic level has no entry (SelectF32VecMath(Isa::kGeneric) == nullptr): kernels keep
// their scalar reference formulas (std::exp, std::erf, std::tanh) there, so
// TRTSERVE_ISA=generic computes exactly what the reference kernels compute.
//
// Accuracy, versus the exact function (evaluated in double) over all finite float inputs. An
// ulp is the spacing of floats at the exact result (2^-149 for denormal results). The bounds
// hold over all 2^32 inputs (checked once exhaustively at AVX-512; measured maxima in
// brackets); tests/engine/kernels/common_vec_math_test.cc checks them on ~2.2M inputs per
// function and level, plus the special values:
//   exp        <= 2 ulp [1.01]. x > 88.7228 gives +inf, x < -103.98 gives +0; denormal
//              results are correctly scaled (the bound holds in 2^-149 units).
//   erf        <= 2 ulp [1.20]. Odd; erf(+-inf) = +-1.
//   tanh       <= 2 ulp [1.51]. Odd (tanh(-0) = -0); tanh(+-inf) = +-1.
//   sigmoid    <= 3 ulp [2.40]. sigmoid(-inf) = 0, sigmoid(+inf) = 1; tiny results (x < -87)
//              are not flushed.
//   gelu       0.5 x (1 + erf(x / sqrt 2)) in the reference's float operation order:
//              <= 3 ulp [2.43] + |x| 2^-25. The absolute term is the rounding of 1 + erf near
//              0 (x << 0), which the std::erf reference has as well.
//   gelu_tanh  0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): <= 2 ulp [0.5] + |x| 2^-23.
// NaN inputs give NaN. No function reads or writes outside [0, n), and none traps.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <span>

#include "engine/base/cpu_features.h"

namespace trt::kernels::vecmath {

// y[i] = f(x[i]) for i in [0, n). y may equal x (in place); otherwise no overlap.
using F32ArrayFn = void (*)(const float* x, float* y, int64_t n);

struct F32VecMath {
  const char* isa_name;  // "avx2", "avx512": the suffix of the kernels' variant names
  Isa isa;               // lowest ISA level that can run these functions
  F32ArrayFn exp;
  F32ArrayFn erf;
  F32ArrayFn tanh;
  F32ArrayFn sigmoid;
  F32ArrayFn gelu;       // exact (erf) form
  F32ArrayFn gelu_tanh;  // tanh approximation
};

// Every variant compiled in, lowest ISA first.
std::span<const F32VecMath> F32VecMathVariants();
// The best variant runnable at `isa`; nullptr for Isa::kGeneric.
const F32VecMath* SelectF32VecMath(Isa isa);

}  // namespace trt::kernels::vecmath
