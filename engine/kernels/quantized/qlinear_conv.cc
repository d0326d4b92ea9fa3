// ConvInteger (int32 out) and QLinearConv (requantized u8/s8 out) on the shared DirectConv
// loop of nn/conv_common.h. Inputs are shifted by their zero points (the weights once per
// call, per tensor or per output channel) and accumulated exactly in int32; QLinearConv adds
// the int32 bias and requantizes per requantize.h.

#include <string>
#include <vector>

#include "engine/kernels/nn/conv_common.h"
#include "engine/kernels/quantized/requantize.h"

namespace trt::kernels {
namespace {

using nn::ConvShape;
using nn::WindowAttrs;

bool IsInt8(DType t) { return t == DType::kUInt8 || t == DType::kInt8; }

// Zero point / scale of W: one value or one per output channel (count 1 or M).
Status CheckPerChannel(KernelContext& ctx, const Tensor* t, int index, const char* name,
                       int64_t m) {
  if (!t || t->NumElements() == 1) return Status::Ok();
  if (t->rank() != 1 || t->shape()[0] != m) {
    return ctx.Invalid("input " + std::to_string(index) + " (" + name + ") has shape " +
                       t->shape().ToString() + ", expected a scalar or [" + std::to_string(m) +
                       "] (per output channel)");
  }
  return Status::Ok();
}

Status CheckScalar(KernelContext& ctx, const Tensor* t, int index, const char* name) {
  if (t && t->NumElements() != 1) {
    return ctx.Invalid("input " + std::to_string(index) + " (" + name + ") has shape " +
                       t->shape().ToString() + ", expected a scalar");
  }
  return Status::Ok();
}

// A validated integer convolution: geometry, allocated output, zero-point-shifted weights.
struct IntConvPlan {
  ConvShape cs;
  nn::WindowGeometry geo;
  std::vector<int32_t> w_shifted;  // w - w_zero_point[m], same layout as W
  int32_t x_zp = 0;
  Tensor* y = nullptr;
};

// Validates X/W and their zero points, allocates output 0 of `out_type`, shifts the weights.
Status PrepareIntConv(KernelContext& ctx, const WindowAttrs& attrs, int64_t group, const Tensor& x,
                      const Tensor* x_zp, const Tensor& w, int w_index, const Tensor* w_zp,
                      DType out_type, IntConvPlan* p) {
  if (!IsInt8(x.dtype()) || !IsInt8(w.dtype())) {
    return ctx.Invalid("inputs X and W have dtypes " + std::string(DTypeName(x.dtype())) + " and " +
                       std::string(DTypeName(w.dtype())) + ", expected uint8 or int8");
  }
  if ((x_zp && x_zp->dtype() != x.dtype()) || (w_zp && w_zp->dtype() != w.dtype())) {
    return ctx.Invalid("zero points must have the dtypes of X (" +
                       std::string(DTypeName(x.dtype())) + ") and W (" +
                       std::string(DTypeName(w.dtype())) + ")");
  }
  auto geo = nn::ResolveConv(attrs, group, x.shape(), w.shape(), w_index, &p->cs);
  if (!geo.ok()) return nn::NodeError(ctx.info(), geo.status());
  p->geo = *geo;
  TRT_RETURN_IF_ERROR(CheckPerChannel(ctx, w_zp, w_index + 2, "w_zero_point", p->cs.out_channels));
  Shape y_shape{p->cs.batch, p->cs.out_channels};
  for (int64_t d : p->geo.OutDims()) y_shape.push_back(d);
  TRT_ASSIGN_OR_RETURN(p->y, ctx.AllocateOutput(0, out_type, y_shape));
  const int64_t per_m = w.shape().NumElements(1, w.rank());
  const bool per_channel = w_zp && w_zp->NumElements() > 1;
  p->w_shifted.resize(static_cast<size_t>(w.NumElements()));
  for (int64_t i = 0; i < w.NumElements(); ++i) {
    const int64_t z = w_zp ? w_zp->GetAsInt64(per_channel ? i / per_m : 0) : 0;
    p->w_shifted[i] = static_cast<int32_t>(w.GetAsInt64(i) - z);
  }
  p->x_zp = x_zp ? static_cast<int32_t>(x_zp->GetAsInt64(0)) : 0;
  return Status::Ok();
}

// Accumulates sum (x - x_zp) * (w - w_zp[m]) in int32; emit(y_offset, m, acc).
template <typename Emit>
void RunIntConv(KernelContext& ctx, const IntConvPlan& p, const Tensor& x, Emit emit) {
  const int32_t* wd = p.w_shifted.data();
  const int32_t xz = p.x_zp;
  auto w_at = [wd](int64_t i) { return wd[i]; };
  if (x.dtype() == DType::kUInt8) {
    const uint8_t* xd = x.data<uint8_t>();
    nn::DirectConv<int32_t>(
        ctx, p.cs, p.geo, [xd, xz](int64_t i) { return int32_t{xd[i]} - xz; }, w_at, emit);
  } else {
    const int8_t* xd = x.data<int8_t>();
    nn::DirectConv<int32_t>(
        ctx, p.cs, p.geo, [xd, xz](int64_t i) { return int32_t{xd[i]} - xz; }, w_at, emit);
  }
}

// Inputs: x, w, x_zero_point (scalar), w_zero_point (scalar or per output channel).
class ConvIntegerKernel : public Kernel {
 public:
  ConvIntegerKernel(WindowAttrs attrs, int64_t group) : attrs_(std::move(attrs)), group_(group) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* w = ctx.Input(1);
    if (!x || !w) return ctx.Invalid("inputs x and w are required");
    TRT_RETURN_IF_ERROR(CheckScalar(ctx, ctx.Input(2), 2, "x_zero_point"));
    IntConvPlan p;
    TRT_RETURN_IF_ERROR(PrepareIntConv(ctx, attrs_, group_, *x, ctx.Input(2), *w, 1, ctx.Input(3),
                                       DType::kInt32, &p));
    int32_t* yd = p.y->data<int32_t>();
    RunIntConv(ctx, p, *x, [yd](int64_t o, int64_t, int32_t acc) { yd[o] = acc; });
    return Status::Ok();
  }

 private:
  WindowAttrs attrs_;
  int64_t group_;
};

// Inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B.
class QLinearConvKernel : public Kernel {
 public:
  QLinearConvKernel(WindowAttrs attrs, int64_t group) : attrs_(std::move(attrs)), group_(group) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* w = ctx.Input(3);
    const Tensor* bias = ctx.Input(8);
    for (int i = 0; i < 8; ++i) {
      if (!ctx.Input(i)) return ctx.Invalid("input " + std::to_string(i) + " is required");
    }
    const Tensor* x_scale = ctx.Input(1);
    const Tensor* w_scale = ctx.Input(4);
    const Tensor* y_scale = ctx.Input(6);
    const Tensor* y_zp = ctx.Input(7);
    for (int i : {1, 4, 6}) {
      if (ctx.Input(i)->dtype() != DType::kFloat32) {
        return ctx.Invalid("input " + std::to_string(i) + " (scale) has dtype " +
                           std::string(DTypeName(ctx.Input(i)->dtype())) + ", expected float32");
      }
    }
    TRT_RETURN_IF_ERROR(CheckScalar(ctx, x_scale, 1, "x_scale"));
    TRT_RETURN_IF_ERROR(CheckScalar(ctx, ctx.Input(2), 2, "x_zero_point"));
    TRT_RETURN_IF_ERROR(CheckScalar(ctx, y_scale, 6, "y_scale"));
    TRT_RETURN_IF_ERROR(CheckScalar(ctx, y_zp, 7, "y_zero_point"));
    if (!IsInt8(y_zp->dtype())) {
      return ctx.Invalid("input 7 (y_zero_point) has dtype " +
                         std::string(DTypeName(y_zp->dtype())) + ", expected uint8 or int8");
    }
    if (w->rank() >= 1) {
      TRT_RETURN_IF_ERROR(CheckPerChannel(ctx, w_scale, 4, "w_scale", w->shape()[0]));
    }
    if (bias && (bias->dtype() != DType::kInt32 || bias->rank() != 1 ||
                 (w->rank() >= 1 && bias->shape()[0] != w->shape()[0]))) {
      return ctx.Invalid("input 8 (B) is " + bias->Description() + ", expected int32[M]");
    }
    const float xs = x_scale->data<float>()[0];
    const float ys = y_scale->data<float>()[0];
    const int32_t yz = static_cast<int32_t>(y_zp->GetAsInt64(0));
    const float* ws = w_scale->data<float>();
    const bool per_channel = w_scale->NumElements() > 1;
    const int32_t* bd = bias ? bias->data<int32_t>() : nullptr;
    IntConvPlan p;
    TRT_RETURN_IF_ERROR(PrepareIntConv(ctx, attrs_, group_, *x, ctx.Input(2), *w, 3, ctx.Input(5),
                                       y_zp->dtype(), &p));
    auto run = [&](auto ty) {
      using TY = typename decltype(ty)::type;
      TY* yd = p.y->data<TY>();
      RunIntConv(ctx, p, *x, [&](int64_t o, int64_t m, int32_t acc) {
        if (bd) acc += bd[m];
        const float mult = quant::RequantMultiplier(xs, ws[per_channel ? m : 0], ys);
        yd[o] = quant::Requantize<TY>(acc, mult, yz);
      });
    };
    if (y_zp->dtype() == DType::kUInt8) {
      run(TypeTag<uint8_t>{});
    } else {
      run(TypeTag<int8_t>{});
    }
    return Status::Ok();
  }

 private:
  WindowAttrs attrs_;
  int64_t group_;
};

StatusOr<std::pair<WindowAttrs, int64_t>> ParseConvAttrs(const KernelInfo& info) {
  WindowAttrs attrs;
  TRT_RETURN_IF_ERROR(nn::ParseWindowAttrs(info, /*require_kernel_shape=*/false, &attrs));
  const int64_t group = info.GetInt("group", 1);
  if (group <= 0) {
    return info.Invalid("attribute group is " + std::to_string(group) + ", expected >= 1");
  }
  return std::make_pair(std::move(attrs), group);
}

}  // namespace

StatusOr<KernelPtr> CreateConvInteger(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(auto a, ParseConvAttrs(info));
  return MakeKernel<ConvIntegerKernel>(std::move(a.first), a.second);
}

StatusOr<KernelPtr> CreateQLinearConv(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(auto a, ParseConvAttrs(info));
  return MakeKernel<QLinearConvKernel>(std::move(a.first), a.second);
}

}  // namespace trt::kernels
