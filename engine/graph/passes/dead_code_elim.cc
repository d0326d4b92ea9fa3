// dead_code_elim: removes nodes none of whose outputs reach a graph output (directly, through
// other nodes, or through a live node's subgraph captures), then unused values, including
// constants nobody reads any more.
#include <memory>
#include <set>
#include <vector>

#include "engine/graph/passes/graph_edit.h"
#include "engine/graph/passes/pass.h"

namespace trt::graph {
namespace {

class DeadCodeElimPass final : public Pass {
 public:
  std::string_view Name() const override { return "dead_code_elim"; }
  std::string_view Description() const override {
    return "removes nodes and values that do not contribute to a graph output";
  }
  StatusOr<bool> Run(Graph& g, const PassContext& ctx) override {
    (void)ctx;
    std::set<const Value*> live(g.outputs().begin(), g.outputs().end());
    std::vector<Node*> dead;
    const std::vector<Node*>& nodes = g.nodes();
    // Reverse topological order: every consumer is decided before its producers.
    for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
      Node* n = *it;
      bool is_live = false;
      for (const Value* out : n->outputs) is_live = is_live || (out && live.count(out));
      if (!is_live) {
        dead.push_back(n);
        continue;
      }
      for (const Value* in : n->inputs) {
        if (in) live.insert(in);
      }
      if (!HasSubgraph(*n)) continue;
      for (const auto& name : CapturedNames(*n)) {
        if (const Value* v = g.FindValue(name)) live.insert(v);
      }
    }
    for (Node* n : dead) g.RemoveNode(n);
    const size_t before = g.values().size();
    RemoveUnusedValuesExcept(g, CapturedNames(g));
    return !dead.empty() || g.values().size() != before;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateDeadCodeElimPass() { return std::make_unique<DeadCodeElimPass>(); }

}  // namespace trt::graph
