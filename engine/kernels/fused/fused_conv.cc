// FusedConv (ai.trtserve opset 1): Y = activation(Conv(X, W, B) + Z), Z the optional input 3
// (a residual of Y's shape, fuse_conv_add). The fast float32 kernel does all of it in the
// GEMM epilogue; otherwise the convolution is the reference Conv kernel built from the same
// node (every Conv attribute and input is shared), followed by the Z add and the activation
// in place on its output (activation.h).
#include "engine/kernels/fused/activation.h"
#include "engine/kernels/nn/conv_f32.h"

namespace trt::kernels {

StatusOr<KernelPtr> CreateConv(const KernelInfo& info);

StatusOr<KernelPtr> CreateFusedConv(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(fused::Activation act, fused::ParseActivation(info));
  nn::WindowAttrs attrs;
  TRT_RETURN_IF_ERROR(nn::ParseWindowAttrs(info, /*require_kernel_shape=*/false, &attrs));
  const int64_t group = info.GetInt("group", 1);
  if (group >= 1) {
    TRT_ASSIGN_OR_RETURN(KernelPtr fast, nn::CreateConvF32(info, attrs, group, act));
    if (fast) return fast;
  }
  TRT_ASSIGN_OR_RETURN(KernelPtr conv, CreateConv(info));
  return MakeKernel<fused::ActivationEpilogueKernel>(std::move(conv), act, /*residual_input=*/3);
}

}  // namespace trt::kernels
