// GraphProgram construction (kernel creation, slots, liveness) and RunProgram.
#include "engine/runtime/program.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "engine/kernels/registry.h"

namespace trt::runtime {

using graph::Graph;
using graph::Node;
using graph::Value;

const Tensor* Scope::Lookup(const std::string& name) const {
  // The nearest scope that knows the name decides: its own value, or the tensor bound to its
  // capture when it started. A value of that scope that is not (or no longer) computed is
  // an error, never a fall-through to an outer value of the same name.
  for (const Scope* s = this; s != nullptr; s = s->parent) {
    auto it = s->program->slot_by_name.find(name);
    if (it == s->program->slot_by_name.end()) continue;
    const Tensor& t = (*s->slots)[it->second];
    if (t.defined()) return &t;
    if (!s->program->slot_values[it->second]->is_outer_scope) return nullptr;
  }
  return nullptr;
}

std::string Scope::WhyMissing(const std::string& name) const {
  for (const Scope* s = this; s != nullptr; s = s->parent) {
    auto it = s->program->slot_by_name.find(name);
    if (it == s->program->slot_by_name.end()) continue;
    const std::string where = "graph '" + s->program->graph->name + "'";
    if (s->program->slot_values[it->second]->is_outer_scope) {
      return where + " captures it but it was not bound";
    }
    return where + " defines it but had not computed it (or had released it) when the " +
           "subgraph ran";
  }
  return "no enclosing graph defines it";
}

namespace {

class Context final : public kernels::KernelContext, public kernels::SubgraphRunner {
 public:
  Context(const GraphProgram& p, const GraphProgram::Step& step, std::vector<Tensor>& slots,
          const Scope& scope, const RunOptions& options)
      : p_(p), step_(step), slots_(slots), scope_(scope), options_(options) {}

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
      if (scratch_.size() < static_cast<size_t>(num_outputs())) scratch_.resize(num_outputs());
      TRT_ASSIGN_OR_RETURN(scratch_[i], Tensor::Allocate(dtype, shape));
      return &scratch_[i];
    }
    Tensor& slot = slots_[step_.outputs[i]];
    if (options_.allocator != nullptr) {
      slot = options_.allocator->Allocate(step_.outputs[i], dtype, shape);
      if (slot.defined()) return &slot;
    }
    auto t = Tensor::Allocate(dtype, shape);
    if (!t.ok()) {
      return t.status().WithContext(step_.node->Describe() + " output " + std::to_string(i));
    }
    slot = std::move(t).value();
    return &slot;
  }
  void SetOutput(int i, Tensor t) override {
    if (!OutputRequested(i)) return;
    // Forwarding an arena buffer (e.g. Reshape of an intermediate) would let the planner
    // reuse that memory while this output is alive: copy into the output's own storage.
    if (options_.allocator != nullptr && t.nbytes() > 0 && options_.allocator->Owns(t.raw_data())) {
      auto out = AllocateOutput(i, t.dtype(), t.shape());
      if (out.ok()) {
        std::memcpy((*out)->raw_data(), t.raw_data(), t.nbytes());
        return;
      }
    }
    slots_[step_.outputs[i]] = std::move(t);
  }
  ThreadPool* thread_pool() override { return options_.pool; }
  kernels::SubgraphRunner* subgraphs() override { return this; }
  void* Scratch(size_t bytes) override { return options_.scratch->Allocate(bytes); }

  StatusOr<std::vector<Tensor>> Run(const Graph& subgraph,
                                    const std::vector<Tensor>& inputs) override {
    auto it = p_.subprograms.find(&subgraph);
    if (it == p_.subprograms.end()) {
      return Internal(step_.node->Describe() + ": subgraph '" + subgraph.name + "' not prepared");
    }
    std::vector<Tensor> slots, outputs;
    RunOptions sub = options_;
    sub.allocator = nullptr;  // bodies run on the heap; only the root graph is planned
    sub.scratch = nullptr;    // the parent step's scratch stays valid while the body runs
    sub.step_ns = nullptr;    // the body's time counts toward its owner's step
    TRT_RETURN_IF_ERROR(RunProgram(*it->second, slots, inputs, &scope_, sub, &outputs));
    return outputs;
  }

 private:
  const GraphProgram& p_;
  const GraphProgram::Step& step_;
  std::vector<Tensor>& slots_;
  const Scope& scope_;
  const RunOptions& options_;
  std::vector<Tensor> scratch_;
};

}  // namespace

Status RunProgram(const GraphProgram& p, std::vector<Tensor>& slots,
                  const std::vector<Tensor>& inputs, const Scope* parent, const RunOptions& options,
                  std::vector<Tensor>* outputs) {
  const Graph& g = *p.graph;
  ScratchArena local_scratch;
  RunOptions opts = options;
  if (opts.scratch == nullptr) opts.scratch = &local_scratch;
  slots.resize(p.slot_values.size());
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
                             "' is not available (" +
                             (parent ? parent->WhyMissing(v->name) : "no enclosing graph") + ")");
    }
    slots[p.slot_of.at(v)] = *t;
  }
  for (size_t si = 0; si < p.steps.size(); ++si) {
    const GraphProgram::Step& step = p.steps[si];
    opts.scratch->Reset();
    Context ctx(p, step, slots, scope, opts);
    if (opts.step_ns != nullptr) {
      const auto t0 = std::chrono::steady_clock::now();
      TRT_RETURN_IF_ERROR(step.kernel->Compute(ctx));
      opts.step_ns[si] += std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::steady_clock::now() - t0)
                              .count();
    } else {
      TRT_RETURN_IF_ERROR(step.kernel->Compute(ctx));
    }
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      if (step.outputs[o] >= 0 && !slots[step.outputs[o]].defined()) {
        return Internal(step.node->Describe() + ": kernel did not produce output " +
                        std::to_string(o));
      }
    }
    if (opts.release_dead_values) {
      for (int r : step.release) slots[r] = Tensor();
    }
  }
  outputs->resize(g.outputs().size());
  for (size_t i = 0; i < g.outputs().size(); ++i) {
    const Value* v = g.outputs()[i];
    const Tensor& t = slots[p.slot_of.at(v)];
    if (!t.defined()) {
      return Internal("graph '" + g.name + "': output '" + v->name + "' was not computed");
    }
    (*outputs)[i] = t;
  }
  return Status::Ok();
}

std::string GraphProgram::PrepackedKey(const Node& n) {
  return n.outputs.empty() || n.outputs[0] == nullptr ? std::string() : n.outputs[0]->name;
}

StatusOr<std::unique_ptr<GraphProgram>> GraphProgram::Build(const Graph& g, Isa isa,
                                                            const PrepackedMap* prepacked) {
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
    for (const Value* v : graph::ImplicitInputs(*n)) used_by[i].push_back(v);
    for (const Value* v : used_by[i]) last_use[v] = i;
  }
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const Node* n = g.nodes()[i];
    Step step;
    step.node = n;
    const kernels::PrepackedWeights* packed = nullptr;
    if (prepacked != nullptr) {
      const std::string key = PrepackedKey(*n);
      if (auto it = prepacked->find(key); !key.empty() && it != prepacked->end()) {
        packed = &it->second;
      }
    }
    step.info = std::make_unique<kernels::KernelInfo>(*n, isa);
    TRT_ASSIGN_OR_RETURN(step.kernel, kernels::CreateKernel(*n, &step.kernel_name, isa, packed));
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
    for (const Graph* sg : graph::Subgraphs(*n)) {
      TRT_ASSIGN_OR_RETURN(auto sp, Build(*sg, isa, prepacked));
      p->subprograms[sg] = std::move(sp);
    }
    p->steps.push_back(std::move(step));
  }
  return p;
}

}  // namespace trt::runtime
