// Plan accessors and per-profile memory planning.
#include "engine/runtime/plan.h"

#include <algorithm>

namespace trt::runtime {

Plan::Plan(std::shared_ptr<const graph::Model> model, std::unique_ptr<GraphProgram> program,
           std::vector<OptimizationProfile> profiles, std::vector<ProfileMemory> memory,
           std::vector<NodeChoice> choices, Isa isa)
    : model_(std::move(model)),
      program_(std::move(program)),
      profiles_(std::move(profiles)),
      memory_(std::move(memory)),
      choices_(std::move(choices)),
      isa_(isa) {}

StatusOr<int> Plan::FindProfile(const std::string& name) const {
  std::string names;
  for (size_t i = 0; i < profiles_.size(); ++i) {
    if (profiles_[i].name == name) return static_cast<int>(i);
    names += (names.empty() ? "" : ", ") + profiles_[i].name;
  }
  return NotFound("plan has no profile '" + name + "'; its profiles are: " + names);
}

namespace {

// Bytes of `v` at the symbol binding `env`, or -1 if its shape cannot be evaluated.
int64_t BytesAt(const graph::Value& v, const std::map<std::string, int64_t>& env) {
  if (!v.shape || !IsSupportedDType(v.dtype)) return -1;
  int64_t n = 1;
  for (const graph::Dim& d : *v.shape) {
    auto x = d.Evaluate(env);
    if (!x || *x < 0) return -1;
    n *= *x;
  }
  return n * static_cast<int64_t>(DTypeSize(v.dtype));
}

}  // namespace

namespace {

// Lifetime [first, last] (step indices) of every slot the program writes; -1 otherwise.
void SlotIntervals(const GraphProgram& program, const graph::Graph& g, std::vector<int>* first,
                   std::vector<int>* last) {
  const int n_steps = static_cast<int>(program.steps.size());
  first->assign(program.slot_values.size(), -1);
  last->assign(program.slot_values.size(), -1);
  for (int s = 0; s < n_steps; ++s) {
    for (int out : program.steps[s].outputs) {
      if (out >= 0) (*first)[out] = (*last)[out] = s;
    }
    for (int r : program.steps[s].release) (*last)[r] = s;
  }
  for (const graph::Value* v : g.outputs()) {
    const int slot = program.slot_of.at(v);
    if ((*first)[slot] >= 0) (*last)[slot] = n_steps;  // outputs live past the last step
  }
}

}  // namespace

StatusOr<ProfileMemory> RestoreProfileMemory(const GraphProgram& program, const graph::Model& model,
                                             int64_t arena_bytes,
                                             const std::vector<PlannedBuffer>& buffers) {
  std::vector<int> first, last;
  SlotIntervals(program, *model.graph, &first, &last);
  ProfileMemory mem;
  mem.slot_request.assign(program.slot_values.size(), -1);
  mem.plan.arena_bytes = arena_bytes;
  std::vector<BufferRequest> requests;
  for (const PlannedBuffer& b : buffers) {
    auto it = program.slot_by_name.find(b.value);
    if (it == program.slot_by_name.end() || first[it->second] < 0) {
      return DataLoss("memory plan names value '" + b.value +
                      "', which the graph does not compute");
    }
    mem.slot_request[it->second] = static_cast<int>(requests.size());
    mem.request_bytes.push_back(b.bytes);
    mem.plan.offsets.push_back(b.offset);
    requests.push_back({b.bytes, first[it->second], last[it->second]});
  }
  if (!IsValidMemoryPlan(requests, mem.plan)) {
    return DataLoss("memory plan has overlapping live buffers or exceeds its arena");
  }
  return mem;
}

std::vector<PlannedBuffer> DescribeProfileMemory(const GraphProgram& program,
                                                 const ProfileMemory& mem) {
  std::vector<PlannedBuffer> out;
  for (size_t slot = 0; slot < mem.slot_request.size(); ++slot) {
    const int r = mem.slot_request[slot];
    if (r < 0) continue;
    out.push_back({program.slot_values[slot]->name, mem.plan.offsets[r], mem.request_bytes[r]});
  }
  return out;
}

ProfileMemory PlanProfileMemory(const GraphProgram& program, const graph::Model& model,
                                const OptimizationProfile& profile) {
  const graph::Graph& g = *model.graph;
  std::vector<int> first, last;
  SlotIntervals(program, g, &first, &last);
  const auto env_min = BindSymbols(g, profile, ProfilePoint::kMin);
  const auto env_opt = BindSymbols(g, profile, ProfilePoint::kOpt);
  const auto env_max = BindSymbols(g, profile, ProfilePoint::kMax);
  ProfileMemory mem;
  mem.slot_request.assign(program.slot_values.size(), -1);
  std::vector<BufferRequest> requests;
  for (size_t slot = 0; slot < program.slot_values.size(); ++slot) {
    if (first[slot] < 0) continue;  // inputs, constants, captures, unused
    const graph::Value& v = *program.slot_values[slot];
    const int64_t b_min = BytesAt(v, env_min);
    const int64_t b_opt = BytesAt(v, env_opt);
    const int64_t b_max = BytesAt(v, env_max);
    if (b_min < 0 || b_opt < 0 || b_max < 0) continue;  // data-dependent: heap at run time
    const int64_t bytes = std::max({b_min, b_opt, b_max});
    mem.slot_request[slot] = static_cast<int>(requests.size());
    mem.request_bytes.push_back(bytes);
    requests.push_back({bytes, first[slot], last[slot]});
  }
  mem.plan = PlanMemory(requests);
  return mem;
}

}  // namespace trt::runtime
