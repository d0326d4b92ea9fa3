// Helpers of the signal family (see signal_util.h).
#include "engine/kernels/signal/signal_util.h"

#include <cmath>
#include <numbers>
#include <type_traits>

namespace trt::kernels::signal {

StatusOr<int64_t> ReadIntScalar(const KernelContext& ctx, const Tensor* t,
                                const std::string& what) {
  if (!t) return ctx.Invalid(what + " is required");
  if ((t->dtype() != DType::kInt32 && t->dtype() != DType::kInt64) || t->NumElements() != 1) {
    return ctx.Invalid(what + " must be an int32/int64 scalar, got " + t->Description());
  }
  return t->GetAsInt64(0);
}

StatusOr<double> ReadRealScalar(const KernelContext& ctx, const Tensor* t,
                                const std::string& what) {
  if (!t) return ctx.Invalid(what + " is required");
  if (t->dtype() == DType::kBool || t->NumElements() != 1) {
    return ctx.Invalid(what + " must be a numeric scalar, got " + t->Description());
  }
  return t->GetAsDouble(0);
}

void NaiveDft(const std::vector<std::complex<double>>& in, int sign,
              std::vector<std::complex<double>>* out) {
  const int64_t n = static_cast<int64_t>(in.size());
  for (size_t k = 0; k < out->size(); ++k) {
    std::complex<double> acc = 0;
    for (int64_t j = 0; j < n; ++j) {
      const int64_t m = (j * static_cast<int64_t>(k)) % n;
      const double angle = sign * 2.0 * std::numbers::pi * static_cast<double>(m) / n;
      acc += in[j] * std::complex<double>(std::cos(angle), std::sin(angle));
    }
    (*out)[k] = acc;
  }
}

Status CheckOutputDType(const KernelInfo& info, int64_t value, DType* out) {
  const DType t = static_cast<DType>(value);
  if (value < 0 || value > 16 || !IsSupportedDType(t) || t == DType::kBool) {
    return info.Invalid("attribute output_datatype = " + std::to_string(value) +
                        " is not a numeric tensor type");
  }
  *out = t;
  return Status::Ok();
}

}  // namespace trt::kernels::signal
