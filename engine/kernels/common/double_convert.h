// Element <-> double conversions shared by the reference kernels that compute in double
// (norm, reduce, resize, rnn, signal). The 16-bit float types (Float16, BFloat16) convert
// through float; every other type uses a plain static_cast.
#pragma once

#include <type_traits>
#include <vector>

#include "engine/base/dtype.h"
#include "engine/base/tensor.h"

namespace trt::kernels {

// v as a double (exact for every type but the 64-bit integers).
template <typename T>
double ToDouble(T v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return static_cast<double>(static_cast<float>(v));
  } else {
    return static_cast<double>(v);
  }
}

// v converted to T: rounded through float for the 16-bit floats, static_cast otherwise (so
// integers truncate toward zero; callers clamp or check NaN first where that matters).
template <typename T>
T FromDouble(double v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return T(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

// All elements of a numeric tensor as doubles, in row-major order.
inline std::vector<double> ToDoubles(const Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.NumElements()));
  VisitDType(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = ToDouble(src[i]);
  });
  return out;
}

// Stores `v` into `t` (which must have v.size() elements), converting each value to t's
// dtype with FromDouble.
inline void StoreDoubles(const std::vector<double>& v, Tensor* t) {
  VisitDType(t->dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* dst = t->data<T>();
    for (size_t i = 0; i < v.size(); ++i) dst[i] = FromDouble<T>(v[i]);
  });
}

}  // namespace trt::kernels
