// The ordered pass pipeline.
//
// The order is fixed and lives in pass_manager.cc, assembled from two lists:
//   cleanup_passes.inc — folding and simplification (constant folding, dead code, Identity/
//                        Dropout removal, Conv+BatchNorm folding, MatMul+Add -> Gemm,
//                        Transpose folding into MatMul/Gemm);
//   fusion_passes.inc  — fusions that need fused kernels (bias/activation into Conv/Gemm/
//                        MatMul, LayerNormalization and GELU recognition).
// Each line is TRT_PASS(CreateXxxPass); the factories live in one .cc per pass.
// RunPasses() repeats the whole list until no pass changes the graph (at most max_rounds),
// re-running shape inference after every change and, with verify=true, the IR verifier.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/graph/passes/pass.h"

namespace trt::graph {

enum class OptLevel {
  kNone = 0,     // no passes (plans that mirror the ONNX graph one to one)
  kCleanup = 1,  // cleanup list only
  kAll = 2,      // cleanup + fusion (the default for plans)
};

struct PassRecord {
  std::string name;
  int times_changed = 0;
};

std::vector<std::unique_ptr<Pass>> CreatePasses(OptLevel level);

// Runs the pipeline; returns how often each pass changed the graph.
StatusOr<std::vector<PassRecord>> RunPasses(Graph& g, OptLevel level, const PassContext& ctx,
                                            bool verify = true, int max_rounds = 8);

}  // namespace trt::graph
