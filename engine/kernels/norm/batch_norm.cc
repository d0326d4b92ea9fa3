// BatchNormalization (ai.onnx opsets 1+) and InstanceNormalization (opsets 1+) reference
// kernels on [N, C, D1, ..., Dk] inputs. BatchNormalization normalizes with the given
// running statistics, or in training mode (opset 14+ training_mode=1; earlier opsets when
// the statistics outputs are requested) with the batch's own statistics, and then also
// emits the updated running mean/var (momentum-weighted, population variance).
#include <cmath>
#include <string>
#include <vector>

#include "engine/kernels/kernel.h"
#include "engine/kernels/norm/norm_util.h"

namespace trt::kernels {
namespace {

Status CheckNCHW(KernelContext& ctx, const Tensor* x) {
  if (!x) return ctx.Invalid("input 0 (X) is required");
  if (x->rank() < 2) {
    return ctx.Invalid("input 0 (X) has shape " + x->shape().ToString() +
                       ", expected rank >= 2 ([N, C, D1, ...])");
  }
  if (!IsFloatingPoint(x->dtype())) {
    return ctx.Unsupported("dtype " + std::string(DTypeName(x->dtype())) +
                           " is not supported (float types only)");
  }
  return Status::Ok();
}

// Checks that parameter input `index` is a float tensor of `expected` elements.
Status CheckParam(KernelContext& ctx, int index, const char* name, int64_t expected) {
  const Tensor* p = ctx.Input(index);
  if (!p) return ctx.Invalid("input " + std::to_string(index) + " (" + name + ") is required");
  if (!IsFloatingPoint(p->dtype()) || p->NumElements() != expected) {
    return ctx.Invalid("input " + std::to_string(index) + " (" + name + ") is " + p->Description() +
                       ", expected a float tensor of " + std::to_string(expected) + " elements");
  }
  return Status::Ok();
}

class BatchNormKernel final : public Kernel {
 public:
  BatchNormKernel(double epsilon, double momentum, bool training, bool per_element,
                  bool legacy_outputs)
      : epsilon_(epsilon),
        momentum_(momentum),
        training_(training),
        per_element_(per_element),
        legacy_outputs_(legacy_outputs) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    TRT_RETURN_IF_ERROR(CheckNCHW(ctx, x));
    const Shape& s = x->shape();
    const int64_t n = s[0], c = s[1], sp = s.NumElements(2, s.rank());
    const int64_t params = per_element_ ? c * sp : c;
    static const char* kNames[] = {"X", "scale", "B", "input_mean", "input_var"};
    for (int i = 1; i <= 4; ++i) TRT_RETURN_IF_ERROR(CheckParam(ctx, i, kNames[i], params));
    const std::vector<double> scale = ToDoubles(*ctx.Input(1));
    const std::vector<double> bias = ToDoubles(*ctx.Input(2));
    std::vector<double> mean = ToDoubles(*ctx.Input(3));
    std::vector<double> var = ToDoubles(*ctx.Input(4));
    const std::vector<double> xs = ToDoubles(*x);
    std::vector<double> running_mean, running_var;
    if (training_) {
      // Batch statistics per parameter slot, over N (and the spatial dims if per channel).
      std::vector<double> sum(params, 0.0), count(params, 0.0);
      for (int64_t i = 0; i < n * c * sp; ++i) {
        const int64_t p = Param(i, c, sp);
        sum[p] += xs[i];
        count[p] += 1;
      }
      std::vector<double> bmean(params), bvar(params, 0.0);
      for (int64_t p = 0; p < params; ++p) bmean[p] = count[p] > 0 ? sum[p] / count[p] : 0.0;
      for (int64_t i = 0; i < n * c * sp; ++i) {
        const int64_t p = Param(i, c, sp);
        bvar[p] += (xs[i] - bmean[p]) * (xs[i] - bmean[p]);
      }
      for (int64_t p = 0; p < params; ++p) bvar[p] = count[p] > 0 ? bvar[p] / count[p] : 0.0;
      running_mean.resize(params);
      running_var.resize(params);
      for (int64_t p = 0; p < params; ++p) {
        running_mean[p] = mean[p] * momentum_ + bmean[p] * (1 - momentum_);
        running_var[p] = var[p] * momentum_ + bvar[p] * (1 - momentum_);
      }
      mean = std::move(bmean);
      var = std::move(bvar);
    }
    std::vector<double> ys(xs.size());
    for (int64_t i = 0; i < n * c * sp; ++i) {
      const int64_t p = Param(i, c, sp);
      ys[i] = scale[p] * (xs[i] - mean[p]) / std::sqrt(var[p] + epsilon_) + bias[p];
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), s));
    StoreDoubles(ys, y);
    if (!training_) return Status::Ok();
    // Opset 14+: (running_mean, running_var). Earlier: (mean, var, saved_mean, saved_var).
    const std::vector<double>* extra[] = {&running_mean, &running_var, &mean, &var};
    const int n_extra = legacy_outputs_ ? 4 : 2;
    for (int k = 0; k < n_extra && k + 1 < ctx.num_outputs(); ++k) {
      if (!ctx.OutputRequested(k + 1)) continue;
      const Tensor* like = ctx.Input(3 + (k % 2));
      TRT_ASSIGN_OR_RETURN(Tensor * t, ctx.AllocateOutput(k + 1, like->dtype(), like->shape()));
      StoreDoubles(*extra[k], t);
    }
    return Status::Ok();
  }

 private:
  int64_t Param(int64_t flat, int64_t c, int64_t sp) const {
    return per_element_ ? flat % (c * sp) : (flat / sp) % c;
  }

  double epsilon_, momentum_;
  bool training_, per_element_, legacy_outputs_;
};

class InstanceNormKernel final : public Kernel {
 public:
  explicit InstanceNormKernel(double epsilon) : epsilon_(epsilon) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    TRT_RETURN_IF_ERROR(CheckNCHW(ctx, x));
    const Shape& s = x->shape();
    const int64_t c = s[1], sp = s.NumElements(2, s.rank());
    TRT_RETURN_IF_ERROR(CheckParam(ctx, 1, "scale", c));
    TRT_RETURN_IF_ERROR(CheckParam(ctx, 2, "B", c));
    const std::vector<double> scale = ToDoubles(*ctx.Input(1));
    const std::vector<double> bias = ToDoubles(*ctx.Input(2));
    const std::vector<double> xs = ToDoubles(*x);
    std::vector<double> ys(xs.size());
    for (int64_t g = 0; g < s[0] * c; ++g) {
      const double* xg = xs.data() + g * sp;
      double mean = 0, var = 0;
      for (int64_t i = 0; i < sp; ++i) mean += xg[i];
      mean = sp > 0 ? mean / sp : 0.0;
      for (int64_t i = 0; i < sp; ++i) var += (xg[i] - mean) * (xg[i] - mean);
      var = sp > 0 ? var / sp : 0.0;
      const double inv_std = 1.0 / std::sqrt(var + epsilon_);
      for (int64_t i = 0; i < sp; ++i) {
        ys[g * sp + i] = scale[g % c] * (xg[i] - mean) * inv_std + bias[g % c];
      }
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), s));
    StoreDoubles(ys, y);
    return Status::Ok();
  }

 private:
  double epsilon_;
};

}  // namespace

StatusOr<KernelPtr> CreateBatchNormalization(const KernelInfo& info) {
  const double epsilon = info.GetFloat("epsilon", 1e-5f);
  const double momentum = info.GetFloat("momentum", 0.9f);
  if (epsilon < 0)
    return info.Invalid("attribute epsilon must be >= 0, got " + std::to_string(epsilon));
  bool training;
  if (info.opset() >= 14) {
    const int64_t mode = info.GetInt("training_mode", 0);
    if (mode != 0 && mode != 1) {
      return info.Invalid("attribute training_mode must be 0 or 1, got " + std::to_string(mode));
    }
    training = mode == 1;
    if (!training && (info.HasOutput(1) || info.HasOutput(2))) {
      return info.Invalid("outputs running_mean/running_var require training_mode=1");
    }
  } else {
    // Before opset 14 the statistics outputs exist only in training (is_test=0) mode.
    training = info.HasOutput(1) || info.HasOutput(2) || info.HasOutput(3) || info.HasOutput(4);
  }
  const bool per_element = info.opset() < 9 && info.GetInt("spatial", 1) == 0;
  return MakeKernel<BatchNormKernel>(epsilon, momentum, training, per_element, info.opset() < 14);
}

StatusOr<KernelPtr> CreateInstanceNormalization(const KernelInfo& info) {
  const double epsilon = info.GetFloat("epsilon", 1e-5f);
  if (epsilon < 0)
    return info.Invalid("attribute epsilon must be >= 0, got " + std::to_string(epsilon));
  return MakeKernel<InstanceNormKernel>(epsilon);
}

}  // namespace trt::kernels
