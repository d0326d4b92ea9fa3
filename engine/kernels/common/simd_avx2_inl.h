// Float32 vector traits for AVX2 + FMA (8 lanes): the vocabulary the templated vector bodies
// (common/vec_math_inl.h, norm/f32_norm_rows_inl.h) are written in, so each body exists once
// for both ISAs. Include ONLY from *_avx2.cc / *_avx512.cc translation units, which are
// compiled with the matching -m flags (cmake/TrtserveIsa.cmake); the #error below enforces it.
//
// Conventions shared with simd_avx512_inl.h:
// - Min(a, b) / Max(a, b) are the x86 instructions: when either operand is NaN they return
//   b. Write Max(Set1(lo), x) to let a NaN x through.
// - LoadTail/StoreTail touch lanes [0, n) only (n in [0, kLanes]); other lanes load as 0.
// - Mask is the result of a comparison; Select(m, t, f) picks t where m is set.
#pragma once

#if !defined(__AVX2__) || !defined(__FMA__)
#error "simd_avx2_inl.h needs -mavx2 -mfma: include it only from *_avx2.cc or *_avx512.cc"
#endif

#include <immintrin.h>

#include <cstdint>

namespace trt::kernels::simd {

struct Avx2F32 {
  using Vec = __m256;
  using Mask = __m256;  // all-ones / all-zeros lanes
  static constexpr int kLanes = 8;

  static Vec Set1(float v) { return _mm256_set1_ps(v); }
  static Vec Zero() { return _mm256_setzero_ps(); }
  static Vec Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, Vec v) { _mm256_storeu_ps(p, v); }
  static Mask TailMask(int n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane));
  }
  static Vec LoadTail(const float* p, int n) {
    return _mm256_maskload_ps(p, _mm256_castps_si256(TailMask(n)));
  }
  static void StoreTail(float* p, int n, Vec v) {
    _mm256_maskstore_ps(p, _mm256_castps_si256(TailMask(n)), v);
  }

  static Vec Add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
  static Vec Sub(Vec a, Vec b) { return _mm256_sub_ps(a, b); }
  static Vec Mul(Vec a, Vec b) { return _mm256_mul_ps(a, b); }
  static Vec Div(Vec a, Vec b) { return _mm256_div_ps(a, b); }
  static Vec Fmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }    // a * b + c
  static Vec Fnmadd(Vec a, Vec b, Vec c) { return _mm256_fnmadd_ps(a, b, c); }  // c - a * b
  static Vec Min(Vec a, Vec b) { return _mm256_min_ps(a, b); }
  static Vec Max(Vec a, Vec b) { return _mm256_max_ps(a, b); }
  static Vec Sqrt(Vec a) { return _mm256_sqrt_ps(a); }
  static Vec Abs(Vec a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  // |a| with the sign of s.
  static Vec CopySign(Vec a, Vec s) {
    const Vec sign = _mm256_set1_ps(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(sign, a), _mm256_and_ps(sign, s));
  }
  static Vec RoundNearest(Vec a) {
    return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  // p * 2^n for integral n in [-150, 128], rounded once (denormal results included): two
  // exact power-of-two factors 2^(n/2) and 2^(n - n/2), each a normal float.
  static Vec ScaleByPow2(Vec p, Vec n) {
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i n1 = _mm256_srai_epi32(ni, 1);
    const __m256i n2 = _mm256_sub_epi32(ni, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    const Vec s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    const Vec s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  }

  static Mask CmpGt(Vec a, Vec b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static Mask CmpLt(Vec a, Vec b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static Vec Select(Mask m, Vec t, Vec f) { return _mm256_blendv_ps(f, t, m); }
  static bool Any(Mask m) { return _mm256_movemask_ps(m) != 0; }
  static bool All(Mask m) { return _mm256_movemask_ps(m) == 0xff; }

  static float ReduceAdd(Vec v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static float ReduceMax(Vec v) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

}  // namespace trt::kernels::simd
