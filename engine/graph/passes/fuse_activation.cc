// Pass fuse_activation: folds a single-use activation into the Conv/Gemm/FusedMatMul that
// produces its input. ai.onnx Conv/Gemm become ai.trtserve FusedConv/FusedGemm; FusedConv,
// FusedGemm and FusedMatMul without an activation get one. The activation attributes follow
// the convention of engine/kernels/fused/activation.h (activation + activation_params).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph/passes/pass.h"
#include "engine/graph/passes/pattern.h"

namespace trt::graph {
namespace {

using pattern::IsOp;

struct ActivationSpec {
  std::string name;
  std::vector<float> params;
};

bool IsFloatType(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
         t == DType::kBFloat16;
}

float AttrFloat(const Node* n, std::string_view name, float def) {
  const Attribute* a = n->FindAttr(name);
  return a != nullptr && a->kind == Attribute::Kind::kFloat ? a->f : def;
}

// A Clip bound given as input i: absent -> `def`; a scalar constant exactly representable
// as float -> its value; anything else -> nullopt (not fusable).
std::optional<float> ClipBound(const Node* n, size_t i, float def) {
  if (n->inputs.size() <= i || n->inputs[i] == nullptr) return def;
  const auto c = pattern::ScalarConstant(n->inputs[i]);
  if (!c || static_cast<double>(static_cast<float>(*c)) != *c) return std::nullopt;
  return static_cast<float>(*c);
}

// The activation `n` computes on its input 0, when the fused kernels implement it with the
// same formula.
std::optional<ActivationSpec> ActivationOf(const Node* n) {
  if (n->outputs.size() != 1 || n->inputs.empty()) return std::nullopt;
  const std::string& op = n->op_type;
  if (n->domain == kMsDomain) {
    if (op == "Gelu") return ActivationSpec{"Gelu", {}};
    return std::nullopt;
  }
  if (n->domain != kOnnxDomain) return std::nullopt;
  if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSwish") {
    return ActivationSpec{op, {}};
  }
  if (op == "LeakyRelu") return ActivationSpec{op, {AttrFloat(n, "alpha", 0.01f)}};
  if (op == "HardSigmoid") {
    return ActivationSpec{op, {AttrFloat(n, "alpha", 0.2f), AttrFloat(n, "beta", 0.5f)}};
  }
  if (op == "Gelu") {
    const Attribute* approx = n->FindAttr("approximate");
    if (approx != nullptr && approx->s != "none") return std::nullopt;
    return ActivationSpec{op, {}};
  }
  if (op == "Clip") {
    using L = std::numeric_limits<float>;
    if (n->opset < 6) return std::nullopt;  // pre-6 attribute defaults differ
    if (n->opset < 11) {
      return ActivationSpec{op, {AttrFloat(n, "min", L::lowest()), AttrFloat(n, "max", L::max())}};
    }
    const auto lo = ClipBound(n, 1, -L::infinity());
    const auto hi = ClipBound(n, 2, L::infinity());
    if (!lo || !hi) return std::nullopt;
    return ActivationSpec{op, {*lo, *hi}};
  }
  return std::nullopt;
}

// The fused op type `n` becomes, or "" when `n` cannot take an activation.
std::string FusedTypeOf(const Node* n) {
  const Attribute* act = n->FindAttr("activation");
  const bool has_act = act != nullptr && !act->s.empty();
  if (IsOp(n, kOnnxDomain, "Conv")) return "FusedConv";
  if (IsOp(n, kOnnxDomain, "Gemm") && n->opset >= 7) return "FusedGemm";  // pre-7 broadcast
  for (const char* op : {"FusedConv", "FusedGemm", "FusedMatMul"}) {
    if (IsOp(n, kTrtDomain, op) && !has_act) return op;
  }
  return "";
}

class FuseActivationPass final : public Pass {
 public:
  std::string_view Name() const override { return "fuse_activation"; }
  std::string_view Description() const override {
    return "folds Relu/Clip/LeakyRelu/Sigmoid/HardSigmoid/HardSwish/Gelu/Tanh into the "
           "preceding Conv, Gemm or FusedMatMul";
  }

  StatusOr<bool> Run(Graph& g, const PassContext&) override {
    bool changed = false;
    const std::vector<Node*> nodes = g.nodes();
    std::vector<Node*> removed;
    for (Node* n : nodes) {
      if (std::find(removed.begin(), removed.end(), n) != removed.end()) continue;
      const std::string fused_type = FusedTypeOf(n);
      if (fused_type.empty() || n->outputs.size() != 1 || n->outputs[0] == nullptr) continue;
      Value* y = n->outputs[0];
      if (!IsFloatType(y->dtype)) continue;
      Node* act_node = pattern::SoleUser(y);
      if (act_node == nullptr || act_node->inputs[0] != y) continue;
      const auto spec = ActivationOf(act_node);
      if (!spec) continue;
      // Other inputs of the activation (Clip bounds) must not be y itself.
      bool y_elsewhere = false;
      for (size_t i = 1; i < act_node->inputs.size(); ++i) y_elsewhere |= act_node->inputs[i] == y;
      if (y_elsewhere) continue;

      Value* out = act_node->outputs[0];
      const std::string domain = fused_type == n->op_type ? n->domain : std::string(kTrtDomain);
      const int opset = fused_type == n->op_type ? n->opset : 1;
      auto attrs = n->attrs;
      const std::vector<Value*> inputs = n->inputs;
      const std::string name = n->name;
      attrs["activation"] = Attribute::String(spec->name);
      attrs["activation_params"] = Attribute::Floats(spec->params);
      g.RemoveNode(act_node);
      g.RemoveNode(n);
      removed.push_back(act_node);
      Node* fused = g.AddNode(fused_type, domain, opset, inputs, {out}, name);
      fused->attrs = std::move(attrs);
      changed = true;
    }
    if (changed) g.RemoveUnusedValues();
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseActivationPass() { return std::make_unique<FuseActivationPass>(); }

}  // namespace trt::graph
