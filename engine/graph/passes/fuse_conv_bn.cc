// fuse_conv_bn: folds an inference BatchNormalization into the Conv or ConvTranspose that
// feeds it (constant weights, the conv output read only by the BN):
//   W'[o, ...] = W[o, ...] * s[o],  B'[o] = (B[o] - mean[o]) * s[o] + beta[o],
//   s = scale / sqrt(var + epsilon), computed in double and rounded once.
#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/graph/passes/graph_edit.h"
#include "engine/graph/passes/pass.h"

namespace trt::graph {
namespace {

const Tensor* ConstantOf(const Node& n, size_t i) {
  if (i >= n.inputs.size() || !n.inputs[i] || !n.inputs[i]->constant) return nullptr;
  return &*n.inputs[i]->constant;
}

bool IsInferenceBatchNorm(const Node& bn) {
  if (!bn.domain.empty() || bn.op_type != "BatchNormalization" || bn.inputs.size() != 5) {
    return false;
  }
  for (size_t i = 1; i < bn.outputs.size(); ++i) {
    const Value* v = bn.outputs[i];
    if (v && (!v->uses.empty() || v->is_graph_output)) return false;  // training statistics
  }
  if (AttrIntOr(bn, "training_mode", 0) != 0) return false;
  if (bn.opset < 9 && AttrIntOr(bn, "spatial", 1) != 1) return false;
  if (bn.opset < 7 && AttrIntOr(bn, "is_test", 0) == 0) return false;
  return bn.outputs.size() >= 1 && bn.outputs[0] != nullptr;
}

float AttrFloatOr(const Node& n, std::string_view name, float def) {
  const Attribute* a = n.FindAttr(name);
  return a && a->kind == Attribute::Kind::kFloat ? a->f : def;
}

// Per-channel factors s and the folded bias, or false if the parameters do not fit `m`
// output channels of element type `dtype`.
bool FoldFactors(const Node& bn, const Tensor* conv_bias, int64_t m, DType dtype,
                 std::vector<double>* s, std::vector<double>* bias) {
  const Tensor* params[4];
  for (int i = 0; i < 4; ++i) {
    params[i] = ConstantOf(bn, i + 1);
    if (!params[i] || params[i]->dtype() != dtype || params[i]->NumElements() != m) return false;
  }
  if (conv_bias && (conv_bias->dtype() != dtype || conv_bias->NumElements() != m)) return false;
  const double eps = AttrFloatOr(bn, "epsilon", 1e-5f);
  s->resize(m);
  bias->resize(m);
  for (int64_t o = 0; o < m; ++o) {
    const double scale = params[0]->GetAsDouble(o), beta = params[1]->GetAsDouble(o);
    const double mean = params[2]->GetAsDouble(o), var = params[3]->GetAsDouble(o);
    (*s)[o] = scale / std::sqrt(var + eps);
    const double b = conv_bias ? conv_bias->GetAsDouble(o) : 0.0;
    (*bias)[o] = (b - mean) * (*s)[o] + beta;
  }
  return true;
}

template <typename T>
Tensor ScaleWeights(const Tensor& w, const std::vector<double>& s, bool transposed, int64_t group) {
  Tensor out = w.Clone();
  const int64_t d0 = w.shape()[0], d1 = w.shape()[1];
  const int64_t inner = w.NumElements() / (d0 * d1);
  T* p = out.data<T>();
  for (int64_t a = 0; a < d0; ++a) {
    for (int64_t b = 0; b < d1; ++b) {
      // Conv: W[M, C/g, ...], channel a. ConvTranspose: W[C, M/g, ...], channel
      // (a / (C/g)) * (M/g) + b.
      const int64_t o = transposed ? (a / (d0 / group)) * d1 + b : a;
      T* row = p + (a * d1 + b) * inner;
      for (int64_t i = 0; i < inner; ++i) row[i] = static_cast<T>(row[i] * s[o]);
    }
  }
  return out;
}

template <typename T>
Tensor MakeBias(const std::vector<double>& b) {
  std::vector<T> v(b.begin(), b.end());
  return Tensor::FromVector(v);
}

// Folds bn into conv; returns false (graph unchanged) when the pattern does not apply.
// Adds the removed BatchNormalization to *removed.
bool TryFuse(Graph& g, Node* conv, const std::set<std::string, std::less<>>& captured,
             std::set<const Node*>* removed) {
  const bool transposed = conv->op_type == "ConvTranspose";
  if (!conv->domain.empty() || (conv->op_type != "Conv" && !transposed)) return false;
  if (conv->inputs.size() < 2 || conv->outputs.size() != 1 || !conv->outputs[0]) return false;
  const Tensor* w = ConstantOf(*conv, 1);
  const Tensor* b = ConstantOf(*conv, 2);
  if (!w || w->rank() < 3) return false;
  if (conv->inputs.size() > 2 && conv->inputs[2] && !b) return false;  // runtime bias
  if (w->dtype() != DType::kFloat32 && w->dtype() != DType::kFloat64) return false;
  Node* bn = SoleConsumer(*conv->outputs[0], captured);
  if (!bn || bn->inputs[0] != conv->outputs[0] || !IsInferenceBatchNorm(*bn)) return false;
  const int64_t group = AttrIntOr(*conv, "group", 1);
  if (group < 1 || w->shape()[0] % group != 0) return false;
  const int64_t m = transposed ? w->shape()[1] * group : w->shape()[0];
  std::vector<double> s, bias;
  if (!FoldFactors(*bn, b, m, w->dtype(), &s, &bias)) return false;
  const bool f32 = w->dtype() == DType::kFloat32;
  Tensor new_w = f32 ? ScaleWeights<float>(*w, s, transposed, group)
                     : ScaleWeights<double>(*w, s, transposed, group);
  Tensor new_b = f32 ? MakeBias<float>(bias) : MakeBias<double>(bias);
  const std::string base = conv->name.empty() ? conv->outputs[0]->name : conv->name;
  Value* wv = AddConstant(g, base + "_bn_weight", std::move(new_w));
  Value* bv = AddConstant(g, base + "_bn_bias", std::move(new_b));
  Value* y = bn->outputs[0];
  removed->insert(bn);
  g.RemoveNode(bn);
  g.SetNodeInput(conv, 1, wv);
  if (conv->inputs.size() < 3) {
    conv->inputs.push_back(nullptr);
  }
  g.SetNodeInput(conv, 2, bv);
  MoveOutput(g, conv, 0, y);
  return true;
}

class FuseConvBnPass final : public Pass {
 public:
  std::string_view Name() const override { return "fuse_conv_bn"; }
  std::string_view Description() const override {
    return "folds inference BatchNormalization into the preceding Conv/ConvTranspose weights";
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

std::unique_ptr<Pass> CreateFuseConvBnPass() { return std::make_unique<FuseConvBnPass>(); }

}  // namespace trt::graph
