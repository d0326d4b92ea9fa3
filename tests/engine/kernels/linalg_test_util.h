// Test helpers shared by the linalg/norm kernel tests: float tensor builders and a
// vector view of a tensor's elements.
#pragma once

#include <vector>

#include "engine/base/tensor.h"

namespace trt::testing {

inline Tensor F32(std::vector<float> v, Shape s) { return Tensor::FromVector(v, std::move(s)); }

template <typename T = float>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.NumElements());
}

}  // namespace trt::testing
