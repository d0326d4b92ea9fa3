// Optimized FP32 convolution (Conv, FusedConv) on the packed GEMM core (gemm/gemm.h).
//
// Per image and group the convolution is the GEMM Y[M x P] = W[M x K] * X'[K x P] with
// M = output channels of the group, K = input channels of the group x kernel taps and P the
// output positions (NCHW: Y is already row-major M x P). W is packed once at kernel creation
// (MR panels); X' is never materialized: the B packer gathers the kc x nc block of patches
// straight from the input (implicit im2col), one run of contiguous output positions at a
// time. A 1x1, stride-1, unpadded convolution reads X as the K x P matrix it already is.
// Bias, residual (FusedConv's optional input 3, "Z", same shape as Y) and the activation
// are fused in the microkernel's store.
//
// CreateConvF32 returns nullptr (keep the reference kernel) for: non-float32, ISA generic,
// non-constant weights, and depthwise convolutions (one input channel per group: a GEMM of
// depth kernel-size only; they have their own kernel in a later change).
#pragma once

#include "engine/kernels/fused/activation.h"
#include "engine/kernels/kernel.h"
#include "engine/kernels/nn/conv_common.h"

namespace trt::kernels::nn {

StatusOr<KernelPtr> CreateConvF32(const KernelInfo& info, const WindowAttrs& attrs, int64_t group,
                                  const fused::Activation& act);

}  // namespace trt::kernels::nn
