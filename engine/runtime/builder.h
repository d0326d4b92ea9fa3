// Builder: model -> Plan.
//
// Steps: specialization (named input dims that every profile fixes to one value become
// static, so the shape subgraphs reading them fold away) -> graph passes (pass_manager.h,
// at BuildConfig::opt_level) -> profile validation
// (profile.h; inputs with fully static shapes get an implicit range) -> kernel selection
// per node through the registry (the kernel must be valid for the whole profile range; the
// reference kernels are) -> memory plan per profile (liveness-based arena offsets sized for
// each profile's max shapes). Each node records its chosen kernel and precision.
// Progress is reported through BuildConfig::progress (the CLI draws it on a terminal).
// Thread safety: BuildPlan may run concurrently on different models.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/graph/passes/pass_manager.h"
#include "engine/runtime/plan.h"
#include "engine/runtime/profile.h"

namespace trt::runtime {

struct BuildConfig {
  std::vector<OptimizationProfile> profiles;  // empty: one "default" profile for static models
  graph::OptLevel opt_level = graph::OptLevel::kAll;
  // Called at each stage with a fraction in [0, 1]; may be empty.
  std::function<void(std::string_view stage, double fraction)> progress;
};

struct BuildReport {
  int specialized_dims = 0;  // input dims fixed by every profile and folded into the graph
  int nodes_before = 0;
  int nodes_after = 0;
  std::vector<graph::PassRecord> passes;
};

// Takes ownership of the (prepared: verified + shape-inferred) model and optimizes it.
StatusOr<std::shared_ptr<Plan>> BuildPlan(std::shared_ptr<graph::Model> model,
                                          const BuildConfig& config, BuildReport* report = nullptr);

// Builds the Plan object for an already optimized model (no passes): used by BuildPlan and
// by the plan-file loader. Kernels are chosen for `isa` (a plan file's recorded ISA when
// loading, so the kernels match the ones it was built with; it must not exceed ActiveIsa()).
// `prepacked` (plan loading) gives kernels the weights they packed at build time.
StatusOr<std::shared_ptr<Plan>> AssemblePlan(std::shared_ptr<graph::Model> model,
                                             std::vector<OptimizationProfile> profiles,
                                             Isa isa = ActiveIsa(),
                                             const GraphProgram::PrepackedMap* prepacked = nullptr);

}  // namespace trt::runtime
