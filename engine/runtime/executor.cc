// The reference executor: binding validation plus RunProgram on the heap.
#include "engine/runtime/executor.h"

#include "engine/runtime/bindings.h"
#include "engine/runtime/program.h"

namespace trt::runtime {

using graph::Graph;
using graph::Value;

Executor::~Executor() = default;

StatusOr<std::unique_ptr<Executor>> Executor::Create(std::shared_ptr<const graph::Model> model,
                                                     ExecutorOptions options) {
  std::unique_ptr<Executor> e(new Executor());
  e->model_ = std::move(model);
  const Isa isa =
      static_cast<int>(options.isa) <= static_cast<int>(ActiveIsa()) ? options.isa : ActiveIsa();
  auto prog = GraphProgram::Build(*e->model_->graph, isa);
  if (!prog.ok()) return prog.status().WithContext("model '" + e->model_->name + "'");
  e->root_ = std::move(prog).value();
  if (options.num_threads > 1) e->pool_ = std::make_unique<ThreadPool>(options.num_threads);
  return e;
}

Status Executor::ValidateInputs(const NamedTensors& inputs) const {
  return ValidateBindings(*model_, inputs);
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
  std::vector<Tensor> outs;
  Status s = RunProgram(*root_, slots, ordered, nullptr, options, &outs);
  if (!s.ok()) return s.WithContext("model '" + model_->name + "'");
  NamedTensors result;
  for (size_t i = 0; i < g.outputs().size(); ++i) {
    result.emplace_back(g.outputs()[i]->name, std::move(outs[i]));
  }
  return result;
}

}  // namespace trt::runtime
