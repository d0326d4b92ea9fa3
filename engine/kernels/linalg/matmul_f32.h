// Optimized FP32 Gemm / MatMul / FusedGemm / FusedMatMul on the packed GEMM core
// (engine/kernels/gemm/gemm.h).
//
// The factories below return nullptr (not an error) when the node is outside what the fast
// path covers, and the caller keeps the reference kernel: not float32, ISA generic, or
// shapes/attributes it does not handle (e.g. Gemm before opset 7). A constant B (weights)
// is packed once here, at kernel creation; A and a non-constant B are packed per call, one
// cache block at a time, into the context's scratch memory (no allocation per run).
// Numerics: float accumulation (the reference kernels accumulate in float too, in another
// order), so results agree to rounding; with small-integer inputs they are identical.
#pragma once

#include "engine/kernels/fused/activation.h"
#include "engine/kernels/kernel.h"

namespace trt::kernels::linalg {

// ai.onnx Gemm (opset >= 7) and ai.trtserve FusedGemm: act(alpha * op(A) op(B) + beta * C).
StatusOr<KernelPtr> CreateGemmF32(const KernelInfo& info, const fused::Activation& act);
// ai.onnx MatMul and ai.trtserve FusedMatMul: act(alpha * op(A) @ op(B) + bias), numpy
// broadcasting of the batch dims.
StatusOr<KernelPtr> CreateMatMulF32(const KernelInfo& info, bool trans_a, bool trans_b, float alpha,
                                    const fused::Activation& act);

}  // namespace trt::kernels::linalg
