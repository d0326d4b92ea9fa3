#include "engine/graph/passes/pass_manager.h"

#include "engine/graph/shape_inference.h"
#include "engine/graph/verify.h"

namespace trt::graph {

#define TRT_PASS(factory) std::unique_ptr<Pass> factory();
#include "engine/graph/passes/cleanup_passes.inc"
#include "engine/graph/passes/fusion_passes.inc"
#undef TRT_PASS

std::vector<std::unique_ptr<Pass>> CreatePasses(OptLevel level) {
  std::vector<std::unique_ptr<Pass>> passes;
#define TRT_PASS(factory) passes.push_back(factory());
  if (level >= OptLevel::kCleanup) {
#include "engine/graph/passes/cleanup_passes.inc"
  }
  if (level >= OptLevel::kAll) {
#include "engine/graph/passes/fusion_passes.inc"
  }
#undef TRT_PASS
  return passes;
}

StatusOr<std::vector<PassRecord>> RunPasses(Graph& g, OptLevel level, const PassContext& ctx,
                                            bool verify, int max_rounds) {
  auto passes = CreatePasses(level);
  std::vector<PassRecord> records;
  for (const auto& p : passes) records.push_back({std::string(p->Name()), 0});
  for (int round = 0; round < max_rounds; ++round) {
    bool changed_any = false;
    for (size_t i = 0; i < passes.size(); ++i) {
      auto changed = passes[i]->Run(g, ctx);
      if (!changed.ok()) return changed.status().WithContext("pass " + records[i].name);
      if (!*changed) continue;
      changed_any = true;
      ++records[i].times_changed;
      TRT_RETURN_IF_ERROR(g.Toposort());
      if (verify) {
        TRT_RETURN_IF_ERROR(VerifyGraph(g).WithContext("after pass " + records[i].name));
      }
      TRT_RETURN_IF_ERROR(InferShapes(g).WithContext("after pass " + records[i].name));
    }
    if (!changed_any) break;
  }
  return records;
}

}  // namespace trt::graph
