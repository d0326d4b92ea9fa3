// Ops that generate or mask values by position: ConstantOfShape, Range, EyeLike, Trilu.
#include <cmath>
#include <cstring>

#include "engine/kernels/kernel.h"
#include "engine/kernels/tensor/tensor_util.h"

namespace trt::kernels {
namespace {

using tensor::ReadInt64s;
using tensor::RequireInputs;
using tensor::VecToString;

class ConstantOfShapeKernel : public Kernel {
 public:
  explicit ConstantOfShapeKernel(Tensor value) : value_(std::move(value)) {}
  Status Compute(KernelContext& ctx) const override {
    TRT_ASSIGN_OR_RETURN(std::vector<int64_t> dims,
                         ReadInt64s(ctx, *ctx.Input(0), "input 'shape'"));
    for (int64_t d : dims) {
      if (d < 0) return ctx.Invalid("shape " + VecToString(dims) + " has a negative dim");
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, value_.dtype(), Shape(dims)));
    const size_t esize = DTypeSize(value_.dtype());
    auto* dst = static_cast<uint8_t*>(y->raw_data());
    for (int64_t i = 0; i < y->NumElements(); ++i) {
      std::memcpy(dst + i * esize, value_.raw_data(), esize);
    }
    return Status::Ok();
  }

 private:
  Tensor value_;
};

template <typename T>
Status FillRange(KernelContext& ctx, const Tensor& start_t, const Tensor& limit_t,
                 const Tensor& delta_t) {
  const T start = *start_t.data<T>(), limit = *limit_t.data<T>(), delta = *delta_t.data<T>();
  int64_t n;
  if constexpr (std::is_integral_v<T>) {
    if (delta == 0) return ctx.Invalid("delta must not be zero");
    const int64_t diff = static_cast<int64_t>(limit) - static_cast<int64_t>(start);
    const int64_t d = static_cast<int64_t>(delta);
    // ceil(diff / d) for integers of either sign.
    n = diff / d + ((diff % d != 0 && ((diff > 0) == (d > 0))) ? 1 : 0);
  } else {
    const double s = static_cast<double>(start), l = static_cast<double>(limit),
                 d = static_cast<double>(delta);
    if (d == 0.0 || !std::isfinite(s) || !std::isfinite(l) || !std::isfinite(d)) {
      return ctx.Invalid("start, limit and delta must be finite and delta non-zero");
    }
    const double count = std::ceil((l - s) / d);
    if (count > static_cast<double>(kMaxTensorBytes)) {
      return ctx.Invalid("range of " + std::to_string(count) + " elements is too large");
    }
    n = count > 0 ? static_cast<int64_t>(count) : 0;
  }
  n = std::max<int64_t>(n, 0);
  TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, kDTypeOf<T>, Shape{n}));
  T* out = y->data<T>();
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_integral_v<T>) {
      out[i] = static_cast<T>(static_cast<int64_t>(start) + i * static_cast<int64_t>(delta));
    } else {
      out[i] = static_cast<T>(static_cast<double>(start) +
                              static_cast<double>(i) * static_cast<double>(delta));
    }
  }
  return Status::Ok();
}

class RangeKernel : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor* s = ctx.Input(0);
    const Tensor* l = ctx.Input(1);
    const Tensor* d = ctx.Input(2);
    for (const Tensor* t : {s, l, d}) {
      if (t->NumElements() != 1 || t->dtype() != s->dtype()) {
        return ctx.Invalid("start, limit and delta must be scalars of one type, got " +
                           s->Description() + ", " + l->Description() + ", " + d->Description());
      }
    }
    if (s->dtype() == DType::kBool) return ctx.Invalid("Range does not accept bool");
    return VisitDType(s->dtype(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, bool>) {
        return ctx.Invalid("Range does not accept bool");
      } else {
        return FillRange<T>(ctx, *s, *l, *d);
      }
    });
  }
};

// Ones on the k-th diagonal of a 2-D output shaped like the input.
class EyeLikeKernel : public Kernel {
 public:
  EyeLikeKernel(DType dtype, int64_t k) : dtype_(dtype), k_(k) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (x->rank() != 2) return ctx.Invalid("input must be 2-D, got " + x->shape().ToString());
    const DType dt = dtype_ == DType::kUndefined ? x->dtype() : dtype_;
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, dt, x->shape()));
    const int64_t rows = x->shape()[0], cols = x->shape()[1];
    std::memset(y->raw_data(), 0, y->nbytes());  // output memory is not cleared for us
    VisitDType(dt, [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* out = y->data<T>();
      for (int64_t i = 0; i < rows; ++i) {
        const int64_t j = i + k_;
        if (j >= 0 && j < cols) out[i * cols + j] = static_cast<T>(1.0f);
      }
    });
    return Status::Ok();
  }

 private:
  DType dtype_;
  int64_t k_;
};

class TriluKernel : public Kernel {
 public:
  explicit TriluKernel(bool upper) : upper_(upper) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (x->rank() < 2)
      return ctx.Invalid("input must have rank >= 2, got " + x->shape().ToString());
    int64_t k = 0;
    if (const Tensor* kt = ctx.Input(1)) {
      if (kt->NumElements() != 1 || kt->dtype() != DType::kInt64) {
        return ctx.Invalid("k must be an int64 scalar, got " + kt->Description());
      }
      k = kt->GetAsInt64(0);
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    const int64_t rows = x->shape()[x->rank() - 2], cols = x->shape()[x->rank() - 1];
    const int64_t total = x->NumElements();
    const size_t esize = DTypeSize(x->dtype());
    const auto* src = static_cast<const uint8_t*>(x->raw_data());
    auto* dst = static_cast<uint8_t*>(y->raw_data());
    for (int64_t e = 0; e < total; ++e) {
      const int64_t j = e % cols, i = (e / cols) % rows;
      const bool keep = upper_ ? j - i >= k : j - i <= k;
      if (keep) {
        std::memcpy(dst + e * esize, src + e * esize, esize);
      } else {
        std::memset(dst + e * esize, 0, esize);
      }
    }
    return Status::Ok();
  }

 private:
  bool upper_;
};

}  // namespace

StatusOr<KernelPtr> CreateConstantOfShape(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  Tensor value = Tensor::Scalar(0.0f);
  if (const Tensor* v = info.GetTensor("value")) {
    if (v->NumElements() != 1 || !IsSupportedDType(v->dtype())) {
      return info.Invalid("attribute 'value' must hold one element, got " + v->Description());
    }
    value = v->Clone();
  }
  return MakeKernel<ConstantOfShapeKernel>(value);
}

StatusOr<KernelPtr> CreateRange(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 3));
  return MakeKernel<RangeKernel>();
}

StatusOr<KernelPtr> CreateEyeLike(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  DType dt = DType::kUndefined;
  if (info.HasAttr("dtype")) {
    dt = static_cast<DType>(info.GetInt("dtype", 0));
    if (!IsSupportedDType(dt)) {
      return info.Invalid("unsupported dtype " + std::to_string(info.GetInt("dtype", 0)));
    }
  }
  return MakeKernel<EyeLikeKernel>(dt, info.GetInt("k", 0));
}

StatusOr<KernelPtr> CreateTrilu(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  return MakeKernel<TriluKernel>(info.GetInt("upper", 1) != 0);
}

}  // namespace trt::kernels
