// Pass fuse_conv_add: folds a residual Add into the convolution that produces one of its
// operands (resnet's `relu(conv(x) + shortcut)`): Add(Conv(X, W, B), R) becomes
// ai.trtserve FusedConv(X, W, B, R), computing conv + B + R in the GEMM epilogue, so the sum
// is written once instead of the conv output being written, read back and written again.
// fuse_activation then folds a following Relu into the same node (activation after the sum,
// the ONNX Runtime FusedConv "Z" convention).
//
// Fused only when it is exact: float32, the Add's operands have the same fully known shape
// (no broadcasting), the conv output has no other reader, and the conv has no activation yet
// (an activation before the sum is not what FusedConv computes). The shortcut R must not be
// the conv output itself.
#include <algorithm>
#include <string>
#include <vector>

#include "engine/graph/passes/pass.h"
#include "engine/graph/passes/pattern.h"

namespace trt::graph {
namespace {

using pattern::IsOp;

bool SameKnownShape(const Value* a, const Value* b) {
  if (!a->shape || !b->shape || a->shape->size() != b->shape->size()) return false;
  for (size_t i = 0; i < a->shape->size(); ++i) {
    if (!((*a->shape)[i] == (*b->shape)[i])) return false;
  }
  return true;
}

// A Conv/FusedConv that can take a residual input: float32, no activation, no residual yet.
bool CanTakeResidual(const Node* n) {
  if (n == nullptr || n->outputs.size() != 1 || n->outputs[0] == nullptr) return false;
  if (n->outputs[0]->dtype != DType::kFloat32) return false;
  if (IsOp(n, kOnnxDomain, "Conv")) return n->inputs.size() <= 3;
  if (IsOp(n, kTrtDomain, "FusedConv")) {
    const Attribute* act = n->FindAttr("activation");
    return (act == nullptr || act->s.empty()) && n->inputs.size() <= 3;
  }
  return false;
}

class FuseConvAddPass final : public Pass {
 public:
  std::string_view Name() const override { return "fuse_conv_add"; }
  std::string_view Description() const override {
    return "folds a same-shape residual Add into the producing Conv (FusedConv input Z)";
  }

  StatusOr<bool> Run(Graph& g, const PassContext&) override {
    bool changed = false;
    const std::vector<Node*> nodes = g.nodes();
    std::vector<const Node*> removed;
    for (Node* add : nodes) {
      if (std::find(removed.begin(), removed.end(), add) != removed.end()) continue;
      if (!IsOp(add, kOnnxDomain, "Add") || add->inputs.size() != 2 || add->outputs.size() != 1 ||
          add->inputs[0] == nullptr || add->inputs[1] == nullptr || add->outputs[0] == nullptr) {
        continue;
      }
      if (add->inputs[0] == add->inputs[1]) continue;
      if (!SameKnownShape(add->inputs[0], add->inputs[1]) ||
          !SameKnownShape(add->inputs[0], add->outputs[0])) {
        continue;
      }
      // Prefer the operand whose conv comes later, so the shortcut is already computed.
      Node* conv = nullptr;
      Value* residual = nullptr;
      for (int i = 1; i >= 0; --i) {
        Value* y = add->inputs[i];
        Node* p = y->producer;
        if (!CanTakeResidual(p) || pattern::SoleUser(y) != add) continue;
        if (std::find(removed.begin(), removed.end(), p) != removed.end()) continue;
        if (conv == nullptr || p->index > conv->index) {
          conv = p;
          residual = add->inputs[1 - i];
        }
      }
      if (conv == nullptr || residual->dtype != DType::kFloat32) continue;

      std::vector<Value*> inputs = conv->inputs;
      inputs.resize(3, nullptr);  // absent bias stays absent
      inputs.push_back(residual);
      auto attrs = conv->attrs;
      const std::string name = conv->name;
      Value* out = add->outputs[0];
      g.RemoveNode(add);
      g.RemoveNode(conv);
      removed.push_back(add);
      removed.push_back(conv);
      Node* fused = g.AddNode("FusedConv", std::string(kTrtDomain), 1, inputs, {out}, name);
      fused->attrs = std::move(attrs);
      changed = true;
    }
    if (changed) g.RemoveUnusedValues();
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseConvAddPass() { return std::make_unique<FuseConvAddPass>(); }

}  // namespace trt::graph
