// FusedConv (ai.trtserve opset 1): Conv followed by an activation epilogue. The convolution
// is the reference Conv kernel built from the same node (every Conv attribute and input is
// shared); the activation is applied in place on its output (activation.h).
#include "engine/kernels/fused/activation.h"

namespace trt::kernels {

StatusOr<KernelPtr> CreateConv(const KernelInfo& info);

namespace {

class FusedConvKernel final : public Kernel {
 public:
  FusedConvKernel(KernelPtr conv, fused::Activation act) : conv_(std::move(conv)), act_(act) {}

  Status Compute(KernelContext& ctx) const override {
    return fused::ComputeWithActivation(*conv_, act_, ctx);
  }

 private:
  KernelPtr conv_;
  fused::Activation act_;
};

}  // namespace

StatusOr<KernelPtr> CreateFusedConv(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(fused::Activation act, fused::ParseActivation(info));
  TRT_ASSIGN_OR_RETURN(KernelPtr conv, CreateConv(info));
  return MakeKernel<FusedConvKernel>(std::move(conv), act);
}

}  // namespace trt::kernels
