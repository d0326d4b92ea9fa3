// fuse_matmul_add: MatMul(A, B) + bias with a constant 2-D B [K, N] and a constant bias of
// shape [N] or [1, N], the MatMul output read only by the Add, becomes Gemm(A, B, bias) when
// A is 2-D and ai.trtserve::FusedMatMul(A, B, bias) when A has rank > 2 (float types).
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/graph/passes/graph_edit.h"
#include "engine/graph/passes/pass.h"

namespace trt::graph {
namespace {

// True if bias has shape [N] or [1, N] and B's dtype.
bool IsRowBias(const Value& bias, int64_t n, DType dtype) {
  if (!bias.constant || bias.dtype != dtype) return false;
  const Shape& s = bias.constant->shape();
  if (s.rank() == 1) return s[0] == n;
  return s.rank() == 2 && s[0] == 1 && s[1] == n;
}

bool TryFuse(Graph& g, Node* mm, const std::set<std::string, std::less<>>& captured,
             std::set<const Node*>* removed) {
  if (!mm->domain.empty() || mm->op_type != "MatMul" || mm->inputs.size() != 2 ||
      mm->outputs.size() != 1 || !mm->inputs[0] || !mm->inputs[1] || !mm->outputs[0]) {
    return false;
  }
  Value* a = mm->inputs[0];
  Value* b = mm->inputs[1];
  if (!b->constant || b->constant->rank() != 2 || !a->shape || a->dtype != b->dtype) return false;
  const size_t a_rank = a->shape->size();
  if (a_rank < 2) return false;
  Node* add = SoleConsumer(*mm->outputs[0], captured);
  if (!add || !add->domain.empty() || add->op_type != "Add" || add->inputs.size() != 2 ||
      add->outputs.size() != 1 || !add->outputs[0]) {
    return false;
  }
  const int bias_index = add->inputs[0] == mm->outputs[0] ? 1 : 0;
  Value* bias = add->inputs[bias_index];
  if (!bias || bias == mm->outputs[0] || !IsRowBias(*bias, b->constant->shape()[1], b->dtype)) {
    return false;
  }
  const bool gemm = a_rank == 2;
  if (gemm && mm->opset < 7) return false;  // older Gemm needs the `broadcast` attribute
  if (!gemm && !IsFloatingPoint(a->dtype)) return false;  // FusedMatMul is float-only
  Value* y = add->outputs[0];
  const std::string name = mm->name.empty() ? y->name + "_fused" : mm->name + "_bias";
  const int opset = mm->opset;
  removed->insert(mm);
  removed->insert(add);
  g.RemoveNode(mm);
  g.RemoveNode(add);
  if (gemm) {
    g.AddNode("Gemm", "", opset, {a, b, bias}, {y}, name);
  } else {
    g.AddNode("FusedMatMul", std::string(kTrtDomain), 1, {a, b, bias}, {y}, name);
  }
  return true;
}

class FuseMatMulAddPass final : public Pass {
 public:
  std::string_view Name() const override { return "fuse_matmul_add"; }
  std::string_view Description() const override {
    return "MatMul + constant bias Add -> Gemm (2-D A) or FusedMatMul (batched A)";
  }
  StatusOr<bool> Run(Graph& g, const PassContext& ctx) override {
    (void)ctx;
    const auto captured = CapturedNames(g);
    bool changed = false;
    std::set<const Node*> removed;
    const std::vector<Node*> nodes = g.nodes();
    for (Node* n : nodes) {
      if (!removed.count(n)) changed = TryFuse(g, n, captured, &removed) || changed;
    }
    if (changed) RemoveUnusedValuesExcept(g, captured);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseMatMulAddPass() { return std::make_unique<FuseMatMulAddPass>(); }

}  // namespace trt::graph
