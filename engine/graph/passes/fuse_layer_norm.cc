// Pass fuse_layer_norm: recognizes the decomposed layer normalization older exporters emit
// (HF BERT's hand-written LayerNorm, opsets < 17):
//   mu = ReduceMean(X, axes=[-1]); D = Sub(X, mu)        (one Sub, or two identical ones)
//   var = ReduceMean(Pow(D, 2) | Mul(D, D), axes=[-1])
//   Y = Add(Mul(Div(D, Sqrt(Add(var, eps))), gamma), beta)  (commuted operands accepted)
// and replaces it by ai.trtserve LayerNormalization(X, gamma, beta; axis=-1, epsilon=eps).
// It applies only when every intermediate is single-use (and no graph output), eps, gamma
// and beta are constants, and gamma/beta hold one value or one per element of the last dim.
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "engine/graph/passes/pass.h"
#include "engine/graph/passes/pattern.h"

namespace trt::graph {
namespace {

using pattern::IsOp;
using pattern::SoleUser;

struct Match {
  Value* x = nullptr;
  Value* y = nullptr;
  Value* gamma = nullptr;
  Value* beta = nullptr;
  float eps = 0;
  std::vector<Node*> nodes;  // every node of the pattern
};

bool IsSquareOf(const Node* n, const Value* d) {
  if (n->inputs.size() != 2) return false;
  if (IsOp(n, kOnnxDomain, "Mul")) return n->inputs[0] == d && n->inputs[1] == d;
  return IsOp(n, kOnnxDomain, "Pow") && n->inputs[0] == d &&
         pattern::ScalarConstant(n->inputs[1]) == 2.0;
}

// The sole user of `v` if it is ai.onnx `op` reading `v`, else nullptr.
Node* NextOp(const Value* v, std::string_view op) {
  Node* n = SoleUser(v);
  return IsOp(n, kOnnxDomain, op) && n->outputs.size() == 1 ? n : nullptr;
}

// True if `p` (gamma or beta) is a float constant of X's dtype that broadcasts along the
// last axis only: all dims 1 but the last, which is 1 or `c`, and rank <= X's rank.
bool IsAffineParam(const Value* p, DType dtype, int64_t c, size_t x_rank) {
  if (p == nullptr || !p->is_constant() || p->constant->dtype() != dtype) return false;
  const Shape& s = p->constant->shape();
  const int64_t rank = s.rank();
  if (rank > static_cast<int64_t>(x_rank)) return false;
  for (int64_t i = 0; i + 1 < rank; ++i) {
    if (s[i] != 1) return false;
  }
  const int64_t n = p->constant->NumElements();
  return n == c || n == 1;
}

std::optional<Match> MatchAt(Node* mean) {
  if (!pattern::IsReduceMeanLastAxis(mean)) return std::nullopt;
  Match m;
  m.x = mean->inputs[0];
  const Value* mu = mean->outputs[0];
  if (!m.x->shape || m.x->shape->empty() || !m.x->shape->back().is_known()) return std::nullopt;
  if (mu->is_graph_output || mu->uses.empty() || mu->uses.size() > 2) return std::nullopt;
  m.nodes.push_back(mean);
  Node* square = nullptr;
  Node* div = nullptr;
  for (const Use& u : mu->uses) {
    Node* sub = u.node;
    if (!IsOp(sub, kOnnxDomain, "Sub") || u.input_index != 1 || sub->inputs[0] != m.x) {
      return std::nullopt;
    }
    const Value* d = sub->outputs[0];
    if (d->is_graph_output) return std::nullopt;
    m.nodes.push_back(sub);
    for (const Use& du : d->uses) {
      Node* user = du.node;
      Node** slot = nullptr;
      if (IsOp(user, kOnnxDomain, "Div") && du.input_index == 0 && user->inputs[1] != d) {
        slot = &div;
      } else if (IsSquareOf(user, d)) {
        slot = &square;
      } else {
        return std::nullopt;
      }
      if (*slot != nullptr && *slot != user) return std::nullopt;
      *slot = user;
    }
  }
  if (square == nullptr || div == nullptr) return std::nullopt;
  Node* var = SoleUser(square->outputs[0]);
  if (!pattern::IsReduceMeanLastAxis(var) || var->inputs[0] != square->outputs[0]) {
    return std::nullopt;
  }
  Node* add_eps = NextOp(var->outputs[0], "Add");
  if (add_eps == nullptr) return std::nullopt;
  const auto eps = pattern::ScalarConstant(pattern::OtherInput(add_eps, var->outputs[0]));
  if (!eps || !(*eps >= 0)) return std::nullopt;
  Node* sqrt = NextOp(add_eps->outputs[0], "Sqrt");
  if (sqrt == nullptr || SoleUser(sqrt->outputs[0]) != div || div->inputs[1] != sqrt->outputs[0]) {
    return std::nullopt;
  }
  Node* mul = NextOp(div->outputs[0], "Mul");
  if (mul == nullptr) return std::nullopt;
  Node* add = NextOp(mul->outputs[0], "Add");
  if (add == nullptr) return std::nullopt;
  m.gamma = pattern::OtherInput(mul, div->outputs[0]);
  m.beta = pattern::OtherInput(add, mul->outputs[0]);
  const int64_t c = m.x->shape->back().value();
  const size_t rank = m.x->shape->size();
  if (!IsAffineParam(m.gamma, m.x->dtype, c, rank) || !IsAffineParam(m.beta, m.x->dtype, c, rank)) {
    return std::nullopt;
  }
  m.eps = static_cast<float>(*eps);
  m.y = add->outputs[0];
  for (Node* n : {square, var, add_eps, sqrt, div, mul, add}) m.nodes.push_back(n);
  return m;
}

// A [c] constant with p's values (broadcast when p has one element); p itself when it
// already is [c].
Value* AsVector(Graph& g, Value* p, int64_t c, const std::string& base) {
  const Tensor& t = *p->constant;
  if (t.rank() == 1 && t.shape()[0] == c) return p;
  Tensor v(t.dtype(), Shape{c});
  const size_t elem = DTypeSize(t.dtype());
  for (int64_t i = 0; i < c; ++i) {
    const int64_t from = t.NumElements() == 1 ? 0 : i;
    std::memcpy(static_cast<char*>(v.raw_data()) + i * elem,
                static_cast<const char*>(t.raw_data()) + from * elem, elem);
  }
  std::string name = base;
  for (int k = 1; g.FindValue(name) != nullptr; ++k) name = base + "_" + std::to_string(k);
  Value* out = g.AddValue(name);
  out->dtype = t.dtype();
  out->shape = SymShape{Dim(c)};
  out->constant = std::move(v);
  return out;
}

class FuseLayerNormPass final : public Pass {
 public:
  std::string_view Name() const override { return "fuse_layer_norm"; }
  std::string_view Description() const override {
    return "replaces the decomposed ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add layer norm by "
           "LayerNormalization";
  }

  StatusOr<bool> Run(Graph& g, const PassContext&) override {
    bool changed = false;
    // Re-scan after every rewrite: a rewrite removes nodes the snapshot would still list.
    for (bool again = true; again;) {
      again = false;
      for (Node* n : g.nodes()) {
        auto m = MatchAt(n);
        if (!m) continue;
        const int64_t c = m->x->shape->back().value();
        const std::string name = m->y->name;
        Value* gamma = AsVector(g, m->gamma, c, name + "_ln_scale");
        Value* beta = AsVector(g, m->beta, c, name + "_ln_bias");
        for (Node* dead : m->nodes) g.RemoveNode(dead);
        Node* ln = g.AddNode("LayerNormalization", std::string(kTrtDomain), 1, {m->x, gamma, beta},
                             {m->y}, name + "_layer_norm");
        ln->attrs["axis"] = Attribute::Int(-1);
        ln->attrs["epsilon"] = Attribute::Float(m->eps);
        g.RemoveUnusedValues();
        changed = again = true;
        break;
      }
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> CreateFuseLayerNormPass() { return std::make_unique<FuseLayerNormPass>(); }

}  // namespace trt::graph
