#include "server/cli/engine_loader.h"

#include "engine/runtime/model_loader.h"
#include "engine/runtime/plan_file.h"
#include "server/cli/progress.h"

namespace trt::cli {

void ProfileFlags::Register(CLI::App* app) {
  app->add_option("--profile", profiles,
                  "Optimization profile NAME:INPUT=MIN..OPT..MAX[,INPUT=...] with shapes like "
                  "1x3x224x224 (repeat for several profiles)");
  app->add_option("--minShapes", min_shapes,
                  "trtexec style: input:1x3x224x224[,...] (per profile)");
  app->add_option("--optShapes", opt_shapes,
                  "trtexec style: input:8x3x224x224[,...] (per profile)");
  app->add_option("--maxShapes", max_shapes,
                  "trtexec style: input:32x3x224x224[,...] (per profile)");
  app->add_option("--opt-level", opt_level,
                  "Graph optimization: 0 none, 1 cleanup, 2 all (fusions)")
      ->capture_default_str()
      ->check(CLI::Range(0, 2));
}

StatusOr<std::vector<runtime::OptimizationProfile>> ProfileFlags::Parse() const {
  std::vector<runtime::OptimizationProfile> out;
  for (const auto& spec : profiles) {
    TRT_ASSIGN_OR_RETURN(auto p, runtime::ParseProfileSpec(spec));
    out.push_back(std::move(p));
  }
  if (!min_shapes.empty() || !max_shapes.empty() || !opt_shapes.empty()) {
    TRT_ASSIGN_OR_RETURN(auto ps,
                         runtime::ProfilesFromTrtexecShapes(min_shapes, opt_shapes, max_shapes));
    for (auto& p : ps) {
      p.name = "profile" + std::to_string(out.size());
      out.push_back(std::move(p));
    }
  }
  return out;
}

StatusOr<std::shared_ptr<runtime::Plan>> LoadOrBuildPlan(
    const std::string& path, const std::vector<runtime::OptimizationProfile>& profiles,
    int opt_level, runtime::BuildReport* report) {
  if (runtime::LooksLikePlanFile(path)) {
    if (!profiles.empty()) {
      return InvalidArgument("'" + path +
                             "' is a plan: its profiles are fixed at build time; "
                             "drop --profile/--minShapes or rebuild the plan");
    }
    return runtime::LoadPlan(path);
  }
  Progress progress("build");
  progress.Update("loading " + path, 0.0);
  TRT_ASSIGN_OR_RETURN(auto model, runtime::LoadModel(path));
  runtime::BuildConfig cfg;
  cfg.profiles = profiles;
  cfg.opt_level = static_cast<graph::OptLevel>(opt_level);
  cfg.progress = [&](std::string_view stage, double f) { progress.Update(stage, 0.1 + 0.9 * f); };
  auto plan = runtime::BuildPlan(model, cfg, report);
  if (plan.ok()) progress.Done("plan ready");
  return plan;
}

}  // namespace trt::cli
