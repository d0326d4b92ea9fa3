// fold_transpose_into_matmul: a Transpose that swaps only the last two axes and feeds input
// A or B of MatMul, Gemm or ai.trtserve::FusedMatMul (its only reader) is removed by toggling
// transA/transB; a MatMul becomes a FusedMatMul (float types) to carry the flag.
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "engine/graph/passes/graph_edit.h"
#include "engine/graph/passes/pass.h"

namespace trt::graph {
namespace {

// True if t's permutation is [0, ..., r-3, r-1, r-2] for its input rank r >= 2.
bool SwapsLastTwoAxes(const Node& t) {
  const Value* in = t.inputs.empty() ? nullptr : t.inputs[0];
  if (!in) return false;
  const Attribute* perm_attr = t.FindAttr("perm");
  std::vector<int64_t> perm;
  if (perm_attr) {
    if (perm_attr->kind != Attribute::Kind::kInts) return false;
    perm = perm_attr->ints;
  } else {
    // Default: reverse all axes, which is the swap only for rank 2.
    if (!in->shape || in->shape->size() != 2) return false;
    perm = {1, 0};
  }
  const int64_t r = static_cast<int64_t>(perm.size());
  if (r < 2 || (in->shape && static_cast<int64_t>(in->shape->size()) != r)) return false;
  std::vector<int64_t> want(r);
  std::iota(want.begin(), want.end(), int64_t{0});
  std::swap(want[r - 1], want[r - 2]);
  return perm == want;
}

bool IsMatMulLike(const Node& n) {
  if (n.domain.empty()) return n.op_type == "MatMul" || n.op_type == "Gemm";
  return n.domain == kTrtDomain && n.op_type == "FusedMatMul";
}

bool TryFold(Graph& g, Node* t, const std::set<std::string, std::less<>>& captured,
             std::set<const Node*>* removed) {
  if (!t->domain.empty() || t->op_type != "Transpose" || t->outputs.size() != 1 || !t->outputs[0] ||
      !SwapsLastTwoAxes(*t)) {
    return false;
  }
  Value* x = t->inputs[0];
  Value* xt = t->outputs[0];
  Node* c = SoleConsumer(*xt, captured);
  if (!c || !IsMatMulLike(*c)) return false;
  const int index = c->inputs[0] == xt ? 0 : 1;
  if (index == 1 && c->inputs[1] != xt) return false;
  const std::string flag = index == 0 ? "transA" : "transB";
  if (c->op_type == "MatMul") {
    if (!IsFloatingPoint(x->dtype)) return false;  // FusedMatMul is float-only
    std::vector<Value*> ins = c->inputs;
    Value* y = c->outputs[0];
    const std::string name = c->name;
    removed->insert(c);
    g.RemoveNode(c);
    c = g.AddNode("FusedMatMul", std::string(kTrtDomain), 1, ins, {y}, name);
  }
  SetIntAttr(*c, flag, 1 - AttrIntOr(*c, flag, 0));
  removed->insert(t);
  g.RemoveNode(t);
  g.SetNodeInput(c, index, x);
  return true;
}

class FoldTransposeIntoMatMulPass final : public Pass {
 public:
  std::string_view Name() const override { return "fold_transpose_into_matmul"; }
  std::string_view Description() const override {
    return "turns a last-two-axes Transpose feeding MatMul/Gemm/FusedMatMul into transA/transB";
  }
  StatusOr<bool> Run(Graph& g, const PassContext& ctx) override {
    (void)ctx;
    const auto captured = CapturedNames(g);
    bool changed = false;
    std::set<const Node*> removed;
    const std::vector<Node*> nodes = g.nodes();
    for (Node* n : nodes) {
      if (!removed.count(n)) changed = TryFold(g, n, captured, &removed) || changed;
    }
    if (changed) RemoveUnusedValuesExcept(g, captured);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateFoldTransposeIntoMatMulPass() {
  return std::make_unique<FoldTransposeIntoMatMulPass>();
}

}  // namespace trt::graph
