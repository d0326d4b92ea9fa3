// LayerNormalization (ai.onnx opset 17+), MeanVarianceNormalization (opsets 9+) and LRN
// (opsets 1+) reference kernels. Statistics are accumulated in double; variances are
// population variances. LayerNormalization optionally emits Mean and InvStdDev (stash_type
// element type, shape dims[:axis] followed by ones). Float32 LayerNormalization at AVX2 and
// above runs the vectorized kernel of norm_f32.h instead (same factory).
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "engine/kernels/common/broadcast.h"
#include "engine/kernels/kernel.h"
#include "engine/kernels/norm/norm_f32.h"
#include "engine/kernels/norm/norm_util.h"

namespace trt::kernels {
namespace {

Status CheckFloatInput(KernelContext& ctx, const Tensor* x) {
  if (!x) return ctx.Invalid("input 0 (X) is required");
  if (!IsFloatingPoint(x->dtype())) {
    return ctx.Unsupported("dtype " + std::string(DTypeName(x->dtype())) +
                           " is not supported (float types only)");
  }
  return Status::Ok();
}

class LayerNormKernel final : public Kernel {
 public:
  LayerNormKernel(int64_t axis, double epsilon, DType stash)
      : axis_(axis), epsilon_(epsilon), stash_(stash) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    TRT_RETURN_IF_ERROR(CheckFloatInput(ctx, x));
    const Tensor* scale = ctx.Input(1);
    const Tensor* bias = ctx.Input(2);
    if (!scale) return ctx.Invalid("input 1 (Scale) is required");
    const Shape& s = x->shape();
    const int r = s.rank();
    if (axis_ < -r || axis_ >= r) return ctx.Invalid(norm::AxisRangeError(axis_, r, -r, r - 1));
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + r : axis_);
    std::vector<Shape> shapes{s, scale->shape()};
    if (bias) shapes.push_back(bias->shape());
    auto bc = MakeBroadcast(shapes);
    if (!bc.ok() || bc->out != s) {
      return ctx.Invalid("Scale " + scale->shape().ToString() +
                         (bias ? " and B " + bias->shape().ToString() : std::string()) +
                         " must broadcast to X's shape " + s.ToString());
    }
    const int64_t outer = s.NumElements(0, axis), inner = s.NumElements(axis, r);
    const std::vector<double> xs = ToDoubles(*x);
    const std::vector<double> sc = ToDoubles(*scale);
    const std::vector<double> bs = bias ? ToDoubles(*bias) : std::vector<double>();
    std::vector<double> ys(xs.size()), means(outer), inv_stds(outer);
    for (int64_t o = 0; o < outer; ++o) {
      const double* xr = xs.data() + o * inner;
      double mean = 0, var = 0;
      for (int64_t i = 0; i < inner; ++i) mean += xr[i];
      mean = inner > 0 ? mean / inner : 0.0;
      for (int64_t i = 0; i < inner; ++i) var += (xr[i] - mean) * (xr[i] - mean);
      var = inner > 0 ? var / inner : 0.0;
      means[o] = mean;
      inv_stds[o] = 1.0 / std::sqrt(var + epsilon_);
      for (int64_t i = 0; i < inner; ++i) ys[o * inner + i] = (xr[i] - mean) * inv_stds[o];
    }
    bc->ForEach([&](int64_t i, const int64_t* off) {
      ys[i] = ys[i] * sc[off[1]] + (bias ? bs[off[2]] : 0.0);
    });
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), s));
    StoreDoubles(ys, y);
    Shape stat_shape = s;
    for (int d = axis; d < r; ++d) stat_shape[d] = 1;
    const std::vector<double>* stats[] = {&means, &inv_stds};
    for (int k = 1; k <= 2; ++k) {
      if (k >= ctx.num_outputs() || !ctx.OutputRequested(k)) continue;
      TRT_ASSIGN_OR_RETURN(Tensor * t, ctx.AllocateOutput(k, stash_, stat_shape));
      StoreDoubles(*stats[k - 1], t);
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
  double epsilon_;
  DType stash_;
};

class MeanVarianceNormKernel final : public Kernel {
 public:
  explicit MeanVarianceNormKernel(std::vector<int64_t> axes) : axes_(std::move(axes)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    TRT_RETURN_IF_ERROR(CheckFloatInput(ctx, x));
    const Shape& s = x->shape();
    const int r = s.rank();
    // Group of each element: its row-major index over the kept (non-reduced) dims.
    std::vector<bool> reduced(r, false);
    for (int64_t a : axes_) {
      int ax;
      if (!NormalizeAxis(a, r, &ax) || reduced[ax]) {
        return ctx.Invalid("attribute axes has invalid or repeated axis " + std::to_string(a) +
                           " for input shape " + s.ToString());
      }
      reduced[ax] = true;
    }
    std::vector<int64_t> group_stride(r, 0);
    int64_t groups = 1;
    for (int d = r - 1; d >= 0; --d) {
      if (reduced[d]) continue;
      group_stride[d] = groups;
      groups *= s[d];
    }
    const std::vector<double> xs = ToDoubles(*x);
    std::vector<int64_t> group(xs.size());
    std::vector<int64_t> idx(r, 0);
    int64_t g = 0;
    for (size_t i = 0; i < xs.size(); ++i) {
      group[i] = g;
      for (int d = r - 1; d >= 0; --d) {
        g += group_stride[d];
        if (++idx[d] < s[d]) break;
        g -= group_stride[d] * s[d];
        idx[d] = 0;
      }
    }
    std::vector<double> sum(groups, 0.0), sq(groups, 0.0), count(groups, 0.0);
    for (size_t i = 0; i < xs.size(); ++i) {
      sum[group[i]] += xs[i];
      count[group[i]] += 1;
    }
    for (int64_t k = 0; k < groups; ++k) sum[k] = count[k] > 0 ? sum[k] / count[k] : 0.0;
    for (size_t i = 0; i < xs.size(); ++i) {
      const double d = xs[i] - sum[group[i]];
      sq[group[i]] += d * d;
    }
    std::vector<double> ys(xs.size());
    for (size_t i = 0; i < xs.size(); ++i) {
      const int64_t k = group[i];
      const double stddev = std::sqrt(count[k] > 0 ? sq[k] / count[k] : 0.0);
      ys[i] = (xs[i] - sum[k]) / (stddev + 1e-9);
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), s));
    StoreDoubles(ys, y);
    return Status::Ok();
  }

 private:
  std::vector<int64_t> axes_;
};

class LrnKernel final : public Kernel {
 public:
  LrnKernel(int64_t size, double alpha, double beta, double bias)
      : size_(size), alpha_(alpha), beta_(beta), bias_(bias) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    TRT_RETURN_IF_ERROR(CheckFloatInput(ctx, x));
    const Shape& s = x->shape();
    if (s.rank() < 2) {
      return ctx.Invalid("input 0 (X) has shape " + s.ToString() +
                         ", expected rank >= 2 ([N, C, D1, ...])");
    }
    const int64_t c = s[1], sp = s.NumElements(2, s.rank());
    const int64_t lo = (size_ - 1) / 2, hi = size_ - 1 - lo;  // floor / ceil of (size-1)/2
    const std::vector<double> xs = ToDoubles(*x);
    std::vector<double> ys(xs.size());
    for (int64_t n = 0; n < s[0]; ++n) {
      for (int64_t ch = 0; ch < c; ++ch) {
        const int64_t c0 = std::max<int64_t>(0, ch - lo), c1 = std::min(c - 1, ch + hi);
        for (int64_t i = 0; i < sp; ++i) {
          double sq = 0;
          for (int64_t k = c0; k <= c1; ++k) {
            const double v = xs[(n * c + k) * sp + i];
            sq += v * v;
          }
          const int64_t at = (n * c + ch) * sp + i;
          ys[at] = xs[at] / std::pow(bias_ + alpha_ / static_cast<double>(size_) * sq, beta_);
        }
      }
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), s));
    StoreDoubles(ys, y);
    return Status::Ok();
  }

 private:
  int64_t size_;
  double alpha_, beta_, bias_;
};

}  // namespace

StatusOr<KernelPtr> CreateLayerNormalization(const KernelInfo& info) {
  const int64_t stash = info.GetInt("stash_type", 1);
  const DType stash_dtype = static_cast<DType>(stash);
  if (stash_dtype != DType::kFloat32 && stash_dtype != DType::kFloat64 &&
      stash_dtype != DType::kFloat16 && stash_dtype != DType::kBFloat16) {
    return info.Invalid("attribute stash_type=" + std::to_string(stash) +
                        " is not a float type (expected 1, 10, 11 or 16)");
  }
  const double epsilon = info.GetFloat("epsilon", 1e-5f);
  if (epsilon < 0)
    return info.Invalid("attribute epsilon must be >= 0, got " + std::to_string(epsilon));
  const int64_t axis = info.GetInt("axis", -1);
  KernelPtr ref = std::make_unique<LayerNormKernel>(axis, epsilon, stash_dtype);
  // Float32 at AVX2 and above: the vectorized kernel of norm_f32.h.
  return norm::LayerNormF32OrRef(info, axis, static_cast<float>(epsilon), stash_dtype,
                                 std::move(ref));
}

StatusOr<KernelPtr> CreateMeanVarianceNormalization(const KernelInfo& info) {
  return MakeKernel<MeanVarianceNormKernel>(info.GetInts("axes", {0, 2, 3}));
}

StatusOr<KernelPtr> CreateLRN(const KernelInfo& info) {
  const int64_t size = info.GetInt("size", 0);
  if (size <= 0) {
    return info.Invalid("attribute size is required and must be > 0, got " + std::to_string(size));
  }
  return MakeKernel<LrnKernel>(size, info.GetFloat("alpha", 1e-4f), info.GetFloat("beta", 0.75f),
                               info.GetFloat("bias", 1.0f));
}

}  // namespace trt::kernels
