// ServedModel, and loading one model version into one (model file -> plan -> batcher).
#include <unistd.h>

#include <chrono>

#include "engine/base/logging.h"
#include "engine/runtime/model_loader.h"
#include "engine/runtime/plan_file.h"
#include "server/model_repository.h"
#include "server/model_repository_internal.h"
#include "server/plan_cache.h"

namespace trt::server {
namespace {

std::string ProfileNames(const std::vector<runtime::OptimizationProfile>& profiles) {
  std::string out;
  for (const auto& p : profiles) out += (out.empty() ? "" : ", ") + p.name;
  return "[" + out + "]";
}

// Logs each new build stage, for users watching a terminal while a large model compiles.
std::function<void(std::string_view, double)> StageLogger(const std::string& label) {
  auto last = std::make_shared<std::string>();
  return [label, last](std::string_view stage, double fraction) {
    if (stage == *last) return;
    *last = std::string(stage);
    TRT_LOG_INFO("{}: building plan: {} ({}%)", label, stage, static_cast<int>(fraction * 100));
  };
}

// model.onnx: load, complete the config, then the plan cache. Returns where the plan came from.
StatusOr<std::string> PlanFromOnnx(const VersionFolder& folder, const std::string& label,
                                   const VersionLoadOptions& options, ModelConfig* config,
                                   std::shared_ptr<runtime::Plan>* plan) {
  // The plan is cached under the hash of the bytes it is built from: hash, load, and make
  // sure the file did not change in between (a copy still being written, say).
  const auto before = StampFile(folder.model_file, "");
  TRT_ASSIGN_OR_RETURN(uint64_t model_hash, HashFileContents(folder.model_file));
  TRT_ASSIGN_OR_RETURN(auto model, runtime::LoadModel(folder.model_file.string()));
  if (!before || before != StampFile(folder.model_file, "")) {
    return Unavailable(folder.model_file.string() +
                       " changed while it was being loaded; load the model again once the "
                       "file is complete");
  }
  TRT_RETURN_IF_ERROR(CompleteConfigFromModel(config, *model));
  CachedPlanRequest request;
  request.model_file = folder.model_file;
  request.model_hash = model_hash;
  request.model = std::move(model);
  request.profiles = config->profiles;
  request.build_key = config->BuildKey();
  request.label = label;
  if (options.show_progress && isatty(STDERR_FILENO) == 1) request.progress = StageLogger(label);
  TRT_ASSIGN_OR_RETURN(CachedPlan cached, LoadOrBuildCachedPlan(std::move(request)));
  *plan = std::move(cached.plan);
  if (cached.cache_hit) return "plan cache hit " + cached.cache_file.string();
  if (cached.cache_written) return "plan built and cached at " + cached.cache_file.string();
  return std::string("plan built (not cached)");
}

// model.plan: the plan fixes the profiles; the config may repeat them or leave them out.
StatusOr<std::string> PlanFromPlanFile(const VersionFolder& folder, ModelConfig* config,
                                       std::shared_ptr<runtime::Plan>* plan) {
  TRT_ASSIGN_OR_RETURN(*plan, runtime::LoadPlan(folder.model_file.string()));
  if (config->profiles.empty()) {
    config->profiles = (*plan)->profiles();
  } else {
    std::string why;
    if (!ProfilesMatch(config->profiles, (*plan)->profiles(), &why)) {
      return InvalidArgument(config->config_path + ": profiles do not match the plan " +
                             folder.model_file.string() + " (" + why +
                             "). Remove `profiles:` from the config to serve the plan's "
                             "profiles, or rebuild the plan with these profiles (trtserve build)");
    }
  }
  TRT_RETURN_IF_ERROR(CompleteConfigFromModel(config, (*plan)->model()));
  return "plan file " + folder.model_file.string();
}

}  // namespace

ServedModel::ServedModel(std::shared_ptr<const ModelConfig> config, int64_t version,
                         std::shared_ptr<const runtime::Plan> plan,
                         std::shared_ptr<ModelStats> stats, std::unique_ptr<DynamicBatcher> batcher)
    : config_(std::move(config)),
      version_(version),
      plan_(std::move(plan)),
      stats_(std::move(stats)),
      batcher_(std::move(batcher)) {
  TRT_CHECK(config_ && plan_ && stats_ && batcher_);
}

ServedModel::~ServedModel() { Drain(); }

Status ServedModel::Enqueue(std::unique_ptr<InferRequest> request) {
  if (!request) return InvalidArgument("model '" + name() + "': null inference request");
  request->model_version = version_;
  return batcher_->Enqueue(std::move(request));
}

void ServedModel::Drain() { batcher_->Drain(); }

StatusOr<std::shared_ptr<ServedModel>> LoadServedModel(const ModelConfig& parsed,
                                                       const VersionFolder& folder,
                                                       const VersionLoadOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const std::string label = "model '" + parsed.name + "' version " + std::to_string(folder.version);
  auto config = std::make_shared<ModelConfig>(parsed);
  std::shared_ptr<runtime::Plan> plan;
  auto source = folder.is_plan ? PlanFromPlanFile(folder, config.get(), &plan)
                               : PlanFromOnnx(folder, label, options, config.get(), &plan);
  if (!source.ok()) return source.status().WithContext(label);
  // The batcher contract: the config's profiles equal the plan's, in order (the plan's may
  // be more complete, e.g. fully static inputs the config left out).
  config->profiles = plan->profiles();

  std::vector<std::string> profile_names;
  for (const auto& p : plan->profiles()) profile_names.push_back(p.name);
  auto stats = std::make_shared<ModelStats>(config->name, folder.version, profile_names);
  auto batcher = options.batcher_factory
                     ? options.batcher_factory(config, plan, folder.version, stats)
                     : DynamicBatcher::Create(config, plan, folder.version, stats);
  if (!batcher.ok()) return batcher.status().WithContext(label);
  auto served = std::make_shared<ServedModel>(config, folder.version, std::move(plan),
                                              std::move(stats), std::move(batcher).value());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  TRT_LOG_INFO("{} loaded in {} ms: profiles {}, instances {}, {}", label, ms,
               ProfileNames(config->profiles), config->instance_count, *source);
  return served;
}

}  // namespace trt::server
