// Helpers for the tensor family's kernel tests: flatten outputs to vectors and build
// float/int64 tensors concisely.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/base/tensor.h"

namespace trt::testing {

inline std::vector<float> Floats(const Tensor& t) {
  std::vector<float> v(t.NumElements());
  for (int64_t i = 0; i < t.NumElements(); ++i) v[i] = static_cast<float>(t.GetAsDouble(i));
  return v;
}

inline std::vector<int64_t> Ints(const Tensor& t) {
  std::vector<int64_t> v(t.NumElements());
  for (int64_t i = 0; i < t.NumElements(); ++i) v[i] = t.GetAsInt64(i);
  return v;
}

// 0, 1, 2, ... as float32 with the given shape.
inline Tensor Iota(Shape shape) {
  std::vector<float> v(shape.NumElements());
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return Tensor::FromVector(v, std::move(shape));
}

inline Tensor I64(std::vector<int64_t> v) { return Tensor::FromVector(v); }

}  // namespace trt::testing
