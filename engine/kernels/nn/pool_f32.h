// Fast float32 MaxPool / AveragePool for 1-D and 2-D windows (NCHW), the shapes CNNs use.
//
// Per output row the windows that lie fully inside the input are computed tap by tap over the
// whole run of such columns (contiguous loads for stride 1, vectorizable by the compiler);
// border windows are computed one by one. Every output element sees exactly the operations
// of the reference kernel in nn/pool.cc, in the same order (MaxPool: the first valid tap,
// then `v > best ? v : best` over the taps in row-major order; AveragePool: 0 + taps in
// order, divided by the count), so results are bit-identical, NaN included.
// Threads: rows split over `pool` (may be null) when the output is large enough; no heap
// allocation.
#pragma once

#include <cstdint>

#include "engine/base/thread_pool.h"
#include "engine/kernels/nn/conv_common.h"

namespace trt::kernels::nn {

// True when PoolF32 handles the geometry (spatial rank 1 or 2).
bool PoolF32Applies(const WindowGeometry& g);

// `planes` = N * C planes of g.InSize() floats in `x`; writes planes * g.OutSize() to `y`.
void PoolF32(bool max, bool count_include_pad, const WindowGeometry& g, int64_t planes,
             const float* x, float* y, ThreadPool* pool);

}  // namespace trt::kernels::nn
