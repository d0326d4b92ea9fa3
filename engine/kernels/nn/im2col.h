// Implicit im2col for the FP32 convolution (conv_f32.cc): packs the patches of a convolution
// into the GEMM's B panels (gemm.h: NR panels, element (p, j) of a panel at p * NR + j) straight
// from the input, without materializing the K x P patch matrix.
//
// Depth index p = channel * taps + (t0 * k1 + t1) * k2 + t2 (the row-major order of W); column
// j = output position (o0 * out1 + o1) * out2 + o2. Runs of consecutive output positions along
// the last spatial dim are contiguous in the input at stride 1, so a panel row is assembled
// from a few runs, each a copy with zero padding at the edges.
//
// Runs are copied with memcpy/memset. Masked AVX2/AVX-512 run copies were tried (2026-12-06,
// AMD EPYC Zen 5): resnet50 at batch 1 ran within 1% of the memcpy version, layer by layer,
// so the packer has one portable variant.
#pragma once

#include <cstdint>

#include "engine/kernels/nn/conv_common.h"

namespace trt::kernels::nn {

// The implicit im2col source of one image and group.
struct Im2colSource {
  const float* x;  // first input channel of the group in this image
  const WindowGeometry* g;
  int64_t in_size;  // elements per input channel
};

// gemm::Operand::pack callback: packs output positions [first, first + count) x depth
// [k0, k0 + kc) of the Im2colSource `ctx` into NR panels of depth kc at dst (columns past
// count zero-filled).
void PackPatches(const void* ctx, int nr, int64_t first, int64_t count, int64_t k0, int64_t kc,
                 float* dst);

}  // namespace trt::kernels::nn
