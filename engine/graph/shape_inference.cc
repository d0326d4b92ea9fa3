// Shape inference driver: walks the nodes in order, dispatches to the per-op table and
// merges the inferred types with the types the model declares. See shape_inference.h.
#include "engine/graph/shape_inference.h"

#include <map>
#include <utility>

#include "engine/base/logging.h"

namespace trt::graph {
namespace {

struct DeclaredType {
  DType dtype = DType::kUndefined;
  std::optional<SymShape> shape;
};

const std::map<std::string, InferFn, std::less<>>& Table() {
  static const auto* table = [] {
    InferTable t;
    RegisterElementwiseInfer(t);
    RegisterConvPoolInfer(t);
    RegisterShapeOpsInfer(t);
    RegisterDataMovementInfer(t);
    RegisterReduceIndexInfer(t);
    RegisterLinalgNormInfer(t);
    RegisterControlFlowInfer(t);
    RegisterQuantizedInfer(t);
    RegisterFusedInfer(t);
    RegisterFusedOpsInfer(t);
    return new std::map<std::string, InferFn, std::less<>>(t.begin(), t.end());
  }();
  return *table;
}

std::string TypeOf(DType dtype, const std::optional<SymShape>& shape) {
  std::string s(DTypeName(dtype));
  return s + (shape ? SymShapeToString(*shape) : std::string("[?]"));
}

// Combines the inferred type already stored in `v` with the declared one. Exporters do get
// value_info wrong (the ONNX backend suite itself has such models), and what runs is decided
// by the kernels, so a conflict is a warning and the inferred type, derived from the op
// semantics, is kept.
Status MergeDeclared(const Node& n, Value* v, const DeclaredType& d) {
  auto conflict = [&]() {
    TRT_LOG_WARN("{}: output '{}' is declared as {} but inferred as {}; using the inferred type",
                 n.Describe(), v->name,
                 TypeOf(d.dtype == DType::kUndefined ? v->dtype : d.dtype, d.shape),
                 TypeOf(v->dtype, v->shape));
    return Status::Ok();
  };
  if (d.dtype != DType::kUndefined) {
    if (v->dtype == DType::kUndefined) {
      v->dtype = d.dtype;
    } else if (v->dtype != d.dtype) {
      return conflict();
    }
  }
  if (!d.shape) return Status::Ok();
  if (!v->shape) {
    v->shape = d.shape;
    return Status::Ok();
  }
  if (v->shape->size() != d.shape->size()) return conflict();
  for (size_t i = 0; i < d.shape->size(); ++i) {
    Dim& inferred = (*v->shape)[i];
    const Dim& declared = (*d.shape)[i];
    if (inferred.is_known() && declared.is_known() && inferred != declared) return conflict();
    if (inferred.HasUnknown()) inferred = declared;
  }
  return Status::Ok();
}

// Gives outer-scope captures the types of the values they name in enclosing graphs.
void ResolveCaptures(Graph& g) {
  for (Value* c : g.outer_scope_values()) {
    for (const Graph* p = g.parent(); p != nullptr; p = p->parent()) {
      const Value* src = p->FindValue(c->name);
      if (!src) continue;
      c->dtype = src->dtype;
      c->shape = src->shape;
      c->sym_value = SymIntsOf(*src);
      break;
    }
  }
}

}  // namespace

InferFn FindInferFn(std::string_view domain, std::string_view op_type) {
  std::string key(domain);
  key += ':';
  key += op_type;
  const auto& t = Table();
  auto it = t.find(key);
  return it == t.end() ? nullptr : it->second;
}

Status InferShapes(Graph& g) {
  ResolveCaptures(g);
  for (Node* n : g.nodes()) {
    std::vector<DeclaredType> declared(n->outputs.size());
    for (size_t i = 0; i < n->outputs.size(); ++i) {
      Value* v = n->outputs[i];
      if (!v) continue;
      declared[i] = {v->dtype, v->shape};
      v->dtype = DType::kUndefined;
      v->shape.reset();
      v->sym_value.reset();
    }
    if (InferFn fn = FindInferFn(n->domain, n->op_type)) {
      InferContext ctx(*n);
      TRT_RETURN_IF_ERROR(fn(ctx));
    }
    for (size_t i = 0; i < n->outputs.size(); ++i) {
      if (n->outputs[i]) TRT_RETURN_IF_ERROR(MergeDeclared(*n, n->outputs[i], declared[i]));
    }
  }
  return Status::Ok();
}

Status InferShapes(Model& m) {
  if (!m.graph) return InvalidArgument("model '" + m.name + "' has no graph");
  return InferShapes(*m.graph).WithContext("model '" + m.name + "'");
}

}  // namespace trt::graph
