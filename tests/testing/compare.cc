#include "tests/testing/compare.h"

#include <cmath>
#include <sstream>

namespace trt::testing {

std::string CompareTensors(const Tensor& actual, const Tensor& expected, Tolerance tol) {
  if (actual.dtype() != expected.dtype()) {
    return "dtype " + std::string(DTypeName(actual.dtype())) + ", expected " +
           std::string(DTypeName(expected.dtype()));
  }
  if (actual.shape() != expected.shape()) {
    return "shape " + actual.shape().ToString() + ", expected " + expected.shape().ToString();
  }
  const int64_t n = expected.NumElements();
  const bool is_float = IsFloatingPoint(expected.dtype());
  int64_t mismatches = 0;
  std::ostringstream first;
  for (int64_t i = 0; i < n; ++i) {
    bool ok;
    if (is_float) {
      const double a = actual.GetAsDouble(i);
      const double e = expected.GetAsDouble(i);
      if (std::isnan(e) || std::isnan(a)) {
        ok = std::isnan(e) && std::isnan(a);
      } else if (std::isinf(e) || std::isinf(a)) {
        ok = a == e;
      } else {
        ok = std::fabs(a - e) <= tol.atol + tol.rtol * std::fabs(e);
      }
      if (!ok && mismatches == 0) {
        first.precision(9);
        first << "element " << i << ": got " << a << ", expected " << e;
      }
    } else {
      ok = actual.GetAsInt64(i) == expected.GetAsInt64(i);
      if (!ok && mismatches == 0) {
        first << "element " << i << ": got " << actual.GetAsInt64(i) << ", expected "
              << expected.GetAsInt64(i);
      }
    }
    if (!ok) ++mismatches;
  }
  if (mismatches == 0) return "";
  return std::to_string(mismatches) + " of " + std::to_string(n) + " elements differ; " +
         first.str();
}

}  // namespace trt::testing
