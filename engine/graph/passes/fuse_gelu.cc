// Pass fuse_gelu: recognizes GELU written out elementwise and replaces it by one node.
//   exact: x * 0.5 * (1 + Erf(x / sqrt(2)))   -> com.microsoft Gelu
//   tanh:  0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
//                                             -> ai.trtserve Gelu(approximate="tanh")
// The scaling of x before Erf may be Div(x, 1.4142135) or Mul(x, 0.70710678); the 0.5 may
// multiply x, (1 + Erf(.)) or the product; x^3 may be Pow(x, 3) or Mul(x, Mul(x, x)).
// Operands of Add/Mul may come in either order. Constants are scalars or 1-element tensors
// compared with a tolerance of 1e-4. Every intermediate must be single-use.
#include <optional>
#include <string>
#include <vector>

#include "engine/graph/passes/pass.h"
#include "engine/graph/passes/pattern.h"

namespace trt::graph {
namespace {

using pattern::IsOp;
using pattern::IsScalarNear;
using pattern::OtherInput;
using pattern::SoleUser;

constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kSqrt2OverPi = 0.7978845608028654;

struct Match {
  Value* x = nullptr;
  Value* y = nullptr;
  bool tanh = false;
  std::vector<Node*> nodes;
};

bool IsBinary(const Node* n, std::string_view op) {
  return IsOp(n, kOnnxDomain, op) && n->inputs.size() == 2 && n->outputs.size() == 1;
}

// The single-use ai.onnx `op` node that reads `v`.
Node* NextOp(const Value* v, std::string_view op) {
  Node* n = SoleUser(v);
  return IsOp(n, kOnnxDomain, op) && n->outputs.size() == 1 ? n : nullptr;
}

// The binary `op` producing `v`, if `v` is used only by that chain.
Node* SingleUseProducer(const Value* v, std::string_view op) {
  if (v == nullptr || SoleUser(v) == nullptr) return nullptr;
  return IsBinary(v->producer, op) ? v->producer : nullptr;
}

// x / sqrt(2) feeding Erf: returns x.
Value* MatchErfArg(const Value* arg, std::vector<Node*>* nodes) {
  if (Node* div = SingleUseProducer(arg, "Div")) {
    if (!IsScalarNear(div->inputs[1], kSqrt2)) return nullptr;
    nodes->push_back(div);
    return div->inputs[0];
  }
  if (Node* mul = SingleUseProducer(arg, "Mul")) {
    for (int i = 0; i < 2; ++i) {
      if (IsScalarNear(mul->inputs[1 - i], 1 / kSqrt2)) {
        nodes->push_back(mul);
        return mul->inputs[i];
      }
    }
  }
  return nullptr;
}

// x^3 as Pow(x, 3), Mul(x, Mul(x, x)) or Mul(Mul(x, x), x): true if `v` is that of x.
bool MatchCube(const Value* v, const Value* x, std::vector<Node*>* nodes) {
  if (Node* pow = SingleUseProducer(v, "Pow")) {
    if (pow->inputs[0] != x || !IsScalarNear(pow->inputs[1], 3.0, 0.0)) return false;
    nodes->push_back(pow);
    return true;
  }
  Node* mul = SingleUseProducer(v, "Mul");
  if (mul == nullptr) return false;
  const Value* sq = OtherInput(mul, x);
  Node* sq_node = SingleUseProducer(sq, "Mul");
  if (sq_node == nullptr || sq_node->inputs[0] != x || sq_node->inputs[1] != x) return false;
  nodes->push_back(mul);
  nodes->push_back(sq_node);
  return true;
}

// sqrt(2/pi) * (x + 0.044715 * x^3) feeding Tanh: returns x.
Value* MatchTanhArg(const Value* arg, std::vector<Node*>* nodes) {
  Node* scale = SingleUseProducer(arg, "Mul");
  if (scale == nullptr) return nullptr;
  for (int i = 0; i < 2; ++i) {
    if (!IsScalarNear(scale->inputs[1 - i], kSqrt2OverPi)) continue;
    Node* add = SingleUseProducer(scale->inputs[i], "Add");
    if (add == nullptr) return nullptr;
    for (int j = 0; j < 2; ++j) {
      Value* x = add->inputs[j];
      Node* coef = SingleUseProducer(add->inputs[1 - j], "Mul");
      if (coef == nullptr) continue;
      for (int k = 0; k < 2; ++k) {
        if (!IsScalarNear(coef->inputs[1 - k], 0.044715)) continue;
        std::vector<Node*> cube;
        if (!MatchCube(coef->inputs[k], x, &cube)) continue;
        nodes->insert(nodes->end(), {scale, add, coef});
        nodes->insert(nodes->end(), cube.begin(), cube.end());
        return x;
      }
    }
  }
  return nullptr;
}

// From `one_plus` = 1 + Erf/Tanh(.), matches the multiplications by x and 0.5 and returns
// the final output.
Value* MatchTail(Value* one_plus, Value* x, std::vector<Node*>* nodes) {
  Node* m1 = NextOp(one_plus, "Mul");
  if (m1 == nullptr || m1->inputs.size() != 2) return nullptr;
  Value* other = OtherInput(m1, one_plus);
  if (other == x) {  // (x * (1 + e)) * 0.5
    Node* m2 = NextOp(m1->outputs[0], "Mul");
    if (m2 == nullptr || !IsScalarNear(OtherInput(m2, m1->outputs[0]), 0.5)) return nullptr;
    nodes->insert(nodes->end(), {m1, m2});
    return m2->outputs[0];
  }
  if (IsScalarNear(other, 0.5)) {  // x * ((1 + e) * 0.5)
    Node* m2 = NextOp(m1->outputs[0], "Mul");
    if (m2 == nullptr || OtherInput(m2, m1->outputs[0]) != x) return nullptr;
    nodes->insert(nodes->end(), {m1, m2});
    return m2->outputs[0];
  }
  Node* half = SingleUseProducer(other, "Mul");  // (x * 0.5) * (1 + e)
  if (half == nullptr || !IsScalarNear(OtherInput(half, x), 0.5)) return nullptr;
  nodes->insert(nodes->end(), {half, m1});
  return m1->outputs[0];
}

std::optional<Match> MatchAt(Node* n) {
  const bool is_erf = IsOp(n, kOnnxDomain, "Erf");
  if ((!is_erf && !IsOp(n, kOnnxDomain, "Tanh")) || n->inputs.size() != 1) return std::nullopt;
  Match m;
  m.tanh = !is_erf;
  m.x = is_erf ? MatchErfArg(n->inputs[0], &m.nodes) : MatchTanhArg(n->inputs[0], &m.nodes);
  if (m.x == nullptr) return std::nullopt;
  Node* add = NextOp(n->outputs[0], "Add");
  if (add == nullptr || !IsScalarNear(OtherInput(add, n->outputs[0]), 1.0)) return std::nullopt;
  m.nodes.insert(m.nodes.end(), {n, add});
  m.y = MatchTail(add->outputs[0], m.x, &m.nodes);
  if (m.y == nullptr) return std::nullopt;
  return m;
}

class FuseGeluPass final : public Pass {
 public:
  std::string_view Name() const override { return "fuse_gelu"; }
  std::string_view Description() const override {
    return "replaces x * 0.5 * (1 + Erf(x / sqrt(2))) and its tanh approximation by Gelu";
  }

  StatusOr<bool> Run(Graph& g, const PassContext&) override {
    bool changed = false;
    // Re-scan after every rewrite: a rewrite removes nodes the snapshot would still list.
    for (bool again = true; again;) {
      again = false;
      for (Node* n : g.nodes()) {
        auto m = MatchAt(n);
        if (!m) continue;
        for (Node* dead : m->nodes) g.RemoveNode(dead);
        const std::string name = m->y->name + "_gelu";
        if (m->tanh) {
          Node* gelu = g.AddNode("Gelu", std::string(kTrtDomain), 1, {m->x}, {m->y}, name);
          gelu->attrs["approximate"] = Attribute::String("tanh");
        } else {
          g.AddNode("Gelu", std::string(kMsDomain), 1, {m->x}, {m->y}, name);
        }
        g.RemoveUnusedValues();
        changed = again = true;
        break;
      }
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseGeluPass() { return std::make_unique<FuseGeluPass>(); }

}  // namespace trt::graph
