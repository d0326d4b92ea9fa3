// Maps a fused activation (fused/activation.h) onto the GEMM core's epilogue (gemm/gemm.h):
// Relu and Clip become the microkernel's in-register clamp; the other activations run on
// each stored row of the tile: Sigmoid, Tanh and Gelu as the vector math of `isa`
// (VecActivation, the functions the standalone float32 ops use at that level), the others
// with the reference formulas. Either way fused == unfused bit for bit at one ISA level.
#pragma once

#include "engine/kernels/fused/activation.h"
#include "engine/kernels/gemm/gemm.h"

namespace trt::kernels::fused {

// `act` must outlive every GEMM run with `ep` (it is the activation callback's context).
void SetGemmActivation(const Activation& act, Isa isa, gemm::Epilogue* ep);

}  // namespace trt::kernels::fused
