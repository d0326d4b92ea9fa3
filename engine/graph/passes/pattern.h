// Small matching helpers shared by the fusion passes.
//
// Passes match chains of nodes by walking use lists. A node may be folded into a fused
// replacement only if nothing else observes its output, which SoleUser() checks (including
// reads by name from If/Loop/Scan bodies): exactly
// one use (counting a node that reads the value twice, like Mul(d, d), as one user) and not
// a graph output. Constant helpers accept scalars and 1-element tensors of any float type.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "engine/graph/graph.h"

namespace trt::graph::pattern {

// True if `n` is a node of (domain, op_type).
bool IsOp(const Node* n, std::string_view domain, std::string_view op_type);

// The only node reading `v`, or nullptr when `v` has several users, none, or is a graph
// output.
Node* SoleUser(const Value* v);

// The value of a constant with exactly one element, as double (float types only).
std::optional<double> ScalarConstant(const Value* v);
// True if `v` is a 1-element float constant within `tol` (absolute) of `expected`.
bool IsScalarNear(const Value* v, double expected, double tol = 1e-4);

// For a binary node `n` with `v` as one of its two inputs, the other input (nullptr if `v`
// is not an input of `n`). For n(v, v) returns v.
Value* OtherInput(const Node* n, const Value* v);

// The `axes` of a Reduce* node: the attribute (opset < 18 for ReduceMean) or the constant
// input 1 (opset 18+). nullopt when absent or not constant.
std::optional<std::vector<int64_t>> ReduceAxes(const Node* n);
// True if `n` is ai.onnx ReduceMean over exactly the last axis of its input (axes [-1] or
// [rank - 1] with the rank known) with keepdims = 1.
bool IsReduceMeanLastAxis(const Node* n);

}  // namespace trt::graph::pattern
