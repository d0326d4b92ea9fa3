#include "engine/runtime/executor.h"

#include <unordered_map>

#include "engine/kernels/registry.h"

namespace trt::runtime {

using graph::Graph;
using graph::Node;
using graph::Value;

// Kernels and slot layout of one graph (the root or a subgraph).
class GraphProgram {
 public:
  struct Step {
    const Node* node;
    kernels::KernelPtr kernel;
    std::unique_ptr<kernels::KernelInfo> info;
    std::vector<int> inputs;   // slot per input, -1 absent
    std::vector<int> outputs;  // slot per output, -1 absent
    std::vector<int> release;  // slots whose last use is this step
  };

  static StatusOr<std::unique_ptr<GraphProgram>> Build(const Graph& g);

  const Graph* graph = nullptr;
  std::unordered_map<const Value*, int> slot_of;
  std::unordered_map<std::string, int> slot_by_name;
  std::vector<const Value*> slot_values;
  std::vector<Step> steps;
  std::unordered_map<const Graph*, std::unique_ptr<GraphProgram>> subprograms;
};

namespace {

// Values visible to a running graph: its slots plus the enclosing scopes.
struct Scope {
  const GraphProgram* program;
  std::vector<Tensor>* slots;
  const Scope* parent;

  const Tensor* Lookup(const std::string& name) const {
    for (const Scope* s = this; s != nullptr; s = s->parent) {
      auto it = s->program->slot_by_name.find(name);
      if (it != s->program->slot_by_name.end()) {
        const Value* v = s->program->slot_values[it->second];
        if (v->is_outer_scope) continue;  // a capture: keep looking outward
        const Tensor& t = (*s->slots)[it->second];
        if (t.defined()) return &t;
      }
    }
    return nullptr;
  }
};

StatusOr<std::vector<Tensor>> RunProgram(const GraphProgram& p, const std::vector<Tensor>& inputs,
                                         const Scope* parent, ThreadPool* pool);

class Context final : public kernels::KernelContext, public kernels::SubgraphRunner {
 public:
  Context(const GraphProgram& p, const GraphProgram::Step& step, std::vector<Tensor>& slots,
          const Scope& scope, ThreadPool* pool)
      : p_(p), step_(step), slots_(slots), scope_(scope), pool_(pool) {}

  const kernels::KernelInfo& info() const override { return *step_.info; }
  int num_inputs() const override { return static_cast<int>(step_.inputs.size()); }
  const Tensor* Input(int i) const override {
    if (i < 0 || i >= num_inputs() || step_.inputs[i] < 0) return nullptr;
    const Tensor& t = slots_[step_.inputs[i]];
    return t.defined() ? &t : nullptr;
  }
  int num_outputs() const override { return static_cast<int>(step_.outputs.size()); }
  bool OutputRequested(int i) const override {
    return i >= 0 && i < num_outputs() && step_.outputs[i] >= 0;
  }
  StatusOr<Tensor*> AllocateOutput(int i, DType dtype, const Shape& shape) override {
    if (!OutputRequested(i)) {  // omitted output: give the kernel scratch space
      scratch_.resize(std::max<size_t>(scratch_.size(), num_outputs()));
      TRT_ASSIGN_OR_RETURN(scratch_[i], Tensor::Allocate(dtype, shape));
      return &scratch_[i];
    }
    auto t = Tensor::Allocate(dtype, shape);
    if (!t.ok())
      return t.status().WithContext(step_.node->Describe() + " output " + std::to_string(i));
    slots_[step_.outputs[i]] = std::move(t).value();
    return &slots_[step_.outputs[i]];
  }
  void SetOutput(int i, Tensor t) override {
    if (OutputRequested(i)) slots_[step_.outputs[i]] = std::move(t);
  }
  ThreadPool* thread_pool() override { return pool_; }
  kernels::SubgraphRunner* subgraphs() override { return this; }

  StatusOr<std::vector<Tensor>> Run(const Graph& subgraph,
                                    const std::vector<Tensor>& inputs) override {
    auto it = p_.subprograms.find(&subgraph);
    if (it == p_.subprograms.end()) {
      return Internal(step_.node->Describe() + ": subgraph '" + subgraph.name + "' not prepared");
    }
    return RunProgram(*it->second, inputs, &scope_, pool_);
  }

 private:
  const GraphProgram& p_;
  const GraphProgram::Step& step_;
  std::vector<Tensor>& slots_;
  const Scope& scope_;
  ThreadPool* pool_;
  std::vector<Tensor> scratch_;
};

void CollectSubgraphs(const Node& n, std::vector<const Graph*>* out) {
  for (const auto& [name, a] : n.attrs) {
    if (a.g) out->push_back(a.g.get());
    for (const auto& g : a.graphs) out->push_back(g.get());
  }
}

// Names a subgraph (and its nested subgraphs) reads from enclosing scopes. A node owning such
// a subgraph uses those values, so they must stay alive until the node has run.
void CollectCapturedNames(const Graph& g, std::vector<std::string>* out) {
  for (const Value* v : g.outer_scope_values()) out->push_back(v->name);
  for (const Node* n : g.nodes()) {
    std::vector<const Graph*> subs;
    CollectSubgraphs(*n, &subs);
    for (const Graph* sg : subs) {
      std::vector<std::string> inner;
      CollectCapturedNames(*sg, &inner);
      for (auto& name : inner) {
        const Value* local = g.FindValue(name);
        if (local == nullptr || local->is_outer_scope) out->push_back(std::move(name));
      }
    }
  }
}

StatusOr<std::vector<Tensor>> RunProgram(const GraphProgram& p, const std::vector<Tensor>& inputs,
                                         const Scope* parent, ThreadPool* pool) {
  const Graph& g = *p.graph;
  std::vector<Tensor> slots(p.slot_values.size());
  for (size_t i = 0; i < p.slot_values.size(); ++i) {
    const Value* v = p.slot_values[i];
    if (v->constant) slots[i] = *v->constant;
  }
  const size_t n_in = std::min(inputs.size(), g.inputs().size());
  for (size_t i = 0; i < n_in; ++i) slots[p.slot_of.at(g.inputs()[i])] = inputs[i];
  Scope scope{&p, &slots, parent};
  for (const Value* v : g.outer_scope_values()) {
    const Tensor* t = parent ? parent->Lookup(v->name) : nullptr;
    if (!t) {
      return InvalidArgument("graph '" + g.name + "': outer-scope value '" + v->name +
                             "' is not available");
    }
    slots[p.slot_of.at(v)] = *t;
  }
  for (const auto& step : p.steps) {
    Context ctx(p, step, slots, scope, pool);
    Status s = step.kernel->Compute(ctx);
    if (!s.ok()) return s;
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      if (step.outputs[o] >= 0 && !slots[step.outputs[o]].defined()) {
        return Internal(step.node->Describe() + ": kernel did not produce output " +
                        std::to_string(o));
      }
    }
    for (int r : step.release) slots[r] = Tensor();
  }
  std::vector<Tensor> outs;
  outs.reserve(g.outputs().size());
  for (const Value* v : g.outputs()) {
    const Tensor& t = slots[p.slot_of.at(v)];
    if (!t.defined()) {
      return Internal("graph '" + g.name + "': output '" + v->name + "' was not computed");
    }
    outs.push_back(t);
  }
  return outs;
}

}  // namespace

StatusOr<std::unique_ptr<GraphProgram>> GraphProgram::Build(const Graph& g) {
  auto p = std::make_unique<GraphProgram>();
  p->graph = &g;
  for (const auto& v : g.values()) {
    int slot = static_cast<int>(p->slot_values.size());
    p->slot_of[v.get()] = slot;
    if (!v->name.empty()) p->slot_by_name[v->name] = slot;
    p->slot_values.push_back(v.get());
  }
  // Last use of each value: as a direct input, or captured by one of the node's subgraphs.
  std::unordered_map<const Value*, size_t> last_use;
  std::vector<std::vector<const Value*>> used_by(g.nodes().size());
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const Node* n = g.nodes()[i];
    for (const Value* in : n->inputs) {
      if (in) used_by[i].push_back(in);
    }
    std::vector<const Graph*> subs;
    CollectSubgraphs(*n, &subs);
    for (const Graph* sg : subs) {
      std::vector<std::string> names;
      CollectCapturedNames(*sg, &names);
      for (const auto& name : names) {
        if (const Value* v = g.FindValue(name)) used_by[i].push_back(v);
      }
    }
    for (const Value* v : used_by[i]) last_use[v] = i;
  }
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const Node* n = g.nodes()[i];
    Step step;
    step.node = n;
    step.info = std::make_unique<kernels::KernelInfo>(*n);
    TRT_ASSIGN_OR_RETURN(step.kernel, kernels::CreateKernel(*n));
    for (const Value* in : n->inputs) step.inputs.push_back(in ? p->slot_of.at(in) : -1);
    for (const Value* out : n->outputs) step.outputs.push_back(out ? p->slot_of.at(out) : -1);
    for (const Value* in : used_by[i]) {
      if (last_use[in] == i && !in->is_graph_output && !in->is_constant() && !in->is_outer_scope) {
        int slot = p->slot_of.at(in);
        if (std::find(step.release.begin(), step.release.end(), slot) == step.release.end()) {
          step.release.push_back(slot);
        }
      }
    }
    std::vector<const Graph*> subs;
    CollectSubgraphs(*n, &subs);
    for (const Graph* sg : subs) {
      TRT_ASSIGN_OR_RETURN(auto sp, Build(*sg));
      p->subprograms[sg] = std::move(sp);
    }
    p->steps.push_back(std::move(step));
  }
  return p;
}

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
  auto outs = RunProgram(*root_, ordered, nullptr, pool_.get());
  if (!outs.ok()) return outs.status().WithContext("model '" + model_->name + "'");
  NamedTensors result;
  for (size_t i = 0; i < g.outputs().size(); ++i) {
    result.emplace_back(g.outputs()[i]->name, std::move((*outs)[i]));
  }
  return result;
}

}  // namespace trt::runtime
