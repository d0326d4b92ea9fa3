// Float32 vector traits for AVX-512 F/DQ (16 lanes), the 512-bit counterpart of
// simd_avx2_inl.h (same member names and conventions; see there). Include ONLY from
// *_avx512.cc translation units (compiled with the AVX-512 flags of cmake/TrtserveIsa.cmake).
// Masks are opmask registers, so tails are native masked loads and stores.
#pragma once

#if !defined(__AVX512F__) || !defined(__AVX512DQ__)
#error "simd_avx512_inl.h needs -mavx512f -mavx512dq: include it only from *_avx512.cc"
#endif

#include <immintrin.h>

#include <cstdint>

namespace trt::kernels::simd {

struct Avx512F32 {
  using Vec = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;

  static Vec Set1(float v) { return _mm512_set1_ps(v); }
  static Vec Zero() { return _mm512_setzero_ps(); }
  static Vec Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, Vec v) { _mm512_storeu_ps(p, v); }
  static Mask TailMask(int n) {
    return static_cast<Mask>(n >= 16 ? 0xffffu : (n <= 0 ? 0u : (1u << n) - 1u));
  }
  static Vec LoadTail(const float* p, int n) { return _mm512_maskz_loadu_ps(TailMask(n), p); }
  static void StoreTail(float* p, int n, Vec v) { _mm512_mask_storeu_ps(p, TailMask(n), v); }

  static Vec Add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
  static Vec Sub(Vec a, Vec b) { return _mm512_sub_ps(a, b); }
  static Vec Mul(Vec a, Vec b) { return _mm512_mul_ps(a, b); }
  static Vec Div(Vec a, Vec b) { return _mm512_div_ps(a, b); }
  static Vec Fmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }    // a * b + c
  static Vec Fnmadd(Vec a, Vec b, Vec c) { return _mm512_fnmadd_ps(a, b, c); }  // c - a * b
  static Vec Min(Vec a, Vec b) { return _mm512_min_ps(a, b); }
  static Vec Max(Vec a, Vec b) { return _mm512_max_ps(a, b); }
  static Vec Sqrt(Vec a) { return _mm512_sqrt_ps(a); }
  static Vec Abs(Vec a) { return _mm512_abs_ps(a); }
  static Vec CopySign(Vec a, Vec s) {
    const Vec sign = _mm512_set1_ps(-0.0f);
    return _mm512_or_ps(_mm512_andnot_ps(sign, a), _mm512_and_ps(sign, s));
  }
  static Vec RoundNearest(Vec a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  // p * 2^n (integral n), rounded once: vscalefps handles denormal and overflowing results.
  static Vec ScaleByPow2(Vec p, Vec n) { return _mm512_scalef_ps(p, n); }

  static Mask CmpGt(Vec a, Vec b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static Mask CmpLt(Vec a, Vec b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static Vec Select(Mask m, Vec t, Vec f) { return _mm512_mask_blend_ps(m, f, t); }
  static bool Any(Mask m) { return m != 0; }
  static bool All(Mask m) { return m == 0xffff; }

  static float ReduceAdd(Vec v) { return _mm512_reduce_add_ps(v); }
  static float ReduceMax(Vec v) { return _mm512_reduce_max_ps(v); }
};

}  // namespace trt::kernels::simd
