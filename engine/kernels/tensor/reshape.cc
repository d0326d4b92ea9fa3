// View-changing ops whose outputs alias their input storage: Reshape, Flatten, Squeeze,
// Unsqueeze, Identity and (inference-mode) Dropout; plus Shape and Size, which describe it.
#include <algorithm>
#include <optional>

#include "engine/kernels/kernel.h"
#include "engine/kernels/tensor/tensor_util.h"

namespace trt::kernels {
namespace {

using tensor::ReadInt64s;
using tensor::RequireInputs;
using tensor::VecToString;

class ReshapeKernel : public Kernel {
 public:
  // attr_shape is used when from_input is false (opset 1-4).
  ReshapeKernel(bool from_input, std::vector<int64_t> attr_shape, bool allowzero)
      : from_input_(from_input), attr_shape_(std::move(attr_shape)), allowzero_(allowzero) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    std::vector<int64_t> req = attr_shape_;
    if (from_input_) {
      const Tensor* s = ctx.Input(1);
      TRT_ASSIGN_OR_RETURN(req, ReadInt64s(ctx, *s, "input 'shape'"));
    }
    const Shape& in = x->shape();
    std::vector<int64_t> out(req.size());
    int infer = -1;
    int64_t known = 1;
    for (size_t i = 0; i < req.size(); ++i) {
      int64_t d = req[i];
      if (d == -1) {
        if (infer >= 0) return ctx.Invalid("shape " + VecToString(req) + " has more than one -1");
        infer = static_cast<int>(i);
        continue;
      }
      if (d < -1) return ctx.Invalid("shape " + VecToString(req) + " has a negative dim");
      if (d == 0 && !allowzero_) {
        if (static_cast<int>(i) >= in.rank()) {
          return ctx.Invalid("shape " + VecToString(req) + " copies dim " + std::to_string(i) +
                             " (0) but the input " + in.ToString() + " has rank " +
                             std::to_string(in.rank()));
        }
        d = in[i];
      }
      out[i] = d;
      if (__builtin_mul_overflow(known, d, &known)) {
        return ctx.Invalid("shape " + VecToString(req) + " has too many elements");
      }
    }
    const int64_t n = in.NumElements();
    if (infer >= 0) {
      if (known == 0 || n % known != 0) {
        return ctx.Invalid("cannot reshape " + in.ToString() + " (" + std::to_string(n) +
                           " elements) to " + VecToString(req));
      }
      out[infer] = n / known;
      known *= out[infer];
    }
    if (known != n) {
      return ctx.Invalid("cannot reshape " + in.ToString() + " (" + std::to_string(n) +
                         " elements) to " + VecToString(req));
    }
    ctx.SetOutput(0, x->Reshaped(Shape(out)));
    return Status::Ok();
  }

 private:
  bool from_input_;
  std::vector<int64_t> attr_shape_;
  bool allowzero_;
};

class FlattenKernel : public Kernel {
 public:
  FlattenKernel(int64_t axis, bool allow_negative) : axis_(axis), allow_negative_(allow_negative) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const int r = x->rank();
    int64_t axis = axis_;
    if (allow_negative_ && axis < 0) axis += r;
    if (axis < 0 || axis > r) {
      return ctx.Invalid("axis " + std::to_string(axis_) + " is out of range for rank " +
                         std::to_string(r));
    }
    const int a = static_cast<int>(axis);
    Shape out{x->shape().NumElements(0, a), x->shape().NumElements(a, r)};
    ctx.SetOutput(0, x->Reshaped(out));
    return Status::Ok();
  }

 private:
  int64_t axis_;
  bool allow_negative_;
};

// Squeeze and Unsqueeze: axes from the attribute (opset < 13) or input 1 (opset >= 13).
class SqueezeKernel : public Kernel {
 public:
  SqueezeKernel(bool unsqueeze, bool from_input, std::vector<int64_t> axes, bool has_axes)
      : unsqueeze_(unsqueeze),
        from_input_(from_input),
        axes_(std::move(axes)),
        has_axes_(has_axes) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    std::vector<int64_t> axes = axes_;
    bool has_axes = has_axes_;
    if (from_input_) {
      const Tensor* a = ctx.Input(1);
      has_axes = a != nullptr;
      if (a) {
        TRT_ASSIGN_OR_RETURN(axes, ReadInt64s(ctx, *a, "input 'axes'"));
      }
    }
    const Shape& in = x->shape();
    if (unsqueeze_) {
      if (!has_axes) return ctx.Invalid("Unsqueeze requires axes");
      const int out_rank = in.rank() + static_cast<int>(axes.size());
      TRT_ASSIGN_OR_RETURN(std::vector<int> norm,
                           tensor::NormalizeAxes(ctx, axes, out_rank, true, "axes"));
      std::vector<bool> is_new(out_rank, false);
      for (int a : norm) is_new[a] = true;
      Shape out;
      int k = 0;
      for (int d = 0; d < out_rank; ++d) out.push_back(is_new[d] ? 1 : in[k++]);
      ctx.SetOutput(0, x->Reshaped(out));
      return Status::Ok();
    }
    std::vector<bool> drop(in.rank(), false);
    if (has_axes) {
      TRT_ASSIGN_OR_RETURN(std::vector<int> norm,
                           tensor::NormalizeAxes(ctx, axes, in.rank(), true, "axes"));
      for (int a : norm) {
        if (in[a] != 1) {
          return ctx.Invalid("cannot squeeze axis " + std::to_string(a) + " of shape " +
                             in.ToString() + ": dim is " + std::to_string(in[a]) + ", not 1");
        }
        drop[a] = true;
      }
    } else {
      for (int d = 0; d < in.rank(); ++d) drop[d] = in[d] == 1;
    }
    Shape out;
    for (int d = 0; d < in.rank(); ++d) {
      if (!drop[d]) out.push_back(in[d]);
    }
    ctx.SetOutput(0, x->Reshaped(out));
    return Status::Ok();
  }

 private:
  bool unsqueeze_;
  bool from_input_;
  std::vector<int64_t> axes_;
  bool has_axes_;
};

class IdentityKernel : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    ctx.SetOutput(0, *ctx.Input(0));
    return Status::Ok();
  }
};

// Dropout in inference mode: Y = X, mask all true. Opset 12+ takes ratio and training_mode
// inputs; training with a non-zero ratio is random and therefore not supported. Before
// opset 10 the mask has the input's dtype (filled with ones), from opset 10 it is bool.
class DropoutKernel : public Kernel {
 public:
  explicit DropoutKernel(int opset) : opset_(opset) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (opset_ >= 12) {
      const Tensor* training = ctx.Input(2);
      if (training && training->NumElements() != 1) {
        return ctx.Invalid("training_mode must be a scalar, got shape " +
                           training->shape().ToString());
      }
      if (training && training->GetAsInt64(0) != 0) {
        double ratio = 0.5;
        const Tensor* r = ctx.Input(1);
        if (r) {
          if (r->NumElements() != 1 || !IsFloatingPoint(r->dtype())) {
            return ctx.Invalid("ratio must be a floating-point scalar, got " + r->Description());
          }
          ratio = r->GetAsDouble(0);
        }
        if (ratio != 0.0) {
          return ctx.Unsupported("training_mode=true with ratio " + std::to_string(ratio) +
                                 " produces random results");
        }
      }
    }
    ctx.SetOutput(0, *x);
    if (ctx.num_outputs() > 1 && ctx.OutputRequested(1)) {
      const DType mask_type = opset_ >= 10 ? DType::kBool : x->dtype();
      TRT_ASSIGN_OR_RETURN(Tensor * mask, ctx.AllocateOutput(1, mask_type, x->shape()));
      if (mask_type == DType::kBool) {
        std::fill_n(mask->data<bool>(), mask->NumElements(), true);
      } else {
        VisitDType(mask_type, [&](auto tag) {
          using T = typename decltype(tag)::type;
          std::fill_n(mask->data<T>(), mask->NumElements(), T(1.0f));
        });
      }
    }
    return Status::Ok();
  }

 private:
  int opset_;
};

class ShapeKernel : public Kernel {
 public:
  ShapeKernel(int64_t start, std::optional<int64_t> end) : start_(start), end_(end) {}
  Status Compute(KernelContext& ctx) const override {
    const Shape& in = ctx.Input(0)->shape();
    const int64_t r = in.rank();
    auto clamp = [r](int64_t v) {
      if (v < 0) v += r;
      return std::clamp<int64_t>(v, 0, r);
    };
    const int64_t start = clamp(start_);
    const int64_t end = end_ ? clamp(*end_) : r;
    const int64_t n = std::max<int64_t>(end - start, 0);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kInt64, Shape{n}));
    for (int64_t i = 0; i < n; ++i) y->data<int64_t>()[i] = in[start + i];
    return Status::Ok();
  }

 private:
  int64_t start_;
  std::optional<int64_t> end_;
};

class SizeKernel : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kInt64, Shape{}));
    *y->data<int64_t>() = ctx.Input(0)->NumElements();
    return Status::Ok();
  }
};

}  // namespace

StatusOr<KernelPtr> CreateReshape(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, info.opset() < 5 ? 1 : 2));
  if (info.opset() < 5) {
    if (!info.HasAttr("shape")) return info.Invalid("missing attribute 'shape'");
    return MakeKernel<ReshapeKernel>(false, info.GetInts("shape"), false);
  }
  const int64_t allowzero = info.GetInt("allowzero", 0);
  if (allowzero != 0 && allowzero != 1) {
    return info.Invalid("allowzero must be 0 or 1, got " + std::to_string(allowzero));
  }
  return MakeKernel<ReshapeKernel>(true, std::vector<int64_t>{}, allowzero == 1);
}

StatusOr<KernelPtr> CreateFlatten(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  return MakeKernel<FlattenKernel>(info.GetInt("axis", 1), info.opset() >= 11);
}

StatusOr<KernelPtr> CreateSqueeze(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  const bool from_input = info.opset() >= 13;
  return MakeKernel<SqueezeKernel>(false, from_input, info.GetInts("axes"),
                                   !from_input && info.HasAttr("axes"));
}

StatusOr<KernelPtr> CreateUnsqueeze(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  const bool from_input = info.opset() >= 13;
  if (!from_input && !info.HasAttr("axes")) return info.Invalid("missing attribute 'axes'");
  if (from_input && !info.HasInput(1)) return info.Invalid("missing input 'axes'");
  return MakeKernel<SqueezeKernel>(true, from_input, info.GetInts("axes"), true);
}

StatusOr<KernelPtr> CreateIdentity(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  return MakeKernel<IdentityKernel>();
}

StatusOr<KernelPtr> CreateDropout(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  return MakeKernel<DropoutKernel>(info.opset());
}

StatusOr<KernelPtr> CreateShape(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  std::optional<int64_t> end;
  if (info.HasAttr("end")) end = info.GetInt("end", 0);
  return MakeKernel<ShapeKernel>(info.GetInt("start", 0), end);
}

StatusOr<KernelPtr> CreateSize(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  return MakeKernel<SizeKernel>();
}

}  // namespace trt::kernels
