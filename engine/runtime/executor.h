// The reference executor: runs a Model's graph node by node on the registry's kernels.
//
// - Create() instantiates one kernel per node (root graph and every If/Loop/Scan subgraph);
//   an unsupported op fails here with the node, op type, domain and opset.
// - Run() checks the bindings (missing/extra inputs, dtype, rank, fixed dims and consistent
//   symbolic dims: every error names the model and the tensor with expected and actual),
//   then executes in topological order. Output shapes come from the kernels, so any input
//   shape works without rebuilding, data-dependent shapes included. Intermediate tensors
//   are released after their last use.
// Threading: Run() is const and may be called from several threads at once (each call has
// its own value slots); the optional intra-op pool is shared and serializes ParallelFor.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/cpu_features.h"
#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/base/thread_pool.h"
#include "engine/graph/graph.h"
#include "engine/runtime/bindings.h"

namespace trt::runtime {

struct ExecutorOptions {
  int num_threads = 1;  // intra-op threads (1 = run on the caller only)
  // Highest ISA level of the kernels (tests compare levels in one process; capped at
  // ActiveIsa() so TRTSERVE_ISA still rules).
  Isa isa = ActiveIsa();
};

// NamedTensors comes from bindings.h.

class GraphProgram;  // per-graph kernels and slots (executor.cc)

class Executor {
 public:
  static StatusOr<std::unique_ptr<Executor>> Create(std::shared_ptr<const graph::Model> model,
                                                    ExecutorOptions options = {});
  ~Executor();

  // Runs the model. Returns the graph outputs in graph order.
  StatusOr<NamedTensors> Run(const NamedTensors& inputs) const;

  const graph::Model& model() const { return *model_; }

  // Checks one binding set against the graph inputs (exposed for the CLI and tests).
  Status ValidateInputs(const NamedTensors& inputs) const;

 private:
  Executor() = default;
  std::shared_ptr<const graph::Model> model_;
  std::unique_ptr<GraphProgram> root_;
  std::unique_ptr<ThreadPool> pool_;
};

}  // namespace trt::runtime
