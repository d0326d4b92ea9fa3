// Binding validation shared by the reference executor and execution contexts.
#include "engine/runtime/bindings.h"

#include <map>

namespace trt::runtime {

Status ValidateBindings(const graph::Model& model, const NamedTensors& inputs) {
  const graph::Graph& g = *model.graph;
  const std::string where = "model '" + model.name + "'";
  std::map<std::string, std::pair<int64_t, std::string>> bound;  // symbol -> (value, by whom)
  for (const auto& [name, t] : inputs) {
    bool known = false;
    for (const graph::Value* v : g.inputs()) known |= v->name == name;
    if (!known) {
      std::string expected;
      for (const graph::Value* v : g.inputs()) expected += (expected.empty() ? "" : ", ") + v->name;
      return InvalidArgument(where + ": unexpected input '" + name +
                             "'; the model's inputs are: " + expected);
    }
  }
  for (const graph::Value* v : g.inputs()) {
    const Tensor* t = nullptr;
    int count = 0;
    for (const auto& [name, tensor] : inputs) {
      if (name == v->name) {
        t = &tensor;
        ++count;
      }
    }
    if (count > 1) return InvalidArgument(where + ": input '" + v->name + "' given twice");
    if (!t) {
      return InvalidArgument(where + ": missing input '" + v->name + "' (expected " +
                             v->TypeString() + ")");
    }
    if (v->dtype != DType::kUndefined && t->dtype() != v->dtype) {
      return InvalidArgument(where + ": input '" + v->name + "' has dtype " +
                             std::string(DTypeName(t->dtype())) + ", expected " +
                             std::string(DTypeName(v->dtype)));
    }
    if (!v->shape) continue;
    const auto& s = *v->shape;
    if (static_cast<int>(s.size()) != t->rank()) {
      return InvalidArgument(where + ": input '" + v->name + "' has shape " +
                             t->shape().ToString() + " (rank " + std::to_string(t->rank()) +
                             "), expected rank " + std::to_string(s.size()) + " " +
                             graph::SymShapeToString(s));
    }
    for (size_t d = 0; d < s.size(); ++d) {
      const int64_t actual = t->shape()[d];
      if (s[d].is_known()) {
        if (s[d].value() != actual) {
          return InvalidArgument(where + ": input '" + v->name + "' has shape " +
                                 t->shape().ToString() + ", expected " +
                                 graph::SymShapeToString(s) + " (dim " + std::to_string(d) +
                                 " must be " + std::to_string(s[d].value()) + ")");
        }
      } else if (s[d].is_symbol() && s[d].ToString()[0] != '?') {
        auto [it, inserted] = bound.emplace(s[d].ToString(), std::make_pair(actual, v->name));
        if (!inserted && it->second.first != actual) {
          return InvalidArgument(where + ": input '" + v->name + "' dim " + std::to_string(d) +
                                 " ('" + it->first + "') is " + std::to_string(actual) +
                                 " but input '" + it->second.second + "' has " + it->first + "=" +
                                 std::to_string(it->second.first));
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace trt::runtime
