// Graph optimization passes.
//
// A pass is a small rewrite with a name, a one-line description and Run(), which returns
// whether it changed the graph. Passes run in a fixed order per optimization level
// (pass_manager.h) until none changes the graph (bounded number of rounds). Each pass keeps
// the IR valid (graph/verify.h), keeps graph inputs/outputs and their names, and leaves
// shapes/dtypes of the values it creates filled in (or re-runs shape inference itself).
//
// Passes that must evaluate ops (constant folding) do so through a NodeEvaluator supplied
// by the caller, because the graph layer does not link kernels: the runtime's builder passes
// one backed by the kernel registry.
// Threading: passes mutate the graph; one pass runs at a time.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/graph/graph.h"

namespace trt::graph {

// Domain of the fused/internal ops that passes introduce (e.g. FusedConv, FusedGemm).
inline constexpr std::string_view kTrtDomain = "ai.trtserve";

// Runs one node on constant inputs (absent optional inputs are undefined Tensors) and returns
// its outputs in order.
using NodeEvaluator = std::function<StatusOr<std::vector<Tensor>>(
    const Node& node, const std::vector<Tensor>& inputs)>;

struct PassContext {
  NodeEvaluator evaluate;  // may be empty: passes that need it then do nothing
  // Largest constant (bytes) constant folding may create; bigger results stay computed at
  // run time (avoids blowing up plan size with e.g. ConstantOfShape of a huge shape).
  int64_t max_folded_bytes = int64_t{64} << 20;
};

class Pass {
 public:
  virtual ~Pass() = default;
  virtual std::string_view Name() const = 0;
  virtual std::string_view Description() const = 0;
  // Returns true if the graph changed. Errors only on internal failures (a pass that cannot
  // apply simply returns false).
  virtual StatusOr<bool> Run(Graph& g, const PassContext& ctx) = 0;
};

}  // namespace trt::graph
