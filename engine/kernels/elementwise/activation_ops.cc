// Activations: Relu, LeakyRelu, PRelu, Sigmoid, HardSigmoid, HardSwish, Elu, Selu, Celu,
// ThresholdedRelu, Softplus, Softsign, Shrink, Mish, Clip, and Gelu (ai.onnx opset 20 with
// `approximate`, and com.microsoft's exact form). Attributes are read once by the factory
// into the functor; math runs in the element's compute type (float or double).
// Exponentials are written in overflow-safe forms (Sigmoid, Softplus) and use expm1 where
// the spec's exp(x) - 1 would cancel (Elu, Selu, Celu). Float32 Sigmoid and Gelu at AVX2 and
// above run the vectorized kernels of unary_f32.h.
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "engine/kernels/elementwise/convert.h"
#include "engine/kernels/elementwise/unary.h"
#include "engine/kernels/elementwise/unary_f32.h"

namespace trt::kernels::elementwise {
namespace {

struct ReluOp {
  static constexpr DTypeSet kTypes = kSignedNumericTypes;
  template <typename T>
  T operator()(T x) const {
    return x < T(0) ? T(0) : x;  // NaN passes through
  }
};

struct LeakyReluOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  float alpha = 0.01f;
  template <typename T>
  T operator()(T x) const {
    return x < T(0) ? T(alpha) * x : x;
  }
};

template <typename T>
T Sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

// log(1 + exp(x)) without overflow for large x.
template <typename T>
T Softplus(T x) {
  return x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

struct SigmoidOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  template <typename T>
  T operator()(T x) const {
    return Sigmoid(x);
  }
};

struct HardSigmoidOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  float alpha = 0.2f;
  float beta = 0.5f;
  template <typename T>
  T operator()(T x) const {
    const T v = T(alpha) * x + T(beta);
    return v < T(0) ? T(0) : (v > T(1) ? T(1) : v);  // NaN passes through
  }
};

// x * HardSigmoid(x) with alpha = 1/6, beta = 0.5 (the spec's definition).
struct HardSwishOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  template <typename T>
  T operator()(T x) const {
    return x * HardSigmoidOp{1.0f / 6, 0.5f}(x);
  }
};

struct EluOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  float alpha = 1.0f;
  template <typename T>
  T operator()(T x) const {
    return x < T(0) ? T(alpha) * std::expm1(x) : x;
  }
};

struct SeluOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  float alpha = 1.67326319217681884765625f;
  float gamma = 1.05070102214813232421875f;
  template <typename T>
  T operator()(T x) const {
    return x > T(0) ? T(gamma) * x : T(gamma) * T(alpha) * std::expm1(x);
  }
};

struct CeluOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  float alpha = 1.0f;
  template <typename T>
  T operator()(T x) const {
    return x > T(0) ? x : T(alpha) * std::expm1(x / T(alpha));
  }
};

struct ThresholdedReluOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  float alpha = 1.0f;
  template <typename T>
  T operator()(T x) const {
    return x > T(alpha) ? x : T(0);
  }
};

struct SoftplusOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  template <typename T>
  T operator()(T x) const {
    return Softplus(x);
  }
};

struct SoftsignOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  template <typename T>
  T operator()(T x) const {
    return x / (T(1) + std::fabs(x));
  }
};

struct MishOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  template <typename T>
  T operator()(T x) const {
    return x * std::tanh(Softplus(x));
  }
};

// Shrink is defined for every numeric type; integers compute in double and truncate.
struct ShrinkOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  float bias = 0.0f;
  float lambd = 0.5f;
  template <typename T>
  T operator()(T x) const {
    using W = std::conditional_t<kIsFloat<T>, T, double>;
    const W v = static_cast<W>(x);
    const W r = v < -W(lambd) ? v + W(bias) : (v > W(lambd) ? v - W(bias) : W(0));
    if constexpr (kIsFloat<T>) {
      return r;
    } else {
      return SaturateToInt<T>(r);
    }
  }
};

struct GeluOp {
  static constexpr DTypeSet kTypes = kFloatTypes;
  bool tanh_approximation = false;
  template <typename T>
  T operator()(T x) const {
    if (tanh_approximation) {
      const T k = T(0.7978845608028654);  // sqrt(2 / pi)
      return T(0.5) * x * (T(1) + std::tanh(k * (x + T(0.044715) * x * x * x)));
    }
    return T(0.5) * x * (T(1) + std::erf(x * T(0.7071067811865476)));  // x / sqrt(2)
  }
};

// PRelu: slope broadcasts unidirectionally to X. Before opset 7 a 1-D slope of X's channel
// count applies along axis 1 (PyTorch's old exports rely on this).
struct PReluOp {
  static constexpr DTypeSet kTypes = kNumericTypes;
  template <typename T>
  T operator()(T x, T slope) const {
    if constexpr (std::is_unsigned_v<T>) {
      return x;
    } else if constexpr (kIsFloat<T>) {
      return x < T(0) ? slope * x : x;
    } else {
      return x < T(0) ? T(WrapInt<T>(slope) * WrapInt<T>(x)) : x;
    }
  }
};

class PReluKernel final : public Kernel {
 public:
  explicit PReluKernel(int opset) : opset_(opset) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = nullptr;
    const Tensor* slope = nullptr;
    TRT_RETURN_IF_ERROR(GetBinaryInputs(ctx, /*same_dtype=*/true, &x, &slope));
    if (!(PReluOp::kTypes & DTypeBit(x->dtype()))) {
      return UnsupportedDType(ctx, x->dtype(), PReluOp::kTypes);
    }
    Shape shapes[2] = {x->shape(), slope->shape()};
    if (opset_ < 7 && slope->rank() == 1 && x->rank() >= 2 && slope->shape()[0] == x->shape()[1]) {
      TRT_ASSIGN_OR_RETURN(shapes[1], LegacyBroadcastShape(x->shape(), slope->shape(), 1, true));
    }
    auto plan = MakeElementwisePlan(shapes, 2);
    if (!plan.ok()) return ctx.Invalid(plan.status().message());
    if (plan->out_shape != x->shape()) {
      return ctx.Invalid("slope " + slope->shape().ToString() + " does not broadcast to X " +
                         x->shape().ToString());
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (TypeAllowed<T>(PReluOp::kTypes)) {
        RunBinaryOp<T>(*plan, x->data<T>(), slope->data<T>(), y->data<T>(), PReluOp{},
                       ctx.thread_pool());
      }
    });
    return Status::Ok();
  }

 private:
  const int opset_;
};

// Clip: bounds come from attributes before opset 11 and from optional scalar inputs 1 and 2
// after. Applied as min(max(x, lo), hi), so lo > hi gives hi everywhere (numpy's clip).
class ClipKernel final : public Kernel {
 public:
  static constexpr DTypeSet kTypes = kNumericTypes;

  explicit ClipKernel(const KernelInfo& info) : bounds_from_inputs_(info.opset() >= 11) {
    if (!bounds_from_inputs_) {
      has_attr_min_ = info.HasAttr("min") || info.opset() >= 6;
      has_attr_max_ = info.HasAttr("max") || info.opset() >= 6;
      attr_min_ = info.GetFloat("min", std::numeric_limits<float>::lowest());
      attr_max_ = info.GetFloat("max", std::numeric_limits<float>::max());
    }
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (x == nullptr) return ctx.Invalid("missing input 0");
    if (!(kTypes & DTypeBit(x->dtype()))) return UnsupportedDType(ctx, x->dtype(), kTypes);
    const Tensor* lo_t = bounds_from_inputs_ ? ctx.Input(1) : nullptr;
    const Tensor* hi_t = bounds_from_inputs_ ? ctx.Input(2) : nullptr;
    for (const Tensor* t : {lo_t, hi_t}) {
      if (t == nullptr) continue;
      if (t->dtype() != x->dtype() || t->NumElements() != 1) {
        return ctx.Invalid("min/max must be scalars of the input's dtype " +
                           std::string(DTypeName(x->dtype())) + ", got " + t->Description());
      }
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (TypeAllowed<T>(kTypes)) {
        using C = ComputeType<T>;
        using L = std::numeric_limits<C>;
        C lo = L::has_infinity ? -L::infinity() : L::lowest();
        C hi = L::has_infinity ? L::infinity() : L::max();
        if (lo_t) lo = C(lo_t->data<T>()[0]);
        if (hi_t) hi = C(hi_t->data<T>()[0]);
        if (has_attr_min_) lo = ConvertElement<C>(attr_min_);
        if (has_attr_max_) hi = ConvertElement<C>(attr_max_);
        auto clip = [lo, hi](C v) {
          const C r = v < lo ? lo : v;
          return r > hi ? hi : r;
        };
        RunUnaryOp<T>(x->data<T>(), y->data<T>(), x->NumElements(), clip, ctx.thread_pool());
      }
    });
    return Status::Ok();
  }

 private:
  const bool bounds_from_inputs_;
  bool has_attr_min_ = false;
  bool has_attr_max_ = false;
  float attr_min_ = 0;
  float attr_max_ = 0;
};

}  // namespace
}  // namespace trt::kernels::elementwise

namespace trt::kernels {
namespace ew = elementwise;

StatusOr<KernelPtr> CreateRelu(const KernelInfo& info) { return ew::MakeUnary<ew::ReluOp>(); }
StatusOr<KernelPtr> CreateSigmoid(const KernelInfo& info) {
  return ew::VecUnaryF32OrRef(info, ew::VecUnaryOp::kSigmoid,
                              std::make_unique<ew::UnaryKernel<ew::SigmoidOp>>(ew::SigmoidOp{}));
}
StatusOr<KernelPtr> CreateHardSwish(const KernelInfo& info) {
  return ew::MakeUnary<ew::HardSwishOp>();
}
StatusOr<KernelPtr> CreateSoftplus(const KernelInfo& info) {
  return ew::MakeUnary<ew::SoftplusOp>();
}
StatusOr<KernelPtr> CreateSoftsign(const KernelInfo& info) {
  return ew::MakeUnary<ew::SoftsignOp>();
}
StatusOr<KernelPtr> CreateMish(const KernelInfo& info) { return ew::MakeUnary<ew::MishOp>(); }

StatusOr<KernelPtr> CreateLeakyRelu(const KernelInfo& info) {
  return ew::MakeUnary(ew::LeakyReluOp{info.GetFloat("alpha", 0.01f)});
}
StatusOr<KernelPtr> CreateHardSigmoid(const KernelInfo& info) {
  return ew::MakeUnary(
      ew::HardSigmoidOp{info.GetFloat("alpha", 0.2f), info.GetFloat("beta", 0.5f)});
}
StatusOr<KernelPtr> CreateElu(const KernelInfo& info) {
  return ew::MakeUnary(ew::EluOp{info.GetFloat("alpha", 1.0f)});
}
StatusOr<KernelPtr> CreateSelu(const KernelInfo& info) {
  ew::SeluOp op;
  op.alpha = info.GetFloat("alpha", op.alpha);
  op.gamma = info.GetFloat("gamma", op.gamma);
  return ew::MakeUnary(op);
}
StatusOr<KernelPtr> CreateCelu(const KernelInfo& info) {
  const float alpha = info.GetFloat("alpha", 1.0f);
  if (alpha == 0) return info.Invalid("alpha must be non-zero");
  return ew::MakeUnary(ew::CeluOp{alpha});
}
StatusOr<KernelPtr> CreateThresholdedRelu(const KernelInfo& info) {
  return ew::MakeUnary(ew::ThresholdedReluOp{info.GetFloat("alpha", 1.0f)});
}
StatusOr<KernelPtr> CreateShrink(const KernelInfo& info) {
  return ew::MakeUnary(ew::ShrinkOp{info.GetFloat("bias", 0.0f), info.GetFloat("lambd", 0.5f)});
}

StatusOr<KernelPtr> CreateGelu(const KernelInfo& info) {
  const std::string approximate = info.GetString("approximate", "none");
  if (approximate != "none" && approximate != "tanh") {
    return info.Invalid("approximate must be \"none\" or \"tanh\", got \"" + approximate + "\"");
  }
  const bool tanh = approximate == "tanh";
  return ew::VecUnaryF32OrRef(info, tanh ? ew::VecUnaryOp::kGeluTanh : ew::VecUnaryOp::kGelu,
                              std::make_unique<ew::UnaryKernel<ew::GeluOp>>(ew::GeluOp{tanh}));
}

StatusOr<KernelPtr> CreatePRelu(const KernelInfo& info) {
  return MakeKernel<ew::PReluKernel>(info.opset());
}
StatusOr<KernelPtr> CreateClip(const KernelInfo& info) { return MakeKernel<ew::ClipKernel>(info); }

}  // namespace trt::kernels
