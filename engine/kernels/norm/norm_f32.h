// Fast float32 Softmax (ai.onnx, opsets 1-12 coerced-2D and 13+ single-axis) and
// LayerNormalization (ai.onnx 17+, ai.trtserve) on the row microkernels of f32_norm_rows.h.
//
// The factories return the fast kernel when it applies, else `ref` (the reference kernel the
// caller built from the same node): ISA generic, input 0 not float32 in the IR, Softmax over
// a non-last axis of known rank, LayerNormalization with Mean/InvStdDev outputs of a stash
// type other than float32. A fast kernel keeps `ref` and runs it for inputs it does not
// cover at run time: a dtype other than float32, an out-of-range axis (so errors keep the
// reference's text), Softmax with elements after the axis, a Scale or B that is not one
// value per normalized element, an empty normalized extent.
//
// Rows are split over the context's intra-op pool for tensors of at least
// 2 x kRowsParallelGrain elements; nothing is allocated per run. Kernel::Name() is the row
// variant ("f32_softmax__avx512", "f32_layernorm__avx2").
//
// Accuracy against the reference kernels (double arithmetic, one final rounding), per output
// element, with n the row length and eps = 2^-24 (checked by tests/engine/kernels/
// norm_f32_test.cc):
// - Softmax: |y - y_ref| <= y_ref * eps * (16 + n / 8 + |x - max|) + 2^-146. The |x - max|
//   term is the float rounding of x - max magnified by exp; n / 8 covers the float sum.
// - LayerNormalization, with z = (x - mean) / std and m = |mean| / std:
//   |y - y_ref| <= eps * (16 + n / 8) * (|scale| * (1 + |z| + m) + |bias|). The m term is the
//   rounding of the float mean, which dominates for rows far from zero mean. The Mean
//   output: |error| <= eps * (16 + n / 8) * (|mean| + std); InvStdDev: relative error
//   <= eps * (16 + n / 8).
#pragma once

#include <cstdint>
#include <functional>

#include "engine/kernels/kernel.h"

namespace trt::kernels::norm {

// Softmax with the node's `axis` attribute (default applied) and opset semantics.
KernelPtr SoftmaxF32OrRef(const KernelInfo& info, bool coerce_2d, int64_t axis, KernelPtr ref);
// LayerNormalization with the node's axis, epsilon and stash_type (defaults applied).
KernelPtr LayerNormF32OrRef(const KernelInfo& info, int64_t axis, float epsilon, DType stash,
                            KernelPtr ref);

// Elements per parallel chunk; smaller tensors run on the caller (waking a pool thread costs
// about as much as normalizing this many elements).
inline constexpr int64_t kRowsParallelGrain = int64_t{1} << 15;

// Runs fn(begin, end) over rows [0, rows) of `n` elements each, split over `pool` when the
// tensor holds at least 2 x kRowsParallelGrain elements. No allocation.
template <typename Fn>
void ParallelRows(int64_t rows, int64_t n, ThreadPool* pool, Fn&& fn) {
  if (pool == nullptr || pool->num_threads() <= 1 || rows < 2 ||
      rows * n < 2 * kRowsParallelGrain) {
    if (rows > 0) fn(int64_t{0}, rows);
    return;
  }
  const int64_t grain = n >= kRowsParallelGrain ? 1 : kRowsParallelGrain / n;
  pool->ParallelFor(rows, grain, std::ref(fn));  // std::ref: no std::function allocation
}

}  // namespace trt::kernels::norm
