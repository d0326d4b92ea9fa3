// Plan: a compiled engine. An optimized graph with one kernel chosen per node, the
// optimization profiles it serves, and a memory plan per profile sized for the profile's
// max shapes. Built by Builder (builder.h), saved/loaded by plan_file.h, executed through
// ExecutionContexts (execution_context.h), one per profile per worker.
//
// Ownership and threading: a Plan is immutable after Build/Load and shared (shared_ptr) by
// its contexts; kernels' Compute is const, so any number of contexts may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/cpu_features.h"
#include "engine/base/status.h"
#include "engine/graph/graph.h"
#include "engine/runtime/memory_planner.h"
#include "engine/runtime/profile.h"
#include "engine/runtime/program.h"

namespace trt::runtime {

// What the builder chose for one node (shown by `trtserve inspect MODEL.plan`).
struct NodeChoice {
  std::string node;                // node name (or "#<index>")
  std::string op;                  // "Conv", "ai.trtserve.FusedConv", ...
  std::string kernel;              // registry kernel name, e.g. "ref"
  std::string precision;           // "fp32", "int8", "fp16", "int64", ...
  std::vector<std::string> fused;  // ops folded into this node (e.g. "Relu"), if recorded
};

// Memory plan of one profile: value slots of the root graph mapped into one arena.
struct ProfileMemory {
  MemoryPlan plan;                     // offsets per request + arena size
  std::vector<int> slot_request;       // per root slot: request index, or -1 (heap/constant/input)
  std::vector<int64_t> request_bytes;  // capacity per request (max over min/opt/max shapes)
};

class Plan {
 public:
  Plan(std::shared_ptr<const graph::Model> model, std::unique_ptr<GraphProgram> program,
       std::vector<OptimizationProfile> profiles, std::vector<ProfileMemory> memory,
       std::vector<NodeChoice> choices, Isa isa);

  const graph::Model& model() const { return *model_; }
  std::shared_ptr<const graph::Model> shared_model() const { return model_; }
  const GraphProgram& program() const { return *program_; }
  const std::vector<OptimizationProfile>& profiles() const { return profiles_; }
  const ProfileMemory& memory(int profile) const { return memory_[profile]; }
  // Replaces a profile's memory plan (plan-file loading restores the stored one).
  void SetMemory(int profile, ProfileMemory memory) { memory_[profile] = std::move(memory); }
  const std::vector<NodeChoice>& choices() const { return choices_; }
  Isa isa() const { return isa_; }

  // Index of the profile called `name`; NOT_FOUND listing the profile names otherwise.
  StatusOr<int> FindProfile(const std::string& name) const;

  // Plan-file loading: kernels that took their packed weights from the file, and kernels
  // that had to pack them again (a plan written before packed weights were stored).
  struct PackedLoadStats {
    int adopted = 0;
    int repacked = 0;
  };
  const PackedLoadStats& packed_load_stats() const { return packed_stats_; }
  void set_packed_load_stats(PackedLoadStats s) { packed_stats_ = s; }

 private:
  std::shared_ptr<const graph::Model> model_;
  std::unique_ptr<GraphProgram> program_;
  std::vector<OptimizationProfile> profiles_;
  std::vector<ProfileMemory> memory_;
  std::vector<NodeChoice> choices_;
  Isa isa_;
  PackedLoadStats packed_stats_;
};

// Computes the memory plan of `profile` for `program` (liveness from the program's steps,
// sizes from the symbolic shapes at the profile's min/opt/max).
ProfileMemory PlanProfileMemory(const GraphProgram& program, const graph::Model& model,
                                const OptimizationProfile& profile);

// A planned buffer by value name, as stored in plan files.
struct PlannedBuffer {
  std::string value;
  int64_t offset = 0;
  int64_t bytes = 0;
};
std::vector<PlannedBuffer> DescribeProfileMemory(const GraphProgram& program,
                                                 const ProfileMemory& mem);
// Rebuilds a stored memory plan for `program`, verifying that every buffer names a value the
// program computes and that no two buffers live at the same time overlap (DATA_LOSS if not).
StatusOr<ProfileMemory> RestoreProfileMemory(const GraphProgram& program, const graph::Model& model,
                                             int64_t arena_bytes,
                                             const std::vector<PlannedBuffer>& buffers);

}  // namespace trt::runtime
