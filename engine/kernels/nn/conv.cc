// Conv (ai.onnx 1+): 1-D to 3-D convolution with group, dilations, strides, pads, auto_pad
// and optional bias, on the shared DirectConv loop (conv_common.h). Float16/BFloat16
// accumulate in float, float in float, double in double.

#include "engine/kernels/nn/conv_common.h"
#include "engine/kernels/nn/conv_f32.h"

namespace trt::kernels {
namespace {

using nn::ConvShape;
using nn::WindowAttrs;
using nn::WindowGeometry;

template <typename T>
using AccOf = std::conditional_t<std::is_same_v<T, double>, double, float>;

class ConvKernel : public Kernel {
 public:
  ConvKernel(WindowAttrs attrs, int64_t group) : attrs_(std::move(attrs)), group_(group) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* w = ctx.Input(1);
    const Tensor* b = ctx.Input(2);
    if (!x || !w) return ctx.Invalid("inputs X and W are required");
    if (w->dtype() != x->dtype()) {
      return ctx.Invalid("input 1 (W) has dtype " + std::string(DTypeName(w->dtype())) +
                         ", expected " + std::string(DTypeName(x->dtype())) + " like X");
    }
    ConvShape cs;
    auto geo = nn::ResolveConv(attrs_, group_, x->shape(), w->shape(), 1, &cs);
    if (!geo.ok()) return nn::NodeError(ctx.info(), geo.status());
    if (b) {
      if (b->dtype() != x->dtype() || b->rank() != 1 || b->shape()[0] != cs.out_channels) {
        return ctx.Invalid("input 2 (B) is " + b->Description() + ", expected " +
                           std::string(DTypeName(x->dtype())) + "[" +
                           std::to_string(cs.out_channels) + "]");
      }
    }
    Shape y_shape{cs.batch, cs.out_channels};
    for (int64_t d : geo->OutDims()) y_shape.push_back(d);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), y_shape));
    if (y->NumElements() == 0) return Status::Ok();
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                    std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
        using Acc = AccOf<T>;
        const T* xd = x->data<T>();
        const T* wd = w->data<T>();
        const T* bd = b ? b->data<T>() : nullptr;
        T* yd = y->data<T>();
        nn::DirectConv<Acc>(
            ctx, cs, *geo, [xd](int64_t i) { return static_cast<Acc>(xd[i]); },
            [wd](int64_t i) { return static_cast<Acc>(wd[i]); },
            [yd, bd](int64_t o, int64_t m, Acc sum) {
              if (bd) sum += static_cast<Acc>(bd[m]);
              yd[o] = static_cast<T>(sum);
            });
      }
    });
    return Status::Ok();
  }

 private:
  WindowAttrs attrs_;
  int64_t group_;
};

}  // namespace

StatusOr<KernelPtr> CreateConv(const KernelInfo& info) {
  WindowAttrs attrs;
  TRT_RETURN_IF_ERROR(nn::ParseWindowAttrs(info, /*require_kernel_shape=*/false, &attrs));
  const int64_t group = info.GetInt("group", 1);
  if (group <= 0)
    return info.Invalid("attribute group is " + std::to_string(group) + ", expected >= 1");
  TRT_ASSIGN_OR_RETURN(KernelPtr fast, nn::CreateConvF32(info, attrs, group, fused::Activation{}));
  if (fast) return fast;
  return MakeKernel<ConvKernel>(std::move(attrs), group);
}

}  // namespace trt::kernels
