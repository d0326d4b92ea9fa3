// Activation epilogues of the fused kernels: parsing of the activation/activation_params
// attributes and the formulas, copied expression for expression from the elementwise
// reference kernels (elementwise/activation_ops.cc, unary_ops.cc) so fused == unfused. At
// AVX2 and above, float32 Sigmoid, Tanh and Gelu use the vector math of common/vec_math.h,
// like the standalone float32 kernels at that level (elementwise/unary_f32.h).
#include "engine/kernels/fused/activation.h"

#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "engine/kernels/common/vec_math.h"
#include "engine/kernels/fused/gemm_epilogue.h"

namespace trt::kernels::fused {
namespace {

constexpr std::array<std::pair<std::string_view, ActivationKind>, 9> kNames = {{
    {"", ActivationKind::kNone},
    {"Relu", ActivationKind::kRelu},
    {"Clip", ActivationKind::kClip},
    {"LeakyRelu", ActivationKind::kLeakyRelu},
    {"Sigmoid", ActivationKind::kSigmoid},
    {"HardSigmoid", ActivationKind::kHardSigmoid},
    {"HardSwish", ActivationKind::kHardSwish},
    {"Gelu", ActivationKind::kGelu},
    {"Tanh", ActivationKind::kTanh},
}};

template <typename T>
T HardSigmoid(float alpha, float beta, T x) {
  const T v = T(alpha) * x + T(beta);
  return v < T(0) ? T(0) : (v > T(1) ? T(1) : v);  // NaN passes through
}

template <typename T>
T ApplyT(const Activation& a, T x) {
  switch (a.kind) {
    case ActivationKind::kNone:
      return x;
    case ActivationKind::kRelu:
      return x < T(0) ? T(0) : x;
    case ActivationKind::kClip: {
      const T r = x < T(a.p0) ? T(a.p0) : x;
      return r > T(a.p1) ? T(a.p1) : r;
    }
    case ActivationKind::kLeakyRelu:
      return x < T(0) ? T(a.p0) * x : x;
    case ActivationKind::kSigmoid: {
      if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
      const T e = std::exp(x);
      return e / (T(1) + e);
    }
    case ActivationKind::kHardSigmoid:
      return HardSigmoid(a.p0, a.p1, x);
    case ActivationKind::kHardSwish:
      return x * HardSigmoid(1.0f / 6, 0.5f, x);
    case ActivationKind::kGelu:
      return T(0.5) * x * (T(1) + std::erf(x * T(0.7071067811865476)));  // x / sqrt(2)
    case ActivationKind::kTanh:
      return std::tanh(x);
  }
  return x;
}

template <typename T, typename C>
void ApplyBuffer(const Activation& a, T* data, int64_t n) {
  for (int64_t i = 0; i < n; ++i) data[i] = T(ApplyT<C>(a, C(data[i])));
}

// Forwards everything to the executor's context and remembers output 0's tensor.
class CapturingContext final : public KernelContext {
 public:
  explicit CapturingContext(KernelContext& inner) : inner_(inner) {}

  const KernelInfo& info() const override { return inner_.info(); }
  int num_inputs() const override { return inner_.num_inputs(); }
  const Tensor* Input(int i) const override { return inner_.Input(i); }
  int num_outputs() const override { return inner_.num_outputs(); }
  bool OutputRequested(int i) const override { return inner_.OutputRequested(i); }
  StatusOr<Tensor*> AllocateOutput(int i, DType dtype, const Shape& shape) override {
    auto t = inner_.AllocateOutput(i, dtype, shape);
    if (t.ok() && i == 0) output0_ = *t;
    return t;
  }
  void SetOutput(int i, Tensor t) override {
    if (i == 0) output0_ = nullptr;  // may alias an input: never modified in place
    inner_.SetOutput(i, std::move(t));
  }
  ThreadPool* thread_pool() override { return inner_.thread_pool(); }
  SubgraphRunner* subgraphs() override { return inner_.subgraphs(); }
  void* Scratch(size_t bytes) override { return inner_.Scratch(bytes); }

  Tensor* output0() const { return output0_; }

 private:
  KernelContext& inner_;
  Tensor* output0_ = nullptr;
};

}  // namespace

std::string_view ActivationName(ActivationKind kind) {
  for (const auto& [name, k] : kNames) {
    if (k == kind) return name;
  }
  return "?";
}

int ActivationParamCount(ActivationKind kind) {
  switch (kind) {
    case ActivationKind::kClip:
    case ActivationKind::kHardSigmoid:
      return 2;
    case ActivationKind::kLeakyRelu:
      return 1;
    default:
      return 0;
  }
}

StatusOr<Activation> ParseActivation(const KernelInfo& info) {
  const std::string name = info.GetString("activation", "");
  Activation act;
  bool found = false;
  std::string known;
  for (const auto& [n, k] : kNames) {
    if (n == name) {
      act.kind = k;
      found = true;
    }
    if (!n.empty()) known += (known.empty() ? "" : ", ") + std::string(n);
  }
  if (!found) {
    return info.Invalid("attribute activation is \"" + name + "\", expected \"\" or one of " +
                        known);
  }
  // No params means the ONNX defaults of the standalone op (LeakyRelu alpha 0.01,
  // HardSigmoid 0.2/0.5, Clip unbounded); otherwise exactly the op's count.
  const std::vector<float> params = info.GetFloats("activation_params");
  const int want = ActivationParamCount(act.kind);
  if (!params.empty() && static_cast<int>(params.size()) != want) {
    return info.Invalid("attribute activation_params has " + std::to_string(params.size()) +
                        " values, activation \"" + name + "\" takes " + std::to_string(want));
  }
  switch (act.kind) {
    case ActivationKind::kLeakyRelu:
      act.p0 = 0.01f;
      break;
    case ActivationKind::kHardSigmoid:
      act.p0 = 0.2f;
      act.p1 = 0.5f;
      break;
    case ActivationKind::kClip:
      act.p0 = -std::numeric_limits<float>::infinity();
      act.p1 = std::numeric_limits<float>::infinity();
      break;
    default:
      break;
  }
  if (!params.empty() && want >= 1) act.p0 = params[0];
  if (!params.empty() && want >= 2) act.p1 = params[1];
  return act;
}

float Apply(const Activation& act, float x) { return ApplyT<float>(act, x); }
double Apply(const Activation& act, double x) { return ApplyT<double>(act, x); }

void ApplyInPlace(const Activation& act, std::span<float> data) {
  ApplyBuffer<float, float>(act, data.data(), static_cast<int64_t>(data.size()));
}

Status ApplyInPlace(const Activation& act, Tensor& t) {
  if (act.kind == ActivationKind::kNone) return Status::Ok();
  const int64_t n = t.NumElements();
  switch (t.dtype()) {
    case DType::kFloat32:
      ApplyBuffer<float, float>(act, t.data<float>(), n);
      return Status::Ok();
    case DType::kFloat64:
      ApplyBuffer<double, double>(act, t.data<double>(), n);
      return Status::Ok();
    case DType::kFloat16:
      ApplyBuffer<Float16, float>(act, t.data<Float16>(), n);
      return Status::Ok();
    case DType::kBFloat16:
      ApplyBuffer<BFloat16, float>(act, t.data<BFloat16>(), n);
      return Status::Ok();
    default:
      return InvalidArgument("activation " + std::string(ActivationName(act.kind)) +
                             " needs a float tensor, got " + t.Description());
  }
}

Status ComputeWithActivation(const Kernel& base, const Activation& act, KernelContext& ctx,
                             int residual_input) {
  CapturingContext capture(ctx);
  TRT_RETURN_IF_ERROR(base.Compute(capture));
  const Tensor* z = residual_input >= 0 ? ctx.Input(residual_input) : nullptr;
  if (act.kind == ActivationKind::kNone && z == nullptr) return Status::Ok();
  if (capture.output0() == nullptr) {
    return Internal(ctx.info().node().Describe() + ": the base kernel did not allocate output 0");
  }
  if (z != nullptr) {
    Tensor& y = *capture.output0();
    if (z->dtype() != y.dtype() || z->shape() != y.shape()) {
      return ctx.Invalid("input " + std::to_string(residual_input) + " (Z) is " + z->Description() +
                         ", expected " + y.Description() + " like the convolution output");
    }
    const int64_t n = y.NumElements();
    if (y.dtype() == DType::kFloat32) {
      float* yd = y.data<float>();
      const float* zd = z->data<float>();
      for (int64_t i = 0; i < n; ++i) yd[i] = yd[i] + zd[i];
    } else if (y.dtype() == DType::kFloat64) {
      double* yd = y.data<double>();
      const double* zd = z->data<double>();
      for (int64_t i = 0; i < n; ++i) yd[i] = yd[i] + zd[i];
    } else {
      return ctx.Unsupported("residual input Z needs float32 or float64, got " + z->Description());
    }
  }
  Tensor& out = *capture.output0();
  if (const vecmath::F32ArrayFn* fn = VecActivation(act.kind, ctx.info().isa());
      fn != nullptr && out.dtype() == DType::kFloat32) {
    (*fn)(out.data<float>(), out.data<float>(), out.NumElements());
    return Status::Ok();
  }
  Status s = ApplyInPlace(act, out);
  if (!s.ok()) return ctx.Invalid(s.message());
  return Status::Ok();
}

}  // namespace trt::kernels::fused

namespace trt::kernels::fused {
namespace {

void ApplyRow(const void* ctx, float* row, int64_t n) {
  ApplyInPlace(*static_cast<const Activation*>(ctx), std::span<float>(row, static_cast<size_t>(n)));
}

// ctx points at a vecmath::F32ArrayFn (a member of a static F32VecMath table entry).
void VecRow(const void* ctx, float* row, int64_t n) {
  (*static_cast<const vecmath::F32ArrayFn*>(ctx))(row, row, n);
}

}  // namespace

const vecmath::F32ArrayFn* VecActivation(ActivationKind kind, Isa isa) {
  const vecmath::F32VecMath* vm = vecmath::SelectF32VecMath(isa);
  if (vm == nullptr) return nullptr;
  switch (kind) {
    case ActivationKind::kSigmoid:
      return &vm->sigmoid;
    case ActivationKind::kGelu:
      return &vm->gelu;
    case ActivationKind::kTanh:
      return &vm->tanh;
    default:
      return nullptr;
  }
}

void SetGemmActivation(const Activation& act, Isa isa, gemm::Epilogue* ep) {
  switch (act.kind) {
    case ActivationKind::kNone:
      return;
    case ActivationKind::kRelu:
      ep->clamp_min = 0.0f;
      return;
    case ActivationKind::kClip:
      ep->clamp_min = act.p0;
      ep->clamp_max = act.p1;
      return;
    default:
      if (const vecmath::F32ArrayFn* fn = VecActivation(act.kind, isa)) {
        ep->activation = &VecRow;
        ep->activation_ctx = fn;
      } else {
        ep->activation = &ApplyRow;
        ep->activation_ctx = &act;
      }
      return;
  }
}

}  // namespace trt::kernels::fused
