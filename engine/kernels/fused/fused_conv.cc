// FusedConv (ai.trtserve opset 1): Conv followed by an activation epilogue. The convolution
// is the reference Conv kernel built from the same node (every Conv attribute and input is
// shared); the activation is applied in place on its output (activation.h).
#include "engine/kernels/fused/activation.h"

namespace trt::kernels {

StatusOr<KernelPtr> CreateConv(const KernelInfo& info);

StatusOr<KernelPtr> CreateFusedConv(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(fused::Activation act, fused::ParseActivation(info));
  TRT_ASSIGN_OR_RETURN(KernelPtr conv, CreateConv(info));
  return MakeKernel<fused::ActivationEpilogueKernel>(std::move(conv), act);
}

}  // namespace trt::kernels
