// A graph::NodeEvaluator backed by the kernel registry, for passes that evaluate nodes at
// build time (constant folding, graph/passes/pass.h).
//
// Contract: the evaluator copies the node (op, domain, opset, attributes) into a one-node
// model whose inputs are constants, runs it with the reference Executor and returns the
// outputs in order (an undefined Tensor for each absent output). Nodes with subgraph
// attributes are rejected. Errors (unsupported op, invalid inputs) name the node.
// Thread safety: the returned function is stateless and may be called concurrently.
#pragma once

#include "engine/graph/passes/pass.h"

namespace trt::runtime {

graph::NodeEvaluator MakeRegistryEvaluator();

}  // namespace trt::runtime
