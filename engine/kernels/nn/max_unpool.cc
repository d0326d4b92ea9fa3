// MaxUnpool (ai.onnx 9+): scatters X into a zero tensor at the flat positions given by
// Indices (as produced by MaxPool's Indices output, counted over the whole output tensor).
// The output shape is the optional output_shape input or (in - 1) * stride + kernel - pads.

#include <cstring>
#include <string>

#include "engine/kernels/nn/conv_common.h"

namespace trt::kernels {
namespace {

class MaxUnpoolKernel : public Kernel {
 public:
  explicit MaxUnpoolKernel(nn::WindowAttrs attrs) : attrs_(std::move(attrs)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* ind = ctx.Input(1);
    const Tensor* out_shape = ctx.Input(2);
    if (!x || !ind) return ctx.Invalid("inputs X and I are required");
    const Shape& xs = x->shape();
    const int rank = xs.rank() - 2;
    if (rank < 1) {
      return ctx.Invalid("input 0 (X) has shape " + xs.ToString() + ", expected rank >= 3");
    }
    if (ind->dtype() != DType::kInt64 || ind->shape() != xs) {
      return ctx.Invalid("input 1 (I) is " + ind->Description() + ", expected int64" +
                         xs.ToString() + " like X");
    }
    if (attrs_.kernel_shape.size() != static_cast<size_t>(rank) ||
        (!attrs_.strides.empty() && attrs_.strides.size() != static_cast<size_t>(rank)) ||
        (!attrs_.pads.empty() && attrs_.pads.size() != static_cast<size_t>(2 * rank))) {
      return ctx.Invalid("attributes kernel_shape/strides/pads do not match " +
                         std::to_string(rank) + " spatial dims of X " + xs.ToString());
    }
    // Indices count positions in the inferred shape; an explicit output_shape re-maps them
    // coordinate by coordinate into the requested (possibly larger) shape.
    Shape inferred{xs[0], xs[1]};
    for (int i = 0; i < rank; ++i) {
      const int64_t s = attrs_.strides.empty() ? 1 : attrs_.strides[i];
      const int64_t pads = attrs_.pads.empty() ? 0 : attrs_.pads[i] + attrs_.pads[rank + i];
      inferred.push_back((xs[2 + i] - 1) * s + attrs_.kernel_shape[i] - pads);
    }
    Shape ys = inferred;
    if (out_shape) {
      if (out_shape->dtype() != DType::kInt64 || out_shape->rank() != 1 ||
          out_shape->NumElements() != xs.rank()) {
        return ctx.Invalid("input 2 (output_shape) is " + out_shape->Description() +
                           ", expected int64[" + std::to_string(xs.rank()) + "]");
      }
      ys = Shape(std::span<const int64_t>(out_shape->data<int64_t>(), xs.rank()));
      for (int d = 0; d < xs.rank(); ++d) {
        if (ys[d] < inferred[d] || (d < 2 && ys[d] != inferred[d])) {
          return ctx.Invalid("input 2 (output_shape) " + ys.ToString() +
                             " must keep N and C and not be smaller than the inferred shape " +
                             inferred.ToString());
        }
      }
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), ys));
    const int64_t total = inferred.NumElements();
    const int64_t* id = ind->data<int64_t>();
    const size_t elem = DTypeSize(x->dtype());
    const auto* src = static_cast<const unsigned char*>(x->raw_data());
    auto* dst = static_cast<unsigned char*>(y->raw_data());
    std::memset(dst, 0, y->nbytes());  // unpooled positions are 0; output memory is not cleared
    for (int64_t i = 0; i < x->NumElements(); ++i) {
      if (id[i] < 0 || id[i] >= total) {
        return ctx.Invalid("input 1 (I) element " + std::to_string(i) + " is " +
                           std::to_string(id[i]) + ", out of range [0, " + std::to_string(total) +
                           ") for the inferred output " + inferred.ToString());
      }
      int64_t rem = id[i], pos = 0, mul = 1;
      for (int d = xs.rank() - 1; d >= 0; --d) {
        pos += (rem % inferred[d]) * mul;
        rem /= inferred[d];
        mul *= ys[d];
      }
      std::memcpy(dst + pos * elem, src + i * elem, elem);
    }
    return Status::Ok();
  }

 private:
  nn::WindowAttrs attrs_;
};

}  // namespace

StatusOr<KernelPtr> CreateMaxUnpool(const KernelInfo& info) {
  nn::WindowAttrs attrs;
  TRT_RETURN_IF_ERROR(nn::ParseWindowAttrs(info, /*require_kernel_shape=*/true, &attrs));
  return MakeKernel<MaxUnpoolKernel>(std::move(attrs));
}

}  // namespace trt::kernels
