// Shared helpers for the tensor (data movement) op family.
//
// Data movement here is dtype-agnostic: elements are copied as DTypeSize()-byte blobs.
// GatherByAxisTables() is the common engine behind Transpose, Slice, Expand, Tile, Pad,
// DepthToSpace and friends: each output dim d gets a table mapping its index to an element
// offset contribution into the input; the input offset of an output element is the sum of
// its per-dim contributions. A negative contribution marks "outside the input" (used by
// constant padding), in which case the element is set to a fill value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/shape.h"
#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/kernels/kernel.h"

namespace trt::kernels::tensor {

// Marks an output position that has no source element (filled with the fill value).
inline constexpr int64_t kOutside = -1;

// Per output dim, a table of length out_shape[d] with the input element offset contributed
// by each index (or kOutside). Precondition: tables.size() == out->rank(), every table has
// out->shape()[d] entries, and all non-kOutside sums stay inside `in`.
// `fill` points to one element of out's dtype (may be null when no kOutside entries exist).
void GatherByAxisTables(const Tensor& in, const std::vector<std::vector<int64_t>>& tables,
                        const void* fill, Tensor* out);

// Copies `in` (any dtype) into `out` permuting axes: out dim d is input axis perm[d].
// Precondition: perm is a valid permutation of in.rank() and out has the permuted shape.
void TransposeInto(const Tensor& in, const std::vector<int>& perm, Tensor* out);

// Reads a 1-D (or scalar) integer tensor (int32/int64) into a vector. `what` names the
// input in error messages.
StatusOr<std::vector<int64_t>> ReadInt64s(const KernelContext& ctx, const Tensor& t,
                                          const std::string& what);

// Normalizes each axis into [0, rank), rejecting out-of-range and (if `unique`) repeated
// axes with a message naming `what`.
StatusOr<std::vector<int>> NormalizeAxes(const KernelContext& ctx, const std::vector<int64_t>& axes,
                                         int rank, bool unique, const std::string& what);

// Load-time check that inputs 0..n-1 are wired (required inputs of the op).
Status RequireInputs(const KernelInfo& info, int n);

// "[1, 2, 3]"
std::string VecToString(const std::vector<int64_t>& v);

}  // namespace trt::kernels::tensor
