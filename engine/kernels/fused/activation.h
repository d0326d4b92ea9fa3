// Activation epilogues of the fused kernels (ai.trtserve FusedConv, FusedGemm, FusedMatMul).
//
// Attribute convention shared by every fused op and by the fusion passes that create them:
//   activation        string; "" (or absent) = none, else one of Relu, Clip, LeakyRelu,
//                     Sigmoid, HardSigmoid, HardSwish, Gelu, Tanh
//   activation_params floats; Clip [min, max]; LeakyRelu [alpha]; HardSigmoid [alpha, beta];
//                     empty for the others (Gelu is the exact erf form)
// Apply() uses exactly the formulas of the elementwise reference kernels (same expression,
// same compute type: float for float/float16/bfloat16, double for double), so a fused node
// gives bit-identical results to the unfused Conv/Gemm + activation pair. At AVX2 and above,
// float32 Sigmoid, Tanh and Gelu run the vector math of common/vec_math.h instead, in the
// fused kernels (VecActivation) as in the standalone ops (elementwise/unary_f32.h), so the
// equality holds at each ISA level; across levels they differ by vec_math.h's bounds.
// This header is the one place where the fused kernels' activation math lives.
#pragma once

#include <span>
#include <string_view>

#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/kernels/common/vec_math.h"
#include "engine/kernels/kernel.h"

namespace trt::kernels::fused {

enum class ActivationKind {
  kNone,
  kRelu,
  kClip,
  kLeakyRelu,
  kSigmoid,
  kHardSigmoid,
  kHardSwish,
  kGelu,
  kTanh,
};

struct Activation {
  ActivationKind kind = ActivationKind::kNone;
  float p0 = 0;  // Clip min, LeakyRelu alpha, HardSigmoid alpha
  float p1 = 0;  // Clip max, HardSigmoid beta
};

// The activation's name as spelled in the `activation` attribute ("" for kNone).
std::string_view ActivationName(ActivationKind kind);
// Number of floats `activation_params` must hold for `kind`.
int ActivationParamCount(ActivationKind kind);

// Reads `activation` and `activation_params` from the node. Errors (INVALID_ARGUMENT, node
// named) on an unknown name or a wrong number of parameters.
StatusOr<Activation> ParseActivation(const KernelInfo& info);

// The vectorized float32 form of `kind` at `isa` (a pointer into the static table of
// common/vec_math.h), or nullptr where the scalar formulas apply: Isa::kGeneric, or a kind
// without a vector form (only Sigmoid, Tanh and Gelu have one).
const vecmath::F32ArrayFn* VecActivation(ActivationKind kind, Isa isa);

float Apply(const Activation& act, float x);
double Apply(const Activation& act, double x);
// In place over a float buffer.
void ApplyInPlace(const Activation& act, std::span<float> data);
// In place over a float32/float64/float16/bfloat16 tensor (16-bit floats compute in float);
// INVALID_ARGUMENT for other dtypes.
Status ApplyInPlace(const Activation& act, Tensor& t);

// Runs `base` (the unfused kernel, e.g. the reference Conv built from the same node) on
// `ctx`, then, when `residual_input` >= 0 names a present input, adds that input (same dtype
// and shape as output 0, float32/float64) elementwise, then applies `act` in place to
// output 0 (float32 through VecActivation at the context's ISA). Output 0 must be allocated
// by `base` through AllocateOutput (never aliased to an input).
Status ComputeWithActivation(const Kernel& base, const Activation& act, KernelContext& ctx,
                             int residual_input = -1);

// A kernel that runs `base`, adds the optional residual input, and applies `act` to its
// output 0 (FusedConv with input Z, FusedGemm).
class ActivationEpilogueKernel final : public Kernel {
 public:
  ActivationEpilogueKernel(KernelPtr base, Activation act, int residual_input = -1)
      : base_(std::move(base)), act_(act), residual_input_(residual_input) {}
  Status Compute(KernelContext& ctx) const override {
    return ComputeWithActivation(*base_, act_, ctx, residual_input_);
  }

 private:
  KernelPtr base_;
  Activation act_;
  int residual_input_;
};

}  // namespace trt::kernels::fused
