// The reference executor: binding validation plus RunProgram on the heap.
#include "engine/runtime/executor.h"

#include "engine/runtime/program.h"

namespace trt::runtime {

using graph::Graph;
using graph::Value;

Executor::~Executor() = default;

StatusOr<std::unique_ptr<Executor>> Executor::Create(std::shared_ptr<const graph::Model> model,
                                                     ExecutorOptions options) {
  std::unique_ptr<Executor> e(new Executor());
  e->model_ = std::move(model);
  auto prog = GraphProgram::Build(*e->model_->graph);
  if (!prog.ok()) return prog.status().WithContext("model '" + e->model_->name + "'");
  e->root_ = std::move(prog).value();
  if (options.num_threads > 1) e->pool_ = std::make_unique<ThreadPool>(options.num_threads);
  return e;
}

Status Executor::ValidateInputs(const NamedTensors& inputs) const {
  const Graph& g = *model_->graph;
  const std::string where = "model '" + model_->name + "'";
  std::map<std::string, std::pair<int64_t, std::string>> bound;  // symbol -> (value, by whom)
  for (const auto& [name, t] : inputs) {
    bool known = false;
    for (const Value* v : g.inputs()) known |= v->name == name;
    if (!known) {
      std::string expected;
      for (const Value* v : g.inputs()) expected += (expected.empty() ? "" : ", ") + v->name;
      return InvalidArgument(where + ": unexpected input '" + name +
                             "'; the model's inputs are: " + expected);
    }
  }
  for (const Value* v : g.inputs()) {
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

StatusOr<NamedTensors> Executor::Run(const NamedTensors& inputs) const {
  TRT_RETURN_IF_ERROR(ValidateInputs(inputs));
  const Graph& g = *model_->graph;
  std::vector<Tensor> ordered;
  for (const Value* v : g.inputs()) {
    for (const auto& [name, t] : inputs) {
      if (name == v->name) ordered.push_back(t);
    }
  }
  std::vector<Tensor> slots;
  RunOptions options;
  options.pool = pool_.get();
  auto outs = RunProgram(*root_, slots, ordered, nullptr, options);
  if (!outs.ok()) return outs.status().WithContext("model '" + model_->name + "'");
  NamedTensors result;
  for (size_t i = 0; i < g.outputs().size(); ++i) {
    result.emplace_back(g.outputs()[i]->name, std::move((*outs)[i]));
  }
  return result;
}

}  // namespace trt::runtime
