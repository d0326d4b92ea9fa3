// ModelRepositoryImpl, part 1: Open, loading, unloading, polling, shutdown.
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/base/logging.h"
#include "server/model_repository_impl.h"
#include "server/plan_cache.h"

namespace trt::server {
namespace fs = std::filesystem;
namespace {

StatusOr<std::string> ReadConfigFile(const fs::path& file, const std::string& model) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return NotFound("model '" + model + "': " + file.string() +
                    " is missing or unreadable; every model folder needs a config.yaml "
                    "(see configs/CONFIG_REFERENCE.md)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

LoadOutcome FailedLoad(Status status) {
  LoadOutcome out;
  out.status = std::move(status);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Opening and polling.

StatusOr<std::unique_ptr<ModelRepository>> ModelRepository::Open(RepositoryOptions options) {
  std::error_code ec;
  if (!fs::is_directory(options.root, ec)) {
    return NotFound("model repository '" + options.root.string() +
                    "' is not a directory; pass a folder with one subfolder per model "
                    "(<model>/config.yaml and <model>/1/model.onnx)");
  }
  if (options.poll_interval_s < 0) {
    return InvalidArgument("model repository: poll interval must be >= 0 seconds, got " +
                           std::to_string(options.poll_interval_s));
  }
  if (options.control_mode == RepositoryOptions::ControlMode::kExplicit) {
    for (const auto& name : options.startup_models) {
      TRT_RETURN_IF_ERROR(ValidateModelName(name));
      if (!fs::is_directory(options.root / name, ec)) {
        return NotFound("startup model '" + name + "' is not in the repository " +
                        options.root.string() +
                        "; model folders: " + JoinNames(ListModelFolders(options.root)));
      }
    }
  } else if (!options.startup_models.empty()) {
    TRT_LOG_WARN(
        "model repository: startup models are ignored in 'all' mode (every model is "
        "loaded); use explicit model control to load only some");
  }
  auto repo = std::make_unique<ModelRepositoryImpl>(std::move(options));
  repo->Start();
  return std::unique_ptr<ModelRepository>(std::move(repo));
}

void ModelRepositoryImpl::Start() {
  const std::vector<std::string> folders = ListModelFolders(options_.root);
  {
    std::unique_lock lock(mu_);
    for (const auto& name : folders) models_[name].idle_reason = NotLoadedReason();
  }
  std::vector<std::string> to_load = folders;
  if (options_.control_mode == RepositoryOptions::ControlMode::kExplicit) {
    std::set<std::string> unique(options_.startup_models.begin(), options_.startup_models.end());
    to_load.assign(unique.begin(), unique.end());
  }
  int failed = 0;
  for (const auto& name : to_load) {
    auto load_lock = LoadLockFor(name);
    std::lock_guard<std::mutex> guard(*load_lock);
    if (!LoadWithLock(name, nullptr).ok()) ++failed;
  }
  TRT_LOG_INFO("model repository {}: {} model folder(s), {} loaded, {} failed{}",
               options_.root.string(), folders.size(), to_load.size() - failed, failed,
               options_.poll_interval_s > 0 ? "; checking for changes every " +
                                                  std::to_string(options_.poll_interval_s) + " s"
                                            : std::string());
  if (options_.poll_interval_s > 0) poller_ = std::thread([this] { PollLoop(); });
}

bool ModelRepositoryImpl::StopRequested() {
  std::lock_guard<std::mutex> lock(poll_mu_);
  return stop_poll_;
}

void ModelRepositoryImpl::PollLoop() {
  std::unique_lock<std::mutex> lock(poll_mu_);
  const auto interval = std::chrono::seconds(options_.poll_interval_s);
  while (!poll_cv_.wait_for(lock, interval, [this] { return stop_poll_; })) {
    lock.unlock();
    PollOnce();
    lock.lock();
  }
}

void ModelRepositoryImpl::PollOnce() {
  Status listed;
  const std::vector<std::string> folders = ListModelFolders(options_.root, &listed);
  if (!listed.ok()) {
    TRT_LOG_WARN("model repository: {}; skipping this check (nothing is unloaded)",
                 listed.message());
    return;
  }
  const std::set<std::string> present(folders.begin(), folders.end());
  std::map<std::string, bool> known;  // name -> wanted
  {
    std::shared_lock lock(mu_);
    for (const auto& [name, e] : models_) known[name] = e.wanted;
  }
  for (const auto& [name, wanted] : known) {
    if (present.count(name)) continue;
    if (StopRequested()) return;
    if (wanted) TRT_LOG_INFO("model '{}' was removed from the repository; unloading it", name);
    Status s = Unload(name);
    if (!s.ok()) TRT_LOG_WARN("model '{}': unload after removal failed: {}", name, s.message());
  }
  const bool load_all = options_.control_mode == RepositoryOptions::ControlMode::kAll;
  for (const auto& name : folders) {
    if (StopRequested()) return;
    auto it = known.find(name);
    if (it == known.end()) {
      if (load_all) {
        TRT_LOG_INFO("model '{}' was added to the repository; loading it", name);
        (void)Load(name);  // the outcome is logged and kept for Index()
      } else {
        std::unique_lock lock(mu_);
        models_[name].idle_reason = NotLoadedReason();
      }
    } else if (it->second) {
      ReloadIfChanged(name);
    }
  }
}

void ModelRepositoryImpl::ReloadIfChanged(const std::string& name) {
  auto load_lock = LoadLockFor(name);
  std::lock_guard<std::mutex> guard(*load_lock);
  std::optional<ModelFingerprint> attempted;
  {
    std::shared_lock lock(mu_);
    auto it = models_.find(name);
    if (it == models_.end() || !it->second.wanted) return;  // unloaded meanwhile
    attempted = it->second.attempted;
  }
  const ModelFingerprint now = FingerprintModel(options_.root / name);
  if (attempted && *attempted == now) return;
  TRT_LOG_INFO("model '{}' changed on disk; reloading it", name);
  (void)LoadWithLock(name, &now);  // the outcome is logged and kept for Index()
}

// ---------------------------------------------------------------------------------------
// Loading and unloading.

std::shared_ptr<std::mutex> ModelRepositoryImpl::LoadLockFor(const std::string& name) {
  std::lock_guard<std::mutex> lock(load_locks_mu_);
  auto& m = load_locks_[name];
  if (!m) m = std::make_shared<std::mutex>();
  return m;
}

bool ModelRepositoryImpl::ShuttingDown() const {
  std::shared_lock lock(mu_);
  return shutting_down_;
}

Status ModelRepositoryImpl::Load(const std::string& name) {
  TRT_RETURN_IF_ERROR(ValidateModelName(name));
  if (ShuttingDown()) return Unavailable("cannot load model '" + name + "': shutting down");
  std::error_code ec;
  if (!fs::is_directory(options_.root / name, ec)) return NotInRepository(name);
  auto load_lock = LoadLockFor(name);
  std::lock_guard<std::mutex> guard(*load_lock);
  return LoadWithLock(name, nullptr);
}

LoadOutcome ModelRepositoryImpl::LoadVersions(
    const std::string& name, const VersionMap& current,
    const std::map<int64_t, VersionStamp>& current_stamps) const {
  LoadOutcome out;
  const fs::path dir = options_.root / name;
  const fs::path config_file = dir / kConfigFileName;
  auto text = ReadConfigFile(config_file, name);
  if (!text.ok()) return FailedLoad(text.status());
  const uint64_t config_hash = HashBytes(*text);
  auto parsed = ParseModelConfig(*text, config_file.string(), name);
  if (!parsed.ok()) return FailedLoad(parsed.status());
  ModelConfig config = std::move(parsed).value();
  if (config.name.empty()) config.name = name;
  if (config.config_path.empty()) config.config_path = config_file.string();

  const std::vector<VersionFolder> folders = ScanVersionFolders(dir, name);
  auto selected = SelectVersions(config.version_policy, folders, name);
  if (!selected.ok()) return FailedLoad(selected.status());
  const VersionLoadOptions load_options{options_.batcher_factory, options_.show_progress};
  for (int64_t v : *selected) {
    VersionStamp stamp{config_hash, StampVersionFolder(dir, v)};
    auto old = current.find(v);
    auto old_stamp = current_stamps.find(v);
    if (old != current.end() && old_stamp != current_stamps.end() && old_stamp->second == stamp) {
      out.versions[v] = old->second;
      out.stamps[v] = std::move(stamp);
      out.reused.push_back(v);
      continue;
    }
    auto folder = std::find_if(folders.begin(), folders.end(),
                               [&](const VersionFolder& f) { return f.version == v; });
    auto loaded = LoadServedModel(config, *folder, load_options);
    if (!loaded.ok()) {
      out.status = loaded.status();
      out.failed_versions = {v};
      return out;
    }
    out.versions[v] = std::move(loaded).value();
    out.stamps[v] = std::move(stamp);
  }
  return out;
}

Status ModelRepositoryImpl::LoadWithLock(const std::string& name,
                                         const ModelFingerprint* fingerprint) {
  const ModelFingerprint fp = fingerprint ? *fingerprint : FingerprintModel(options_.root / name);
  VersionMap current;
  std::map<int64_t, VersionStamp> current_stamps;
  {
    std::unique_lock lock(mu_);
    if (shutting_down_) return Unavailable("cannot load model '" + name + "': shutting down");
    Entry& e = models_[name];
    e.wanted = true;
    e.loading = true;
    e.attempted = fp;
    current = e.serving;
    current_stamps = e.stamps;
  }
  LoadOutcome out = LoadVersions(name, current, current_stamps);
  current.clear();

  VersionMap retired;  // released after the lock: the last release drains
  bool shut_down = false;
  std::vector<int64_t> still_serving;
  {
    std::unique_lock lock(mu_);
    Entry& e = models_[name];
    e.loading = false;
    if (shutting_down_) {
      shut_down = true;
      retired = std::move(out.versions);
    } else if (out.status.ok()) {
      for (auto& [v, model] : e.serving) {
        auto it = out.versions.find(v);
        if (it == out.versions.end() || it->second != model) retired.emplace(v, model);
      }
      e.serving = std::move(out.versions);
      e.stamps = std::move(out.stamps);
      e.failure.clear();
      e.failed_versions.clear();
    } else {
      e.failure = out.status.message();
      e.failed_versions = out.failed_versions;
      retired = std::move(out.versions);  // partial new set; reused ones stay in e.serving
    }
    still_serving = KeysOf(e.serving);
  }
  if (shut_down) {
    for (auto& [v, model] : retired) model->Drain();
    return Unavailable("model '" + name + "' was loaded during shutdown and is not served");
  }
  const std::vector<int64_t> retired_versions =
      out.status.ok() ? KeysOf(retired) : std::vector<int64_t>{};
  retired.clear();
  if (!out.status.ok()) {
    TRT_LOG_ERROR(
        "model '{}' failed to load: {}. {}{}", name, out.status.message(),
        still_serving.empty() ? std::string()
                              : "Still serving version(s) " + JoinVersions(still_serving) + ". ",
        options_.poll_interval_s > 0 ? "Fix the model folder; it is reloaded when its files change."
                                     : "Fix the model folder, then load the model again.");
    return out.status;
  }
  TRT_LOG_INFO("model '{}' serving version(s) {}{}{}", name, JoinVersions(still_serving),
               out.reused.empty() ? "" : " (unchanged: " + JoinVersions(out.reused) + ")",
               retired_versions.empty()
                   ? ""
                   : "; retired the previous version(s) " + JoinVersions(retired_versions));
  return Status::Ok();
}

Status ModelRepositoryImpl::Unload(const std::string& name) {
  TRT_RETURN_IF_ERROR(ValidateModelName(name));
  std::error_code ec;
  const bool in_folder = fs::is_directory(options_.root / name, ec);
  {
    std::shared_lock lock(mu_);
    if (!models_.count(name)) {  // never seen: nothing to unload (and no load lock to make)
      lock.unlock();
      return in_folder ? Status::Ok() : NotInRepository(name);
    }
  }
  auto load_lock = LoadLockFor(name);
  std::lock_guard<std::mutex> guard(*load_lock);
  VersionMap retired;
  {
    std::unique_lock lock(mu_);
    auto it = models_.find(name);
    if (it == models_.end()) return Status::Ok();  // removed by a concurrent Unload
    Entry& e = it->second;
    e.wanted = false;
    e.unloading = true;
    retired = std::move(e.serving);
    e.serving.clear();
    e.stamps.clear();
    e.failure.clear();
    e.failed_versions.clear();
    e.attempted.reset();
    e.idle_reason = "unloaded";
  }
  const std::vector<int64_t> versions = KeysOf(retired);
  retired.clear();  // drains here unless a request handler still holds a version
  {
    std::unique_lock lock(mu_);
    auto it = models_.find(name);
    if (it != models_.end()) {
      it->second.unloading = false;
      if (!in_folder) models_.erase(it);
    }
  }
  if (!versions.empty()) {
    TRT_LOG_INFO("model '{}' unloaded (version(s) {})", name, JoinVersions(versions));
  }
  return Status::Ok();
}

void ModelRepositoryImpl::Shutdown() {
  std::lock_guard<std::mutex> serial(shutdown_mu_);
  {
    std::lock_guard<std::mutex> lock(poll_mu_);
    stop_poll_ = true;
  }
  poll_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
  std::vector<std::shared_ptr<ServedModel>> all;
  {
    std::unique_lock lock(mu_);
    if (shutting_down_) return;
    shutting_down_ = true;
    for (const auto& [name, e] : models_) {
      for (const auto& [v, model] : e.serving) all.push_back(model);
    }
  }
  for (const auto& model : all) model->Drain();
  if (!all.empty()) TRT_LOG_INFO("model repository: drained {} model version(s)", all.size());
}

}  // namespace trt::server
