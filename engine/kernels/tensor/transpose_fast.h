// Fast axis permutation for any dtype (elements are copied as DTypeSize()-byte blobs).
//
// The permutation is first simplified: size-1 axes are dropped and input axes that stay
// adjacent and in order in the output are merged, so BERT's [B, S, H, D] -> [B, H, S, D]
// becomes a 3-D [S, H, D*] -> [H, S, D*] move of contiguous D-element rows. Then:
//   - the innermost axis stays innermost: copy contiguous rows (memcpy of the inner run);
//   - otherwise: a 2-D transpose of the two axes that are innermost in the input and in the
//     output, in square tiles so both the reads and the writes stay within a few cache lines,
//     looped over the remaining (outer) axes.
// Work splits over `pool` (may be null) by outer index when the tensor is large enough.
// No heap allocation: index state lives in fixed arrays (at most kMaxFastRank axes after
// simplification; TransposeFast returns false beyond that and the caller falls back to the
// reference tensor::TransposeInto, which is also the oracle of the tests).
#pragma once

#include <vector>

#include "engine/base/tensor.h"
#include "engine/base/thread_pool.h"

namespace trt::kernels::tensor {

inline constexpr int kMaxFastRank = 8;

// Copies `in` into `out` permuting axes (out dim d is input axis perm[d]), as TransposeInto.
// Precondition: perm is a valid permutation and out has the permuted shape. Returns false
// (writing nothing) when the simplified permutation has more than kMaxFastRank axes.
bool TransposeFast(const Tensor& in, const std::vector<int>& perm, Tensor* out, ThreadPool* pool);

}  // namespace trt::kernels::tensor
