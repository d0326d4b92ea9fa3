// ExecutionContext: arena-backed execution of a Plan for one profile.
#include "engine/runtime/execution_context.h"

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace trt::runtime {

class ExecutionContext::ArenaAllocator final : public SlotAllocator {
 public:
  ArenaAllocator(const ProfileMemory& mem, char* base) : mem_(mem), base_(base) {}

  Tensor Allocate(int slot, DType dtype, const Shape& shape) override {
    const int req = mem_.slot_request[slot];
    const int64_t bytes = shape.NumElements() * static_cast<int64_t>(DTypeSize(dtype));
    if (req < 0 || bytes > mem_.request_bytes[req] || bytes < 0) {
      ++fallbacks_;
      return Tensor();
    }
    return Tensor::Wrap(dtype, shape, base_ + mem_.plan.offsets[req], nullptr);
  }
  bool Owns(const void* p) const override {
    const char* c = static_cast<const char*>(p);
    return c >= base_ && c < base_ + mem_.plan.arena_bytes;
  }
  int64_t fallbacks() const { return fallbacks_; }

 private:
  const ProfileMemory& mem_;
  char* base_;
  int64_t fallbacks_ = 0;
};

ExecutionContext::~ExecutionContext() = default;

StatusOr<std::unique_ptr<ExecutionContext>> ExecutionContext::Create(
    std::shared_ptr<const Plan> plan, int profile, int threads) {
  return Create(std::move(plan), profile,
                threads > 1 ? std::make_shared<ThreadPool>(threads) : nullptr);
}

StatusOr<std::unique_ptr<ExecutionContext>> ExecutionContext::Create(
    std::shared_ptr<const Plan> plan, int profile, std::shared_ptr<ThreadPool> pool) {
  if (profile < 0 || profile >= static_cast<int>(plan->profiles().size())) {
    return InvalidArgument("profile index " + std::to_string(profile) +
                           " out of range: the plan has " +
                           std::to_string(plan->profiles().size()) + " profiles");
  }
  std::unique_ptr<ExecutionContext> c(new ExecutionContext());
  c->plan_ = std::move(plan);
  c->profile_ = profile;
  const ProfileMemory& mem = c->plan_->memory(profile);
  void* arena = AlignedAlloc(static_cast<size_t>(mem.plan.arena_bytes));
  if (arena == nullptr) {
    return ResourceExhausted("cannot allocate the " + std::to_string(mem.plan.arena_bytes >> 20) +
                             " MiB arena of profile '" + c->profile().name + "'");
  }
  c->arena_.reset(arena);
  const char* poison = std::getenv("TRTSERVE_POISON_ARENA");
  c->poison_arena_ = poison != nullptr && std::string_view(poison) != "0" && *poison != '\0';
  c->allocator_ = std::make_unique<ArenaAllocator>(mem, static_cast<char*>(arena));
  c->pool_ = std::move(pool);
  c->slots_.resize(c->plan_->program().slot_values.size());
  c->ordered_inputs_.resize(c->plan_->model().graph->inputs().size());
  c->outputs_.reserve(c->plan_->model().graph->outputs().size());
  return c;
}

int64_t ExecutionContext::heap_fallbacks() const { return allocator_->fallbacks(); }

void ExecutionContext::EnableOpProfiling(bool on) {
  op_profiling_ = on;
  op_time_ns_.assign(on ? plan_->program().steps.size() : 0, 0);
}

Status ExecutionContext::Run(const NamedTensors& inputs, NamedTensors* outputs) {
  const graph::Model& model = plan_->model();
  TRT_RETURN_IF_ERROR(ValidateBindings(model, inputs));
  const auto& graph_inputs = model.graph->inputs();
  for (size_t i = 0; i < graph_inputs.size(); ++i) {
    for (const auto& [name, t] : inputs) {
      if (name != graph_inputs[i]->name) continue;
      ordered_inputs_[i] = t;
      Status in_profile = CheckShapeInProfile(profile(), name, t.shape());
      if (!in_profile.ok()) return in_profile.WithContext("model '" + model.name + "'");
    }
  }
  if (poison_arena_) std::memset(arena_.get(), 0xFF, static_cast<size_t>(arena_bytes()));
  RunOptions options;
  options.pool = pool_.get();
  options.allocator = allocator_.get();
  options.scratch = &scratch_;
  if (op_profiling_) options.step_ns = op_time_ns_.data();
  Status s = RunProgram(plan_->program(), slots_, ordered_inputs_, nullptr, options, &outputs_);
  if (!s.ok()) return s.WithContext("model '" + model.name + "'");
  const auto& graph_outputs = model.graph->outputs();
  outputs->resize(graph_outputs.size());
  for (size_t i = 0; i < graph_outputs.size(); ++i) {
    auto& [name, tensor] = (*outputs)[i];
    if (name != graph_outputs[i]->name) name = graph_outputs[i]->name;
    tensor = std::move(outputs_[i]);
  }
  return Status::Ok();
}

StatusOr<NamedTensors> ExecutionContext::Run(const NamedTensors& inputs) {
  NamedTensors outputs;
  TRT_RETURN_IF_ERROR(Run(inputs, &outputs));
  return outputs;
}

}  // namespace trt::runtime
