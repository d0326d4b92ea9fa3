// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss reference kernels (ai.onnx opsets
// 12+) on [N, C, D1, ..., Dk] inputs with [N, D1, ..., Dk] int32/int64 targets, optional
// per-class weights, ignore_index and reduction none/sum/mean. "mean" divides by the sum
// of the effective weights (weight[target], 0 for ignored targets, 1 without weights).
// SoftmaxCrossEntropyLoss computes log_softmax over C (in double) and can output it.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "engine/kernels/kernel.h"
#include "engine/kernels/norm/norm_util.h"

namespace trt::kernels {
namespace {

enum class Reduction { kNone, kSum, kMean };

class LossKernel final : public Kernel {
 public:
  LossKernel(bool softmax, Reduction reduction, std::optional<int64_t> ignore_index)
      : softmax_(softmax), reduction_(reduction), ignore_index_(ignore_index) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* target = ctx.Input(1);
    const Tensor* weight = ctx.Input(2);
    if (!x || !target)
      return ctx.Invalid("inputs 0 (scores/input) and 1 (labels/target) are required");
    if (!IsFloatingPoint(x->dtype())) {
      return ctx.Unsupported("dtype " + std::string(DTypeName(x->dtype())) +
                             " is not supported (float types only)");
    }
    const Shape& s = x->shape();
    if (s.rank() < 2) {
      return ctx.Invalid("input 0 has shape " + s.ToString() + ", expected [N, C, D1, ...]");
    }
    Shape target_shape = s;
    target_shape.erase(1);
    if (target->shape() != target_shape ||
        (target->dtype() != DType::kInt32 && target->dtype() != DType::kInt64)) {
      return ctx.Invalid("input 1 (target) is " + target->Description() +
                         ", expected int32/int64 of shape " + target_shape.ToString());
    }
    const int64_t n = s[0], c = s[1], sp = s.NumElements(2, s.rank());
    if (weight && (weight->shape() != Shape{c} || !IsFloatingPoint(weight->dtype()))) {
      return ctx.Invalid("input 2 (weight) is " + weight->Description() + ", expected float [" +
                         std::to_string(c) + "]");
    }
    std::vector<double> in = ToDoubles(*x);
    if (softmax_) LogSoftmaxOverC(n, c, sp, &in);
    const std::vector<double> w = weight ? ToDoubles(*weight) : std::vector<double>();
    std::vector<double> loss(static_cast<size_t>(n * sp));
    double loss_sum = 0, weight_sum = 0;
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t i = 0; i < sp; ++i) {
        const int64_t t = target->GetAsInt64(b * sp + i);
        if (ignore_index_ && t == *ignore_index_) continue;  // loss 0, weight 0
        if (t < 0 || t >= c) {
          return ctx.Invalid("target value " + std::to_string(t) + " at index " +
                             std::to_string(b * sp + i) + " is out of range [0, " +
                             std::to_string(c) + ")");
        }
        const double wt = weight ? w[t] : 1.0;
        loss[b * sp + i] = -in[(b * c + t) * sp + i] * wt;
        loss_sum += loss[b * sp + i];
        weight_sum += wt;
      }
    }
    if (reduction_ == Reduction::kNone) {
      TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), target_shape));
      StoreDoubles(loss, y);
    } else {
      TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), Shape{}));
      StoreDoubles({reduction_ == Reduction::kSum ? loss_sum : loss_sum / weight_sum}, y);
    }
    if (softmax_ && ctx.num_outputs() > 1 && ctx.OutputRequested(1)) {
      TRT_ASSIGN_OR_RETURN(Tensor * lp, ctx.AllocateOutput(1, x->dtype(), s));
      StoreDoubles(in, lp);
    }
    return Status::Ok();
  }

 private:
  static void LogSoftmaxOverC(int64_t n, int64_t c, int64_t sp, std::vector<double>* v) {
    if (c == 0) return;
    for (int64_t b = 0; b < n; ++b) {
      for (int64_t i = 0; i < sp; ++i) {
        double* p = v->data() + b * c * sp + i;
        double max = p[0];
        for (int64_t k = 1; k < c; ++k) max = std::max(max, p[k * sp]);
        double sum = 0;
        for (int64_t k = 0; k < c; ++k) sum += std::exp(p[k * sp] - max);
        const double log_sum = std::log(sum);
        for (int64_t k = 0; k < c; ++k) p[k * sp] = p[k * sp] - max - log_sum;
      }
    }
  }

  bool softmax_;
  Reduction reduction_;
  std::optional<int64_t> ignore_index_;
};

StatusOr<KernelPtr> CreateLoss(const KernelInfo& info, bool softmax) {
  const std::string r = info.GetString("reduction", "mean");
  Reduction reduction;
  if (r == "none") {
    reduction = Reduction::kNone;
  } else if (r == "sum") {
    reduction = Reduction::kSum;
  } else if (r == "mean") {
    reduction = Reduction::kMean;
  } else {
    return info.Invalid("attribute reduction='" + r + "' is invalid (expected none, sum or mean)");
  }
  std::optional<int64_t> ignore;
  if (info.HasAttr("ignore_index")) ignore = info.GetInt("ignore_index", 0);
  return MakeKernel<LossKernel>(softmax, reduction, ignore);
}

}  // namespace

StatusOr<KernelPtr> CreateNegativeLogLikelihoodLoss(const KernelInfo& info) {
  return CreateLoss(info, false);
}

StatusOr<KernelPtr> CreateSoftmaxCrossEntropyLoss(const KernelInfo& info) {
  return CreateLoss(info, true);
}

}  // namespace trt::kernels
