// eliminate_identity: removes nodes that pass their input through unchanged: Identity,
// inference-mode Dropout, Cast to the input's own dtype, and Reshape/Expand whose inferred
// output shape equals the input shape. Graph output names are preserved (graph_edit.h).
#include <memory>

#include "engine/graph/passes/graph_edit.h"
#include "engine/graph/passes/pass.h"

namespace trt::graph {
namespace {

// Shapes equal dim by dim, each dim known or a named symbol (anonymous dims never match).
bool SameShape(const Value& a, const Value& b) {
  if (!a.shape || !b.shape || a.shape->size() != b.shape->size()) return false;
  for (size_t i = 0; i < a.shape->size(); ++i) {
    const Dim& x = (*a.shape)[i];
    if (x.HasUnknown() || !(x == (*b.shape)[i])) return false;
  }
  return true;
}

bool IsFalseConstant(const Value* v) {
  if (!v) return true;  // absent training_mode means inference
  if (!v->constant || v->constant->NumElements() != 1) return false;
  return v->constant->GetAsInt64(0) == 0;
}

// True if `n` (an ONNX-domain node) forwards inputs[0] to outputs[0] unchanged.
bool IsPassThrough(const Node& n) {
  if (!n.domain.empty() || n.inputs.empty() || !n.inputs[0] || n.outputs.empty() || !n.outputs[0]) {
    return false;
  }
  const Value& in = *n.inputs[0];
  const Value& out = *n.outputs[0];
  if (n.op_type == "Identity") return n.inputs.size() == 1 && n.outputs.size() == 1;
  if (n.op_type == "Dropout") {
    for (size_t i = 1; i < n.outputs.size(); ++i) {
      const Value* mask = n.outputs[i];
      if (mask && (!mask->uses.empty() || mask->is_graph_output)) return false;
    }
    if (n.opset < 7) return AttrIntOr(n, "is_test", 0) != 0;
    return n.inputs.size() < 3 || IsFalseConstant(n.inputs[2]);
  }
  if (n.op_type == "Cast") {
    const int64_t to = AttrIntOr(n, "to", -1);
    return in.dtype != DType::kUndefined && to == static_cast<int64_t>(in.dtype) &&
           out.dtype == in.dtype;
  }
  if (n.op_type == "Reshape" || n.op_type == "Expand") {
    return in.dtype != DType::kUndefined && out.dtype == in.dtype && SameShape(in, out);
  }
  return false;
}

class EliminateIdentityPass final : public Pass {
 public:
  std::string_view Name() const override { return "eliminate_identity"; }
  std::string_view Description() const override {
    return "removes Identity, inference Dropout, same-type Cast and same-shape Reshape/Expand";
  }
  StatusOr<bool> Run(Graph& g, const PassContext& ctx) override {
    (void)ctx;
    const auto captured = CapturedNames(g);
    bool changed = false;
    const std::vector<Node*> nodes = g.nodes();
    for (Node* n : nodes) {
      if (!IsPassThrough(*n)) continue;
      if (BypassNode(g, n, n->inputs[0], n->outputs[0], captured)) changed = true;
    }
    if (changed) RemoveUnusedValuesExcept(g, captured);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateEliminateIdentityPass() {
  return std::make_unique<EliminateIdentityPass>();
}

}  // namespace trt::graph
