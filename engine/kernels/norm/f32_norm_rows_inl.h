// Softmax and LayerNormalization row bodies written once over a vector-traits struct V
// (common/simd_avx2_inl.h, simd_avx512_inl.h). Included ONLY by f32_norm_rows__avx2.cc and
// f32_norm_rows__avx512.cc; the contracts are in f32_norm_rows.h.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "engine/kernels/common/vec_math_inl.h"

namespace trt::kernels::norm::rows {

template <class V>
void Softmax(const float* x, float* y, int64_t n) {
  using Vec = typename V::Vec;
  constexpr int kL = V::kLanes;
  const int64_t full = n / kL * kL;
  const int rest = static_cast<int>(n - full);
  const Vec neg_inf = V::Set1(-std::numeric_limits<float>::infinity());
  Vec m0 = neg_inf, m1 = neg_inf;
  int64_t i = 0;
  for (; i + 2 * kL <= full; i += 2 * kL) {
    m0 = V::Max(m0, V::Load(x + i));
    m1 = V::Max(m1, V::Load(x + i + kL));
  }
  if (i < full) m0 = V::Max(m0, V::Load(x + i));
  if (rest > 0) m1 = V::Max(m1, V::Select(V::TailMask(rest), V::LoadTail(x + full, rest), neg_inf));
  const Vec max = V::Set1(V::ReduceMax(V::Max(m0, m1)));

  // A NaN in x never reaches `max` reliably (x86 max drops one operand), but exp(NaN - max)
  // is NaN, so the sum and then every output are NaN, as in the reference.
  Vec s0 = V::Zero(), s1 = V::Zero();
  for (i = 0; i + 2 * kL <= full; i += 2 * kL) {
    const Vec e0 = vecmath::Exp<V>(V::Sub(V::Load(x + i), max));
    const Vec e1 = vecmath::Exp<V>(V::Sub(V::Load(x + i + kL), max));
    V::Store(y + i, e0);
    V::Store(y + i + kL, e1);
    s0 = V::Add(s0, e0);
    s1 = V::Add(s1, e1);
  }
  if (i < full) {
    const Vec e = vecmath::Exp<V>(V::Sub(V::Load(x + i), max));
    V::Store(y + i, e);
    s0 = V::Add(s0, e);
  }
  if (rest > 0) {
    const Vec e = vecmath::Exp<V>(V::Sub(V::LoadTail(x + full, rest), max));
    V::StoreTail(y + full, rest, e);
    s1 = V::Add(s1, V::Select(V::TailMask(rest), e, V::Zero()));
  }
  const Vec inv = V::Set1(1.0f / V::ReduceAdd(V::Add(s0, s1)));
  for (i = 0; i < full; i += kL) V::Store(y + i, V::Mul(V::Load(y + i), inv));
  if (rest > 0) V::StoreTail(y + full, rest, V::Mul(V::LoadTail(y + full, rest), inv));
}

template <class V>
void LayerNorm(const float* x, const float* scale, const float* bias, float epsilon, float* y,
               int64_t n, float* mean_out, float* inv_std_out) {
  using Vec = typename V::Vec;
  constexpr int kL = V::kLanes;
  const int64_t full = n / kL * kL;
  const int rest = static_cast<int>(n - full);
  Vec s0 = V::Zero(), s1 = V::Zero();
  int64_t i = 0;
  for (; i + 2 * kL <= full; i += 2 * kL) {
    s0 = V::Add(s0, V::Load(x + i));
    s1 = V::Add(s1, V::Load(x + i + kL));
  }
  if (i < full) s0 = V::Add(s0, V::Load(x + i));
  if (rest > 0) s1 = V::Add(s1, V::LoadTail(x + full, rest));  // zero-filled lanes
  const float mean = V::ReduceAdd(V::Add(s0, s1)) / static_cast<float>(n);
  const Vec vmean = V::Set1(mean);

  // Second pass on the centered values: no cancellation between sum(x^2) and n * mean^2.
  s0 = V::Zero();
  s1 = V::Zero();
  for (i = 0; i + 2 * kL <= full; i += 2 * kL) {
    const Vec d0 = V::Sub(V::Load(x + i), vmean);
    const Vec d1 = V::Sub(V::Load(x + i + kL), vmean);
    s0 = V::Fmadd(d0, d0, s0);
    s1 = V::Fmadd(d1, d1, s1);
  }
  if (i < full) {
    const Vec d = V::Sub(V::Load(x + i), vmean);
    s0 = V::Fmadd(d, d, s0);
  }
  if (rest > 0) {
    const Vec d =
        V::Select(V::TailMask(rest), V::Sub(V::LoadTail(x + full, rest), vmean), V::Zero());
    s1 = V::Fmadd(d, d, s1);
  }
  const float var = V::ReduceAdd(V::Add(s0, s1)) / static_cast<float>(n);
  const float inv_std = 1.0f / std::sqrt(var + epsilon);
  *mean_out = mean;
  *inv_std_out = inv_std;

  const Vec vinv = V::Set1(inv_std);
  auto norm = [&](Vec xv, Vec sv) { return V::Mul(V::Mul(V::Sub(xv, vmean), vinv), sv); };
  if (bias != nullptr) {
    for (i = 0; i < full; i += kL) {
      V::Store(y + i, V::Add(norm(V::Load(x + i), V::Load(scale + i)), V::Load(bias + i)));
    }
    if (rest > 0) {
      const Vec v = norm(V::LoadTail(x + full, rest), V::LoadTail(scale + full, rest));
      V::StoreTail(y + full, rest, V::Add(v, V::LoadTail(bias + full, rest)));
    }
  } else {
    for (i = 0; i < full; i += kL) V::Store(y + i, norm(V::Load(x + i), V::Load(scale + i)));
    if (rest > 0) {
      V::StoreTail(y + full, rest,
                   norm(V::LoadTail(x + full, rest), V::LoadTail(scale + full, rest)));
    }
  }
}

}  // namespace trt::kernels::norm::rows
