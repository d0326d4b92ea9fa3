// Softmax, LogSoftmax and Hardmax reference kernels (ai.onnx opsets 1+).
// Opsets 1-12 coerce the input to 2-D [prod(dims[:axis]), prod(dims[axis:])] and normalize
// each row (axis default 1); opsets 13+ normalize along the single dim `axis` (default -1).
// Sums are accumulated in double after subtracting the row max. Float32 Softmax at AVX2 and
// above runs the vectorized kernel of norm_f32.h instead (same factories).
#include <cmath>
#include <memory>
#include <string>

#include "engine/kernels/kernel.h"
#include "engine/kernels/norm/norm_f32.h"
#include "engine/kernels/norm/norm_util.h"

namespace trt::kernels {
namespace {

enum class SoftmaxMode { kSoftmax, kLogSoftmax, kHardmax };

class SoftmaxKernel final : public Kernel {
 public:
  SoftmaxKernel(SoftmaxMode mode, bool coerce_2d, int64_t axis)
      : mode_(mode), coerce_2d_(coerce_2d), axis_(axis) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (!x) return ctx.Invalid("input 0 (input) is required");
    if (!IsFloatingPoint(x->dtype())) {
      return ctx.Unsupported("dtype " + std::string(DTypeName(x->dtype())) +
                             " is not supported (float types only)");
    }
    const Shape& s = x->shape();
    const int r = s.rank();
    // Legacy semantics allow axis == rank (a [N, 1] coercion).
    const int hi = coerce_2d_ ? r : r - 1;
    if (axis_ < -r || axis_ > hi) return ctx.Invalid(norm::AxisRangeError(axis_, r, -r, hi));
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + r : axis_);
    const int64_t outer = s.NumElements(0, axis);
    const int64_t n = coerce_2d_ ? s.NumElements(axis, r) : s[axis];
    const int64_t inner = coerce_2d_ ? 1 : s.NumElements(axis + 1, r);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), s));
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_integral_v<T>) Run<T>(x->data<T>(), outer, n, inner, y->data<T>());
    });
    return Status::Ok();
  }

 private:
  template <typename T>
  void Run(const T* x, int64_t outer, int64_t n, int64_t inner, T* y) const {
    if (n == 0) return;
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t in = 0; in < inner; ++in) {
        const T* xr = x + o * n * inner + in;
        T* yr = y + o * n * inner + in;
        double max = ToDouble(xr[0]);
        int64_t argmax = 0;
        for (int64_t i = 1; i < n; ++i) {
          const double v = ToDouble(xr[i * inner]);
          if (v > max) {
            max = v;
            argmax = i;
          }
        }
        if (mode_ == SoftmaxMode::kHardmax) {
          for (int64_t i = 0; i < n; ++i) yr[i * inner] = FromDouble<T>(i == argmax ? 1 : 0);
          continue;
        }
        double sum = 0;
        for (int64_t i = 0; i < n; ++i) sum += std::exp(ToDouble(xr[i * inner]) - max);
        const double log_sum = std::log(sum);
        for (int64_t i = 0; i < n; ++i) {
          const double d = ToDouble(xr[i * inner]) - max;
          yr[i * inner] =
              FromDouble<T>(mode_ == SoftmaxMode::kSoftmax ? std::exp(d) / sum : d - log_sum);
        }
      }
    }
  }

  SoftmaxMode mode_;
  bool coerce_2d_;
  int64_t axis_;
};

StatusOr<KernelPtr> CreateSoftmaxFamily(const KernelInfo& info, SoftmaxMode mode, bool coerce_2d) {
  const int64_t axis = info.GetInt("axis", coerce_2d ? 1 : -1);
  KernelPtr ref = std::make_unique<SoftmaxKernel>(mode, coerce_2d, axis);
  // Float32 Softmax at AVX2 and above: the vectorized kernel of norm_f32.h.
  if (mode == SoftmaxMode::kSoftmax)
    return norm::SoftmaxF32OrRef(info, coerce_2d, axis, std::move(ref));
  return ref;
}

}  // namespace

// Opsets 1-12: 2-D coercion semantics.
StatusOr<KernelPtr> CreateSoftmax1(const KernelInfo& info) {
  return CreateSoftmaxFamily(info, SoftmaxMode::kSoftmax, true);
}
StatusOr<KernelPtr> CreateLogSoftmax1(const KernelInfo& info) {
  return CreateSoftmaxFamily(info, SoftmaxMode::kLogSoftmax, true);
}
StatusOr<KernelPtr> CreateHardmax1(const KernelInfo& info) {
  return CreateSoftmaxFamily(info, SoftmaxMode::kHardmax, true);
}
// Opsets 13+: single-axis semantics.
StatusOr<KernelPtr> CreateSoftmax13(const KernelInfo& info) {
  return CreateSoftmaxFamily(info, SoftmaxMode::kSoftmax, false);
}
StatusOr<KernelPtr> CreateLogSoftmax13(const KernelInfo& info) {
  return CreateSoftmaxFamily(info, SoftmaxMode::kLogSoftmax, false);
}
StatusOr<KernelPtr> CreateHardmax13(const KernelInfo& info) {
  return CreateSoftmaxFamily(info, SoftmaxMode::kHardmax, false);
}

}  // namespace trt::kernels
