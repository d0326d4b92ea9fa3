// GlobalAveragePool, GlobalMaxPool and GlobalLpPool: reduce every spatial plane of an
// [N, C, spatial...] tensor to one value, giving [N, C, 1, ...]. Sums accumulate in float
// (double for double); Float16/BFloat16 compute through float.

#include <cmath>
#include <limits>

#include "engine/kernels/kernel.h"

namespace trt::kernels {
namespace {

enum class GlobalKind { kAverage, kMax, kLp };

class GlobalPoolKernel : public Kernel {
 public:
  GlobalPoolKernel(GlobalKind kind, int64_t p) : kind_(kind), p_(p) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (!x) return ctx.Invalid("input 0 (X) is required");
    const Shape& xs = x->shape();
    if (xs.rank() < 2) {
      return ctx.Invalid("input 0 (X) has shape " + xs.ToString() +
                         ", expected rank >= 2 [N, C, spatial...]");
    }
    Shape y_shape = xs;
    for (int d = 2; d < xs.rank(); ++d) y_shape[d] = 1;
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), y_shape));
    const int64_t planes = xs[0] * xs[1];
    const int64_t size = xs.NumElements(2, xs.rank());
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) {
        using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;
        const T* xd = x->data<T>();
        T* yd = y->data<T>();
        for (int64_t p = 0; p < planes; ++p) {
          const T* xp = xd + p * size;
          Acc r = 0;
          if (kind_ == GlobalKind::kMax) {
            r = -std::numeric_limits<Acc>::infinity();
            for (int64_t i = 0; i < size; ++i) r = std::max(r, static_cast<Acc>(xp[i]));
          } else if (kind_ == GlobalKind::kAverage) {
            for (int64_t i = 0; i < size; ++i) r += static_cast<Acc>(xp[i]);
            r = size > 0 ? r / static_cast<Acc>(size) : Acc(0);
          } else {
            for (int64_t i = 0; i < size; ++i) {
              r += std::pow(std::abs(static_cast<Acc>(xp[i])), static_cast<Acc>(p_));
            }
            r = std::pow(r, Acc(1) / static_cast<Acc>(p_));
          }
          yd[p] = static_cast<T>(r);
        }
      }
    });
    return Status::Ok();
  }

 private:
  GlobalKind kind_;
  int64_t p_;
};

}  // namespace

StatusOr<KernelPtr> CreateGlobalAveragePool(const KernelInfo&) {
  return MakeKernel<GlobalPoolKernel>(GlobalKind::kAverage, 0);
}

StatusOr<KernelPtr> CreateGlobalMaxPool(const KernelInfo&) {
  return MakeKernel<GlobalPoolKernel>(GlobalKind::kMax, 0);
}

StatusOr<KernelPtr> CreateGlobalLpPool(const KernelInfo& info) {
  int64_t p = 2;
  const graph::Attribute* a = info.node().FindAttr("p");
  if (a) p = a->kind == graph::Attribute::Kind::kFloat ? static_cast<int64_t>(a->f) : a->i;
  if (p <= 0) return info.Invalid("attribute p is " + std::to_string(p) + ", expected >= 1");
  return MakeKernel<GlobalPoolKernel>(GlobalKind::kLp, p);
}

}  // namespace trt::kernels
