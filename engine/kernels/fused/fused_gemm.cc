// FusedGemm (ai.trtserve opset 1): Gemm (the semantics of ai.onnx Gemm 13: optional C,
// unidirectional broadcasting) followed by an activation epilogue. The product is the
// reference Gemm kernel; the activation is applied in place on its output (activation.h).
#include <string>

#include "engine/kernels/fused/activation.h"
#include "engine/kernels/linalg/matmul_f32.h"

namespace trt::kernels {

StatusOr<KernelPtr> CreateGemm(const KernelInfo& info);

StatusOr<KernelPtr> CreateFusedGemm(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(fused::Activation act, fused::ParseActivation(info));
  for (const char* attr : {"transA", "transB"}) {
    const int64_t v = info.GetInt(attr, 0);
    if (v != 0 && v != 1) {
      return info.Invalid("attribute " + std::string(attr) + " must be 0 or 1, got " +
                          std::to_string(v));
    }
  }
  // The Gemm factory reads the opset to pick the pre-7/pre-11 rules; FusedGemm always has
  // the current ones, so it builds the kernel from a copy of the node at Gemm opset 13.
  graph::Node gemm_node = info.node();
  gemm_node.opset = 13;
  const KernelInfo gemm_info(gemm_node, info.isa());
  TRT_ASSIGN_OR_RETURN(KernelPtr fast, linalg::CreateGemmF32(gemm_info, act));
  if (fast) return fast;
  TRT_ASSIGN_OR_RETURN(KernelPtr gemm, CreateGemm(gemm_info));
  return MakeKernel<fused::ActivationEpilogueKernel>(std::move(gemm), act);
}

}  // namespace trt::kernels
