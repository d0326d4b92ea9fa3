// Output comparison for conformance and end-to-end tests.
//
// Floating types: |actual - expected| <= atol + rtol * |expected|, NaN matches NaN, infinities
// must match exactly (the ONNX backend-test rule, numpy.testing.assert_allclose). Integers and
// bools: exact. Shapes and dtypes must match exactly.
#pragma once

#include <string>

#include "engine/base/tensor.h"

namespace trt::testing {

struct Tolerance {
  double rtol = 1e-3;
  double atol = 1e-7;
};

// Returns "" if equal within tolerance, else a message naming the first mismatch.
std::string CompareTensors(const Tensor& actual, const Tensor& expected, Tolerance tol = {});

}  // namespace trt::testing
