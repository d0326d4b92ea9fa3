// QuantizeLinear, DequantizeLinear (per-tensor; per-axis from opset 13) and
// DynamicQuantizeLinear (uint8). Rounding and saturation follow requantize.h exactly.

#include <cmath>
#include <string>
#include <vector>

#include "engine/kernels/kernel.h"
#include "engine/kernels/quantized/requantize.h"

namespace trt::kernels {
namespace {

// Where each element finds its scale / zero point: index = (i / inner) % count.
struct QuantParams {
  int64_t count = 1;  // 1: per tensor
  int64_t inner = 1;
  std::vector<float> scales;         // `count` entries, filled by LoadQuantParams()
  std::vector<int32_t> zero_points;  // `count` entries (0 without a zero point)

  // Index into scales / zero_points for flat element i.
  int64_t Channel(int64_t i) const { return count == 1 ? 0 : (i / inner) % count; }
};

// Reads the `count` scales (as float) and zero points (0 when `zp` is null) resolved by
// ResolveQuantParams().
void LoadQuantParams(const Tensor& scale, const Tensor* zp, QuantParams* qp) {
  qp->scales.assign(qp->count, 0.0f);
  qp->zero_points.assign(qp->count, 0);
  for (int64_t c = 0; c < qp->count; ++c) {
    qp->scales[c] = static_cast<float>(scale.GetAsDouble(c));
    if (zp) qp->zero_points[c] = static_cast<int32_t>(zp->GetAsInt64(c));
  }
}

// Validates scale (float) and zero point (`zp_dtypes` allowed, same shape) against X and
// resolves per-tensor vs per-axis.
Status ResolveQuantParams(KernelContext& ctx, const Tensor& x, const Tensor& scale,
                          const Tensor* zp, int64_t axis_attr, QuantParams* qp) {
  if (!IsFloatingPoint(scale.dtype())) {
    return ctx.Invalid("input 1 (scale) has dtype " + std::string(DTypeName(scale.dtype())) +
                       ", expected a float type");
  }
  if (zp && zp->shape() != scale.shape()) {
    return ctx.Invalid("input 2 (zero_point) has shape " + zp->shape().ToString() +
                       ", expected the shape of scale " + scale.shape().ToString());
  }
  const bool per_axis_allowed = ctx.info().opset() >= 13;
  if (scale.NumElements() == 1 && scale.rank() <= 1) return Status::Ok();
  if (scale.rank() != 1 || !per_axis_allowed) {
    return ctx.Invalid("input 1 (scale) has shape " + scale.shape().ToString() +
                       (per_axis_allowed ? ", expected a scalar or a 1-D per-axis tensor"
                                         : ", expected a scalar (per-axis needs opset 13)"));
  }
  int axis = 0;
  if (!NormalizeAxis(axis_attr, x.rank(), &axis)) {
    return ctx.Invalid("attribute axis " + std::to_string(axis_attr) +
                       " is out of range for input rank " + std::to_string(x.rank()));
  }
  if (scale.shape()[0] != x.shape()[axis]) {
    return ctx.Invalid("input 1 (scale) has shape " + scale.shape().ToString() + ", expected [" +
                       std::to_string(x.shape()[axis]) + "] (dim " + std::to_string(axis) +
                       " of input 0 " + x.shape().ToString() + ")");
  }
  qp->count = scale.shape()[0];
  qp->inner = x.shape().NumElements(axis + 1, x.rank());
  return Status::Ok();
}

class QuantizeLinearKernel : public Kernel {
 public:
  explicit QuantizeLinearKernel(int64_t axis) : axis_(axis) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* scale = ctx.Input(1);
    const Tensor* zp = ctx.Input(2);
    if (!x || !scale) return ctx.Invalid("inputs x and y_scale are required");
    const DType out_type = zp ? zp->dtype() : DType::kUInt8;
    if (out_type != DType::kUInt8 && out_type != DType::kInt8) {
      return ctx.Unsupported("input 2 (y_zero_point) has dtype " +
                             std::string(DTypeName(out_type)) + ", supported: uint8, int8");
    }
    if (x->dtype() != DType::kInt32 && !IsFloatingPoint(x->dtype())) {
      return ctx.Invalid("input 0 (x) has dtype " + std::string(DTypeName(x->dtype())) +
                         ", expected a float type or int32");
    }
    QuantParams qp;
    TRT_RETURN_IF_ERROR(ResolveQuantParams(ctx, *x, *scale, zp, axis_, &qp));
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, out_type, x->shape()));
    const int64_t n = x->NumElements();
    LoadQuantParams(*scale, zp, &qp);
    auto run = [&](auto qtag) {
      using Q = typename decltype(qtag)::type;
      Q* yd = y->data<Q>();
      VisitDType(x->dtype(), [&](auto xtag) {
        using X = typename decltype(xtag)::type;
        if constexpr (!std::is_same_v<X, bool>) {
          const X* xd = x->data<X>();
          for (int64_t i = 0; i < n; ++i) {
            const int64_t c = qp.Channel(i);
            yd[i] =
                quant::QuantizeValue<Q>(static_cast<float>(xd[i]), qp.scales[c], qp.zero_points[c]);
          }
        }
      });
    };
    if (out_type == DType::kUInt8) {
      run(TypeTag<uint8_t>{});
    } else {
      run(TypeTag<int8_t>{});
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
};

class DequantizeLinearKernel : public Kernel {
 public:
  explicit DequantizeLinearKernel(int64_t axis) : axis_(axis) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* scale = ctx.Input(1);
    const Tensor* zp = ctx.Input(2);
    if (!x || !scale) return ctx.Invalid("inputs x and x_scale are required");
    const DType t = x->dtype();
    if (t != DType::kUInt8 && t != DType::kInt8 && t != DType::kInt32) {
      return ctx.Invalid("input 0 (x) has dtype " + std::string(DTypeName(t)) +
                         ", expected uint8, int8 or int32");
    }
    if (zp && zp->dtype() != t) {
      return ctx.Invalid("input 2 (x_zero_point) has dtype " + std::string(DTypeName(zp->dtype())) +
                         ", expected " + std::string(DTypeName(t)) + " like x");
    }
    QuantParams qp;
    TRT_RETURN_IF_ERROR(ResolveQuantParams(ctx, *x, *scale, zp, axis_, &qp));
    if (t == DType::kInt32 && zp) {
      for (int64_t i = 0; i < zp->NumElements(); ++i) {
        if (zp->GetAsInt64(i) != 0) {
          return ctx.Invalid("input 2 (x_zero_point) must be 0 for int32 x, got " +
                             std::to_string(zp->GetAsInt64(i)));
        }
      }
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, scale->dtype(), x->shape()));
    const int64_t n = x->NumElements();
    LoadQuantParams(*scale, zp, &qp);
    VisitDType(scale->dtype(), [&](auto tag) {
      using F = typename decltype(tag)::type;
      VisitDType(t, [&](auto xtag) {
        using X = typename decltype(xtag)::type;
        if constexpr ((std::is_floating_point_v<F> || std::is_same_v<F, Float16> ||
                       std::is_same_v<F, BFloat16>)&&(std::is_same_v<X, uint8_t> ||
                                                      std::is_same_v<X, int8_t> ||
                                                      std::is_same_v<X, int32_t>)) {
          const X* xd = x->data<X>();
          F* yd = y->data<F>();
          for (int64_t i = 0; i < n; ++i) {
            const int64_t c = qp.Channel(i);
            yd[i] = static_cast<F>(quant::DequantizeValue(static_cast<int32_t>(xd[i]),
                                                          qp.zero_points[c], qp.scales[c]));
          }
        }
      });
    });
    return Status::Ok();
  }

 private:
  int64_t axis_;
};

// y_scale = (max(0, max(x)) - min(0, min(x))) / 255, y_zero_point = saturate(round(-min / s)),
// y = saturate(round(x / y_scale) + y_zero_point). All-zero (or empty) x gives scale 0,
// zero point 0 and y = 0.
class DynamicQuantizeLinearKernel : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (!x) return ctx.Invalid("input 0 (x) is required");
    if (x->dtype() != DType::kFloat32) {
      return ctx.Invalid("input 0 (x) has dtype " + std::string(DTypeName(x->dtype())) +
                         ", expected float32");
    }
    const float* xd = x->data<float>();
    const int64_t n = x->NumElements();
    float lo = 0.f, hi = 0.f;
    for (int64_t i = 0; i < n; ++i) {
      lo = std::min(lo, xd[i]);
      hi = std::max(hi, xd[i]);
    }
    const float scale = (hi - lo) / 255.f;
    uint8_t zp = 0;
    if (scale > 0.f) zp = quant::Saturate<uint8_t>(quant::RoundHalfEven(0.f - lo / scale));
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kUInt8, x->shape()));
    TRT_ASSIGN_OR_RETURN(Tensor * ys, ctx.AllocateOutput(1, DType::kFloat32, Shape{}));
    TRT_ASSIGN_OR_RETURN(Tensor * yz, ctx.AllocateOutput(2, DType::kUInt8, Shape{}));
    *ys->data<float>() = scale;
    *yz->data<uint8_t>() = zp;
    uint8_t* yd = y->data<uint8_t>();
    for (int64_t i = 0; i < n; ++i) {
      yd[i] = scale > 0.f ? quant::QuantizeValue<uint8_t>(xd[i], scale, zp) : uint8_t{0};
    }
    return Status::Ok();
  }
};

}  // namespace

StatusOr<KernelPtr> CreateQuantizeLinear(const KernelInfo& info) {
  return MakeKernel<QuantizeLinearKernel>(info.GetInt("axis", 1));
}

StatusOr<KernelPtr> CreateDequantizeLinear(const KernelInfo& info) {
  return MakeKernel<DequantizeLinearKernel>(info.GetInt("axis", 1));
}

StatusOr<KernelPtr> CreateDynamicQuantizeLinear(const KernelInfo&) {
  return MakeKernel<DynamicQuantizeLinearKernel>();
}

}  // namespace trt::kernels
