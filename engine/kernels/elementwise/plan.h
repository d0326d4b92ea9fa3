// ElementwisePlan: how an elementwise op with 1-3 inputs walks its output.
//
// Built once per Compute from the input shapes (numpy multidirectional broadcasting, via
// common/broadcast.h). Output dims of size 1 are dropped and adjacent dims that every input
// walks contiguously (or broadcasts along together) are merged, so the common cases become
// one long run: same shapes -> 1 run of N elements; [N, C] + [C] -> N runs of C elements
// with input 1 re-read from offset 0. After merging, each input's stride along the
// innermost dim is 1 (contiguous) or 0 (repeat one element), which is all an inner loop
// needs to know; the outer dims are walked with an odometer, O(1) amortized per run.
//
// Runs: ForEachRun(begin, end, fn) calls fn(out_offset, in_offsets, len) for consecutive
// runs covering output elements [begin, end); a run never crosses an innermost-dim row.
// ParallelRuns() splits [0, total) over the intra-op pool in element ranges (no per-call
// allocation; a null pool or a small tensor runs on the caller).
// Offsets are in elements. Thread safety: a plan is immutable after MakeElementwisePlan.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "engine/base/shape.h"
#include "engine/base/status.h"
#include "engine/base/thread_pool.h"

namespace trt::kernels::elementwise {

struct ElementwisePlan {
  static constexpr int kMaxInputs = 3;

  Shape out_shape;  // the broadcast output shape
  int num_inputs = 0;
  int64_t total = 0;    // out_shape.NumElements()
  int64_t row_len = 1;  // elements in one innermost (merged) row
  // Per input: true if it advances by one element along the row, false if it repeats one.
  bool row_contiguous[kMaxInputs] = {true, true, true};
  // Merged outer dims (outermost first) and each input's element stride along them.
  std::vector<int64_t> outer_dims;
  std::vector<int64_t> outer_strides[kMaxInputs];

  // fn(int64_t out_offset, const int64_t* in_offsets, int64_t len) for every run in
  // [begin, end). Requires 0 <= begin <= end <= total.
  template <typename Fn>
  void ForEachRun(int64_t begin, int64_t end, Fn&& fn) const;
};

// Broadcasts `shapes` (1..kMaxInputs of them) and merges dims. Fails with
// "shapes [2, 3] and [4] cannot be broadcast together" (callers add the node context).
StatusOr<ElementwisePlan> MakeElementwisePlan(const Shape* shapes, int num_shapes);

// Pre-opset-7 broadcasting (Add/Sub/Mul/... with `broadcast`=1): B is aligned to A starting
// at `axis` (default: suffix-aligned) and padded with 1s so numpy rules then apply.
// Fails if B does not fit inside A at that axis.
StatusOr<Shape> LegacyBroadcastShape(const Shape& a, const Shape& b, int64_t axis, bool has_axis);

// Elements per parallel chunk: below 2x this, ops run on the calling thread.
inline constexpr int64_t kElementwiseGrain = int64_t{1} << 14;

template <typename Fn>
void ParallelRuns(const ElementwisePlan& plan, ThreadPool* pool, Fn&& fn) {
  if (pool == nullptr || pool->num_threads() <= 1 || plan.total < 2 * kElementwiseGrain) {
    plan.ForEachRun(0, plan.total, fn);
    return;
  }
  auto body = [&plan, &fn](int64_t begin, int64_t end) { plan.ForEachRun(begin, end, fn); };
  // std::ref: std::function wraps a reference_wrapper without allocating.
  pool->ParallelFor(plan.total, kElementwiseGrain, std::ref(body));
}

// Flat variant for ops without broadcasting: fn(begin, end) over [0, n).
template <typename Fn>
void ParallelRange(int64_t n, ThreadPool* pool, Fn&& fn) {
  if (pool == nullptr || pool->num_threads() <= 1 || n < 2 * kElementwiseGrain) {
    if (n > 0) fn(int64_t{0}, n);
    return;
  }
  pool->ParallelFor(n, kElementwiseGrain, std::ref(fn));
}

template <typename Fn>
void ElementwisePlan::ForEachRun(int64_t begin, int64_t end, Fn&& fn) const {
  if (begin >= end) return;
  const int nd = static_cast<int>(outer_dims.size());
  constexpr int kInlineDims = 16;
  int64_t idx_inline[kInlineDims];
  std::vector<int64_t> idx_heap;
  int64_t* idx = idx_inline;
  if (nd > kInlineDims) {
    idx_heap.resize(nd);
    idx = idx_heap.data();
  }
  // Start position: row index -> odometer over the outer dims.
  int64_t row = begin / row_len;
  int64_t col = begin % row_len;
  int64_t base[kMaxInputs] = {0, 0, 0};
  for (int d = nd - 1; d >= 0; --d) {
    idx[d] = row % outer_dims[d];
    row /= outer_dims[d];
    for (int k = 0; k < num_inputs; ++k) base[k] += idx[d] * outer_strides[k][d];
  }
  int64_t in_off[kMaxInputs] = {0, 0, 0};
  for (int64_t pos = begin; pos < end;) {
    const int64_t len = std::min(row_len - col, end - pos);
    for (int k = 0; k < num_inputs; ++k) in_off[k] = base[k] + (row_contiguous[k] ? col : 0);
    fn(pos, static_cast<const int64_t*>(in_off), len);
    pos += len;
    col = 0;
    if (pos >= end) break;
    for (int d = nd - 1; d >= 0; --d) {
      if (++idx[d] < outer_dims[d]) {
        for (int k = 0; k < num_inputs; ++k) base[k] += outer_strides[k][d];
        break;
      }
      for (int k = 0; k < num_inputs; ++k) base[k] -= outer_strides[k][d] * (outer_dims[d] - 1);
      idx[d] = 0;
    }
  }
}

}  // namespace trt::kernels::elementwise
