// Helpers shared by the control-flow kernels (If, Loop, Scan): reading a boolean / integer
// scalar, slicing a tensor along an axis and stacking per-iteration slices into one output.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/graph/graph.h"
#include "engine/kernels/kernel.h"

namespace trt::kernels::controlflow {

// Reads a one-element bool tensor; `what` names it in the error.
StatusOr<bool> ReadBoolScalar(const KernelContext& ctx, const Tensor& t, const std::string& what);

// The sub-tensor at `index` along `axis` (that axis removed), copied into fresh storage.
// Preconditions: 0 <= axis < rank, 0 <= index < dim(axis).
Tensor SliceAxis(const Tensor& t, int axis, int64_t index);

// Stacks `slices` (all of the same dtype and shape) along a new axis `axis` of the result
// (0 <= axis <= slice rank); slice i lands at position i, or count-1-i when `reverse`.
// Errors name the output (`what`) when the slices disagree in dtype or shape.
StatusOr<Tensor> StackSlices(const KernelContext& ctx, const std::vector<Tensor>& slices, int axis,
                             bool reverse, const std::string& what);

// The empty result of stacking zero iterations of the body output `v`: the new axis has
// size 0 and the other dims come from v's static shape (unknown dims become 0).
StatusOr<Tensor> EmptyStack(const KernelContext& ctx, const graph::Value& v, int axis,
                            const std::string& what);

}  // namespace trt::kernels::controlflow
