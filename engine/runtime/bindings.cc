// Binding validation shared by the reference executor and execution contexts. The success
// path performs no heap allocation (it runs on every request); messages are built only on
// failure.
#include "engine/runtime/bindings.h"

namespace trt::runtime {
namespace {

const Tensor* FindInput(const NamedTensors& inputs, const std::string& name, int* count) {
  const Tensor* t = nullptr;
  *count = 0;
  for (const auto& [n, tensor] : inputs) {
    if (n == name) {
      t = &tensor;
      ++*count;
    }
  }
  return t;
}

// A named (not anonymous) symbolic dim that inputs must agree on.
bool IsSharedSymbol(const graph::Dim& d) { return d.is_symbol() && !d.HasUnknown(); }

}  // namespace

Status ValidateBindings(const graph::Model& model, const NamedTensors& inputs) {
  const graph::Graph& g = *model.graph;
  auto where = [&] { return "model '" + model.name + "'"; };
  for (const auto& [name, t] : inputs) {
    bool known = false;
    for (const graph::Value* v : g.inputs()) known |= v->name == name;
    if (!known) {
      std::string expected;
      for (const graph::Value* v : g.inputs()) expected += (expected.empty() ? "" : ", ") + v->name;
      return InvalidArgument(where() + ": unexpected input '" + name +
                             "'; the model's inputs are: " + expected);
    }
  }
  const auto& graph_inputs = g.inputs();
  for (size_t vi = 0; vi < graph_inputs.size(); ++vi) {
    const graph::Value* v = graph_inputs[vi];
    int count = 0;
    const Tensor* t = FindInput(inputs, v->name, &count);
    if (count > 1) return InvalidArgument(where() + ": input '" + v->name + "' given twice");
    if (!t) {
      return InvalidArgument(where() + ": missing input '" + v->name + "' (expected " +
                             v->TypeString() + ")");
    }
    if (v->dtype != DType::kUndefined && t->dtype() != v->dtype) {
      return InvalidArgument(where() + ": input '" + v->name + "' has dtype " +
                             std::string(DTypeName(t->dtype())) + ", expected " +
                             std::string(DTypeName(v->dtype)));
    }
    if (!v->shape) continue;
    const auto& s = *v->shape;
    if (static_cast<int>(s.size()) != t->rank()) {
      return InvalidArgument(where() + ": input '" + v->name + "' has shape " +
                             t->shape().ToString() + " (rank " + std::to_string(t->rank()) +
                             "), expected rank " + std::to_string(s.size()) + " " +
                             graph::SymShapeToString(s));
    }
    for (size_t d = 0; d < s.size(); ++d) {
      const int64_t actual = t->shape()[d];
      if (s[d].is_known()) {
        if (s[d].value() != actual) {
          return InvalidArgument(where() + ": input '" + v->name + "' has shape " +
                                 t->shape().ToString() + ", expected " +
                                 graph::SymShapeToString(s) + " (dim " + std::to_string(d) +
                                 " must be " + std::to_string(s[d].value()) + ")");
        }
        continue;
      }
      if (!IsSharedSymbol(s[d])) continue;
      // Compare with the first earlier input dim carrying the same symbol.
      for (size_t pi = 0; pi < vi; ++pi) {
        const graph::Value* p = graph_inputs[pi];
        if (!p->shape) continue;
        int pc = 0;
        const Tensor* pt = FindInput(inputs, p->name, &pc);
        for (size_t pd = 0; pd < p->shape->size(); ++pd) {
          if ((*p->shape)[pd] != s[d] || pt->shape()[pd] == actual) continue;
          const std::string sym = s[d].ToString();
          return InvalidArgument(where() + ": input '" + v->name + "' dim " + std::to_string(d) +
                                 " ('" + sym + "') is " + std::to_string(actual) + " but input '" +
                                 p->name + "' has " + sym + "=" + std::to_string(pt->shape()[pd]));
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace trt::runtime
