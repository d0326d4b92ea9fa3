// Checks a set of named input tensors against a model's graph inputs.
//
// Errors (INVALID_ARGUMENT) name the model and the tensor with expected and actual values:
// unexpected or duplicate inputs, missing inputs, dtype mismatches, rank mismatches, static
// dims that differ, and symbolic dims shared by several inputs bound to different values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/graph/graph.h"

namespace trt::runtime {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

Status ValidateBindings(const graph::Model& model, const NamedTensors& inputs);

}  // namespace trt::runtime
