// Fast float32 unary ops on the vector math of common/vec_math.h: Exp, Erf, Sigmoid, Tanh and
// Gelu (exact and tanh forms; ai.onnx 20, com.microsoft, ai.trtserve).
//
// VecUnaryF32OrRef returns the fast kernel when the node's input 0 is float32 in the IR and
// the ISA is AVX2 or above, else `ref` (the reference kernel the caller built from the same
// node). The fast kernel keeps `ref` and runs it for inputs that turn out not to be float32
// at run time. Its Name() is "f32_v<op>__<isa>" (e.g. "f32_vgelu__avx512"). Elements are
// split over the intra-op pool like the reference unary ops (elementwise/plan.h grain);
// nothing is allocated per run.
// Results differ from the reference's std:: functions by the bounds stated in vec_math.h.
// The GEMM epilogues (fused/gemm_epilogue.h) call the same functions, so a fused activation
// equals the standalone op bit for bit at one ISA level.
#pragma once

#include "engine/kernels/kernel.h"

namespace trt::kernels::elementwise {

enum class VecUnaryOp { kExp, kErf, kSigmoid, kTanh, kGelu, kGeluTanh };

KernelPtr VecUnaryF32OrRef(const KernelInfo& info, VecUnaryOp op, KernelPtr ref);

}  // namespace trt::kernels::elementwise
