// Matching helpers for the fusion passes: sole-user checks, scalar constants and
// Reduce axes (pattern.h).
#include "engine/graph/passes/pattern.h"

#include <cmath>

#include "engine/graph/passes/graph_edit.h"

namespace trt::graph::pattern {

bool IsOp(const Node* n, std::string_view domain, std::string_view op_type) {
  return n != nullptr && n->domain == domain && n->op_type == op_type;
}

Node* SoleUser(const Value* v) {
  if (v == nullptr || v->is_graph_output || v->uses.empty()) return nullptr;
  Node* user = v->uses.front().node;
  for (const Use& u : v->uses) {
    if (u.node != user) return nullptr;
  }
  // If/Loop/Scan bodies read enclosing values by name, invisible in use lists.
  if (user->owner != nullptr && CapturedNames(*user->owner).count(v->name)) return nullptr;
  return user;
}

std::optional<double> ScalarConstant(const Value* v) {
  if (v == nullptr || !v->is_constant() || v->constant->NumElements() != 1) return std::nullopt;
  const Tensor& t = *v->constant;
  switch (t.dtype()) {
    case DType::kFloat32:
      return t.data<float>()[0];
    case DType::kFloat64:
      return t.data<double>()[0];
    case DType::kFloat16:
      return static_cast<float>(t.data<Float16>()[0]);
    case DType::kBFloat16:
      return static_cast<float>(t.data<BFloat16>()[0]);
    default:
      return std::nullopt;
  }
}

bool IsScalarNear(const Value* v, double expected, double tol) {
  const auto c = ScalarConstant(v);
  return c && std::fabs(*c - expected) <= tol;
}

Value* OtherInput(const Node* n, const Value* v) {
  if (n == nullptr || n->inputs.size() != 2) return nullptr;
  if (n->inputs[0] == v) return n->inputs[1];
  if (n->inputs[1] == v) return n->inputs[0];
  return nullptr;
}

std::optional<std::vector<int64_t>> ReduceAxes(const Node* n) {
  if (const Attribute* a = n->FindAttr("axes")) return a->ints;
  if (n->inputs.size() < 2 || n->inputs[1] == nullptr) return std::nullopt;
  const Value* axes = n->inputs[1];
  if (!axes->is_constant() || axes->constant->dtype() != DType::kInt64) return std::nullopt;
  const Tensor& t = *axes->constant;
  return std::vector<int64_t>(t.data<int64_t>(), t.data<int64_t>() + t.NumElements());
}

bool IsReduceMeanLastAxis(const Node* n) {
  if (!IsOp(n, kOnnxDomain, "ReduceMean") || n->inputs.empty() || n->outputs.size() != 1) {
    return false;
  }
  const Attribute* keep = n->FindAttr("keepdims");
  if (keep != nullptr && keep->i != 1) return false;
  const auto axes = ReduceAxes(n);
  if (!axes || axes->size() != 1) return false;
  if ((*axes)[0] == -1) return true;
  const Value* x = n->inputs[0];
  return x->shape && (*axes)[0] == static_cast<int64_t>(x->shape->size()) - 1;
}

}  // namespace trt::graph::pattern
