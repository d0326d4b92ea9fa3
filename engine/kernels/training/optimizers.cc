// Optimizer update rules of ai.onnx.preview.training (opset 1): Adagrad, Momentum (standard
// and nesterov) and Adam. Inputs are (R, T, X_1..X_n, G_1..G_n, <state tensors>); each
// X_i gets the same elementwise update. Computed in double, stored as the tensors' dtype.
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/kernels/kernel.h"

namespace trt::kernels {
namespace {

enum class Rule { kAdagrad, kMomentum, kNesterov, kAdam };

struct Hyper {
  double decay_factor = 0, epsilon = 0, norm_coefficient = 0, norm_coefficient_post = 0;
  double alpha = 0, beta = 0;
};

// Number of per-parameter state tensors after X and G: Adagrad H; Momentum V; Adam V, H.
int NumStates(Rule r) { return r == Rule::kAdam ? 2 : 1; }

template <typename T>
double Get(const Tensor& t, int64_t i) {
  return static_cast<double>(t.data<T>()[i]);
}

// double -> T (half types round through float).
template <typename T>
T FromDouble(double v) {
  if constexpr (std::is_same_v<T, double>) {
    return v;
  } else {
    return static_cast<T>(static_cast<float>(v));
  }
}

class OptimizerKernel final : public Kernel {
 public:
  OptimizerKernel(Rule rule, Hyper h) : rule_(rule), h_(h) {}

  Status Compute(KernelContext& ctx) const override {
    const int groups = 2 + NumStates(rule_);  // X, G, states
    const int n = (ctx.num_inputs() - 2) / groups;
    if (n < 1 || 2 + n * groups != ctx.num_inputs()) {
      return ctx.Invalid("expected inputs (R, T, then " + std::to_string(groups) +
                         " groups of n tensors), got " + std::to_string(ctx.num_inputs()));
    }
    if (ctx.num_outputs() > n * (1 + NumStates(rule_))) {
      return ctx.Invalid("expected at most " + std::to_string(n * (1 + NumStates(rule_))) +
                         " outputs, got " + std::to_string(ctx.num_outputs()));
    }
    const Tensor* r_t = ctx.Input(0);
    const Tensor* t_t = ctx.Input(1);
    if (!r_t || !t_t || r_t->NumElements() != 1 || t_t->NumElements() != 1 ||
        !IsFloatingPoint(r_t->dtype()) || t_t->dtype() != DType::kInt64) {
      return ctx.Invalid("inputs 0 (R) and 1 (T) must be a float scalar and an int64 scalar");
    }
    const double r = r_t->GetAsDouble(0);
    const int64_t t = *t_t->data<int64_t>();
    for (int p = 0; p < n; ++p) TRT_RETURN_IF_ERROR(UpdateOne(ctx, n, p, r, t));
    return Status::Ok();
  }

 private:
  Status UpdateOne(KernelContext& ctx, int n, int p, double r, int64_t t) const {
    const int ns = NumStates(rule_);
    const Tensor* x = ctx.Input(2 + p);
    std::vector<const Tensor*> in = {x, ctx.Input(2 + n + p)};
    for (int s = 0; s < ns; ++s) in.push_back(ctx.Input(2 + (2 + s) * n + p));
    for (size_t k = 0; k < in.size(); ++k) {
      if (!in[k] || in[k]->dtype() != x->dtype() || in[k]->shape() != x->shape() ||
          !IsFloatingPoint(x->dtype())) {
        return ctx.Invalid("tensor group " + std::to_string(k) + " of parameter " +
                           std::to_string(p) + " is " + (in[k] ? in[k]->Description() : "missing") +
                           ", expected " + x->Description() + " (float, like X)");
      }
    }
    // Outputs: X_new for all parameters, then each state group.
    std::vector<Tensor*> out(1 + ns, nullptr);
    for (int k = 0; k <= ns; ++k) {
      TRT_ASSIGN_OR_RETURN(out[k], ctx.AllocateOutput(k * n + p, x->dtype(), x->shape()));
    }
    return VisitDType(x->dtype(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, Float16> ||
                    std::is_same_v<T, BFloat16>) {
        for (int64_t i = 0; i < x->NumElements(); ++i) {
          double st[2] = {Get<T>(*in[2], i), ns > 1 ? Get<T>(*in[3], i) : 0.0};
          const double xn = Step(r, t, Get<T>(*in[0], i), Get<T>(*in[1], i), st);
          out[0]->data<T>()[i] = FromDouble<T>(xn);
          for (int s = 0; s < ns; ++s) out[1 + s]->data<T>()[i] = FromDouble<T>(st[s]);
        }
      }
      return Status::Ok();
    });
  }

  // One element: returns the new x and updates the states in place.
  double Step(double r, int64_t t, double x, double g, double* st) const {
    const double g_reg = h_.norm_coefficient * x + g;
    switch (rule_) {
      case Rule::kAdagrad: {
        const double lr = r / (1.0 + static_cast<double>(t) * h_.decay_factor);
        st[0] += g_reg * g_reg;
        return x - lr * g_reg / (std::sqrt(st[0]) + h_.epsilon);
      }
      case Rule::kMomentum:
      case Rule::kNesterov: {
        const double beta = t > 0 ? h_.beta : 1.0;
        st[0] = h_.alpha * st[0] + beta * g_reg;
        return rule_ == Rule::kMomentum ? x - r * st[0] : x - r * (g_reg + h_.alpha * st[0]);
      }
      case Rule::kAdam: {
        st[0] = h_.alpha * st[0] + (1.0 - h_.alpha) * g_reg;
        st[1] = h_.beta * st[1] + (1.0 - h_.beta) * g_reg * g_reg;
        const double td = static_cast<double>(t);
        const double lr =
            t > 0 ? r * std::sqrt(1.0 - std::pow(h_.beta, td)) / (1.0 - std::pow(h_.alpha, td)) : r;
        const double x_new = x - lr * (st[0] / (std::sqrt(st[1]) + h_.epsilon));
        return (1.0 - h_.norm_coefficient_post) * x_new;
      }
    }
    return x;
  }

  Rule rule_;
  Hyper h_;
};

}  // namespace

StatusOr<KernelPtr> CreateAdagrad(const KernelInfo& info) {
  Hyper h;
  h.decay_factor = info.GetFloat("decay_factor", 0.0f);
  h.epsilon = info.GetFloat("epsilon", 0.0f);
  h.norm_coefficient = info.GetFloat("norm_coefficient", 0.0f);
  return MakeKernel<OptimizerKernel>(Rule::kAdagrad, h);
}

StatusOr<KernelPtr> CreateMomentum(const KernelInfo& info) {
  for (const char* a : {"alpha", "beta", "mode", "norm_coefficient"}) {
    if (!info.HasAttr(a)) return info.Invalid(std::string("attribute ") + a + " is required");
  }
  Hyper h;
  h.alpha = info.GetFloat("alpha", 0.0f);
  h.beta = info.GetFloat("beta", 0.0f);
  h.norm_coefficient = info.GetFloat("norm_coefficient", 0.0f);
  const std::string mode = info.GetString("mode");
  if (mode != "standard" && mode != "nesterov") {
    return info.Invalid("attribute mode is '" + mode + "', expected 'standard' or 'nesterov'");
  }
  return MakeKernel<OptimizerKernel>(mode == "standard" ? Rule::kMomentum : Rule::kNesterov, h);
}

StatusOr<KernelPtr> CreateAdam(const KernelInfo& info) {
  Hyper h;
  h.alpha = info.GetFloat("alpha", 0.9f);
  h.beta = info.GetFloat("beta", 0.999f);
  h.epsilon = info.GetFloat("epsilon", 1e-6f);
  h.norm_coefficient = info.GetFloat("norm_coefficient", 0.0f);
  h.norm_coefficient_post = info.GetFloat("norm_coefficient_post", 0.0f);
  return MakeKernel<OptimizerKernel>(Rule::kAdam, h);
}

}  // namespace trt::kernels
