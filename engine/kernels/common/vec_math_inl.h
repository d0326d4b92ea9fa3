// Float32 vector exp, erf, tanh, sigmoid and GELU written once over a vector-traits struct V
// (common/simd_avx2_inl.h, simd_avx512_inl.h). Included ONLY by ISA translation units
// (*_avx2.cc, *_avx512.cc); the contract and the error bounds are in common/vec_math.h.
//
// Polynomial coefficients are weighted minimax fits (Lawson iteration, 40 digits, then rounded
// to float) made for this file; the fit targets and intervals are stated at each function.
// Lanes are independent: a value gives the same result in any lane, full vector or tail.
#pragma once

#include <cstdint>

namespace trt::kernels::vecmath {

// exp(x). Range reduction x = n ln2 + r, |r| <= ln2/2 (Cody-Waite, ln2 split in two floats),
// exp(r) = 1 + r + r^2 P(r) with P of degree 4 fitted to (e^r - 1 - r) / r^2 for relative
// error, then the exact scaling by 2^n (V::ScaleByPow2 rounds once, so results below
// FLT_MIN are correctly scaled denormals). x is clamped to [-104, 89] first (NaN passes):
// exp(-104) < 2^-150 rounds to +0 and exp(89) overflows to +inf.
template <class V>
inline typename V::Vec Exp(typename V::Vec x) {
  using Vec = typename V::Vec;
  x = V::Min(V::Set1(89.0f), V::Max(V::Set1(-104.0f), x));
  const Vec n = V::RoundNearest(V::Mul(x, V::Set1(0x1.715476p+0f)));  // x * log2(e)
  Vec r = V::Fnmadd(n, V::Set1(0x1.62e430p-1f), x);                   // - n * ln2_hi
  r = V::Fnmadd(n, V::Set1(-0x1.05c610p-29f), r);                     // - n * ln2_lo
  Vec p = V::Fmadd(V::Set1(0x1.6a2444p-10f), r, V::Set1(0x1.1239d4p-7f));
  p = V::Fmadd(p, r, V::Set1(0x1.5558f2p-5f));
  p = V::Fmadd(p, r, V::Set1(0x1.555492p-3f));
  p = V::Fmadd(p, r, V::Set1(0x1.fffffcp-2f));
  p = V::Fmadd(p, V::Mul(r, r), r);
  p = V::Add(p, V::Set1(1.0f));
  return V::ScaleByPow2(p, n);
}

// erf(x). |x| <= 0.921875: x + x P(x^2), P of degree 6 fitted to erf(x)/x - 1 (relative
// error). Above: 1 - exp(Q(|x|)) with the sign of x, Q of degree 6 fitted to log(erfc(t)) on
// [0.921875, 4] weighted by erfc(t) (the absolute error of erf); |x| is clamped to 4, where
// erf rounds to 1. The second branch is skipped when no lane needs it.
template <class V>
inline typename V::Vec Erf(typename V::Vec x) {
  using Vec = typename V::Vec;
  const Vec t = V::Abs(x);
  const Vec s = V::Mul(x, x);
  Vec p = V::Fmadd(V::Set1(0x1.5f1134p-14f), s, V::Set1(-0x1.aae982p-11f));
  p = V::Fmadd(p, s, V::Set1(0x1.54dad6p-8f));
  p = V::Fmadd(p, s, V::Set1(-0x1.b8107cp-6f));
  p = V::Fmadd(p, s, V::Set1(0x1.ce2e20p-4f));
  p = V::Fmadd(p, s, V::Set1(-0x1.812744p-2f));
  p = V::Fmadd(p, s, V::Set1(0x1.06eba8p-3f));
  const Vec small = V::Fmadd(p, x, x);
  const auto big_lanes = V::CmpGt(t, V::Set1(0.921875f));
  if (!V::Any(big_lanes)) return small;
  const Vec tc = V::Min(V::Set1(4.0f), t);
  Vec q = V::Fmadd(V::Set1(0x1.986408p-13f), tc, V::Set1(-0x1.8d5c10p-9f));
  q = V::Fmadd(q, tc, V::Set1(0x1.6b6bbap-6f));
  q = V::Fmadd(q, tc, V::Set1(-0x1.a95314p-4f));
  q = V::Fmadd(q, tc, V::Set1(-0x1.464a4ep-1f));
  q = V::Fmadd(q, tc, V::Set1(-0x1.20ab6ap+0f));
  q = V::Fmadd(q, tc, V::Set1(-0x1.b8323cp-13f));
  const Vec big = V::CopySign(V::Sub(V::Set1(1.0f), Exp<V>(q)), x);
  return V::Select(big_lanes, big, small);
}

// tanh(x). |x| <= 0.625: x + x^3 P(x^2), P of degree 5 fitted to (tanh(x) - x) / x^3.
// Above: (1 - e) / (1 + e) with e = exp(-2|x|) and the sign of x (no overflow; 1 for large
// |x|).
template <class V>
inline typename V::Vec Tanh(typename V::Vec x) {
  using Vec = typename V::Vec;
  const Vec t = V::Abs(x);
  const Vec s = V::Mul(x, x);
  Vec p = V::Fmadd(V::Set1(0x1.18e1a2p-9f), s, V::Set1(-0x1.0bf4ecp-7f));
  p = V::Fmadd(p, s, V::Set1(0x1.638b54p-6f));
  p = V::Fmadd(p, s, V::Set1(-0x1.b9ee90p-5f));
  p = V::Fmadd(p, s, V::Set1(0x1.111066p-3f));
  p = V::Fmadd(p, s, V::Set1(-0x1.555554p-2f));
  // x + x^3 P has the sign of x; CopySign also keeps tanh(-0) = -0 (the sum gives +0).
  const Vec small = V::CopySign(V::Fmadd(p, V::Mul(s, x), x), x);
  const auto big_lanes = V::CmpGt(t, V::Set1(0.625f));
  if (!V::Any(big_lanes)) return small;
  const Vec e = Exp<V>(V::Mul(t, V::Set1(-2.0f)));
  const Vec one = V::Set1(1.0f);
  const Vec big = V::CopySign(V::Div(V::Sub(one, e), V::Add(one, e)), x);
  return V::Select(big_lanes, big, small);
}

// 1 / (1 + exp(-x)), as e / (1 + e) with e = exp(-|x|) for x < 0 (no overflow, tiny results
// stay accurate) and 1 / (1 + e) otherwise.
template <class V>
inline typename V::Vec Sigmoid(typename V::Vec x) {
  using Vec = typename V::Vec;
  const Vec one = V::Set1(1.0f);
  const Vec e = Exp<V>(V::Sub(V::Zero(), V::Abs(x)));
  const Vec num = V::Select(V::CmpLt(x, V::Zero()), e, one);
  return V::Div(num, V::Add(one, e));
}

// 0.5 x (1 + erf(x / sqrt(2))) in the reference's operation order (fused/activation.h):
// (0.5 * x) * (1 + erf(x * 0.70710677f)).
template <class V>
inline typename V::Vec Gelu(typename V::Vec x) {
  const auto z = Erf<V>(V::Mul(x, V::Set1(0x1.6a09e6p-1f)));
  return V::Mul(V::Mul(V::Set1(0.5f), x), V::Add(V::Set1(1.0f), z));
}

// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), the reference's order of operations.
template <class V>
inline typename V::Vec GeluTanh(typename V::Vec x) {
  const auto cube = V::Mul(V::Mul(V::Mul(V::Set1(0.044715f), x), x), x);
  const auto z = Tanh<V>(V::Mul(V::Set1(0x1.988454p-1f), V::Add(x, cube)));
  return V::Mul(V::Mul(V::Set1(0.5f), x), V::Add(V::Set1(1.0f), z));
}

// y[i] = F(x[i]) for i in [0, n): full vectors, then one masked tail. y may equal x.
template <class V, typename V::Vec (*F)(typename V::Vec)>
void Map(const float* x, float* y, int64_t n) {
  constexpr int kL = V::kLanes;
  int64_t i = 0;
  for (; i + kL <= n; i += kL) V::Store(y + i, F(V::Load(x + i)));
  if (i < n) {
    const int rest = static_cast<int>(n - i);
    V::StoreTail(y + i, rest, F(V::LoadTail(x + i, rest)));
  }
}

}  // namespace trt::kernels::vecmath
