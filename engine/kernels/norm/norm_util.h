// Helpers shared by the norm family's reference kernels.
//
// - ToCompute/FromDouble: element <-> double conversions (16-bit floats go through float).
// - ReadAsDouble: copies any float tensor into a double vector (parameters such as scale).
// - Axis checks that produce the family's uniform error texts.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/base/dtype.h"
#include "engine/base/tensor.h"

namespace trt::kernels::norm {

template <typename T>
double ToDouble(T v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return static_cast<double>(static_cast<float>(v));
  } else {
    return static_cast<double>(v);
  }
}

template <typename T>
T FromDouble(double v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return T(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

// All elements of a numeric tensor as doubles (row-major).
inline std::vector<double> ReadAsDouble(const Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.NumElements()));
  VisitDType(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* d = t.data<T>();
    for (size_t i = 0; i < out.size(); ++i) out[i] = ToDouble(d[i]);
  });
  return out;
}

// Writes `values` into the float tensor `t` (same element count).
inline void WriteFromDouble(const std::vector<double>& values, Tensor* t) {
  VisitDType(t->dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* d = t->data<T>();
    for (size_t i = 0; i < values.size(); ++i) d[i] = FromDouble<T>(values[i]);
  });
}

// "attribute axis=3 is out of range for input rank 2 (valid: [-2, 1])"
inline std::string AxisRangeError(int64_t axis, int rank, int lo, int hi) {
  return "attribute axis=" + std::to_string(axis) + " is out of range for input rank " +
         std::to_string(rank) + " (valid: [" + std::to_string(lo) + ", " + std::to_string(hi) +
         "])";
}

}  // namespace trt::kernels::norm
