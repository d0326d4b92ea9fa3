// Shared by the CLI commands that accept either an ONNX model or a plan file:
// profile flags, and "give me a Plan for this path".
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "engine/runtime/builder.h"
#include "engine/runtime/plan.h"

namespace trt::cli {

struct ProfileFlags {
  std::vector<std::string> profiles;    // --profile NAME:INPUT=MIN..OPT..MAX[,...]
  std::vector<std::string> min_shapes;  // --minShapes (trtexec spelling)
  std::vector<std::string> opt_shapes;  // --optShapes
  std::vector<std::string> max_shapes;  // --maxShapes
  int opt_level = 2;                    // 0 none, 1 cleanup, 2 all

  void Register(CLI::App* app);
  // Parses the flags into profiles (empty if none given).
  StatusOr<std::vector<runtime::OptimizationProfile>> Parse() const;
};

// Loads `path` as a plan (if it is one) or builds a plan from the ONNX model with `profiles`
// (showing progress on a terminal). `report` may be null.
StatusOr<std::shared_ptr<runtime::Plan>> LoadOrBuildPlan(
    const std::string& path, const std::vector<runtime::OptimizationProfile>& profiles,
    int opt_level, runtime::BuildReport* report = nullptr);

}  // namespace trt::cli
