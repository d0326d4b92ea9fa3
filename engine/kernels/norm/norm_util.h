// Helpers shared by the norm family's reference kernels.
//
// - Element <-> double conversions come from common/double_convert.h (ToDouble, FromDouble,
//   ToDoubles, StoreDoubles).
// - Axis checks that produce the family's uniform error texts.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/base/dtype.h"
#include "engine/base/tensor.h"
#include "engine/kernels/common/double_convert.h"

namespace trt::kernels::norm {

// "attribute axis=3 is out of range for input rank 2 (valid: [-2, 1])"
inline std::string AxisRangeError(int64_t axis, int rank, int lo, int hi) {
  return "attribute axis=" + std::to_string(axis) + " is out of range for input rank " +
         std::to_string(rank) + " (valid: [" + std::to_string(lo) + ", " + std::to_string(hi) +
         "])";
}

}  // namespace trt::kernels::norm
