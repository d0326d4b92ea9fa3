// ModelRepositoryImpl, part 2: the read side (Find runs per request: shared lock only).
#include <algorithm>
#include <charconv>
#include <set>

#include "server/model_repository_impl.h"

namespace trt::server {
namespace fs = std::filesystem;
namespace {

bool ParseRequestedVersion(const std::string& text, int64_t* version) {
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *version);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

StatusOr<std::shared_ptr<ServedModel>> ModelRepositoryImpl::Find(const std::string& name,
                                                                 const std::string& version) const {
  int64_t want = 0;
  if (!version.empty() && !ParseRequestedVersion(version, &want)) {
    return InvalidArgument("model '" + name + "': version '" + version +
                           "' is not a version number (leave it empty for the latest)");
  }
  {
    std::shared_lock lock(mu_);
    if (shutting_down_) {
      return Unavailable("the server is shutting down; model '" + name +
                         "' accepts no new requests");
    }
    auto it = models_.find(name);
    if (it != models_.end()) {
      const VersionMap& serving = it->second.serving;
      if (version.empty() && !serving.empty()) return serving.rbegin()->second;
      auto v = serving.find(want);
      if (!version.empty() && v != serving.end()) return v->second;
      return NotServing(name, version, want, it->second);
    }
  }
  return UnknownModel(name);
}

Status ModelRepositoryImpl::NotServing(const std::string& name, const std::string& version,
                                       int64_t want, const Entry& e) const {
  const std::string model = "model '" + name + "'";
  const bool failed_version = std::find(e.failed_versions.begin(), e.failed_versions.end(), want) !=
                              e.failed_versions.end();
  if (!version.empty() && !e.serving.empty()) {
    if (failed_version) {
      return Unavailable(model + " version " + version + " is not ready: " + e.failure);
    }
    if (e.loading)
      return Unavailable(model + " is (re)loading; version " + version +
                         " is not ready yet; retry shortly");
    return NotFound(model + " has no version " + version +
                    "; ready versions: " + JoinVersions(KeysOf(e.serving)));
  }
  if (e.unloading) return Unavailable(model + " is being unloaded");
  if (e.loading) return Unavailable(model + " is loading; retry shortly");
  if (!e.failure.empty()) return Unavailable(model + " is not ready: " + e.failure);
  return Unavailable(model + " is not loaded (" + e.idle_reason + ")");
}

Status ModelRepositoryImpl::UnknownModel(const std::string& name) const {
  std::error_code ec;
  if (ValidateModelName(name).ok() && fs::is_directory(options_.root / name, ec)) {
    return Unavailable("model '" + name + "' is not loaded (" + NotLoadedReason() + ")");
  }
  std::vector<std::string> ready;
  {
    std::shared_lock lock(mu_);
    for (const auto& [n, e] : models_) {
      if (!e.serving.empty()) ready.push_back(n);
    }
  }
  return NotFound("model '" + name + "' is not in the repository; available: " + JoinNames(ready));
}

Status ModelRepositoryImpl::NotInRepository(const std::string& name) const {
  return NotFound("model '" + name + "' is not in the repository " + options_.root.string() +
                  " (no folder " + (options_.root / name).string() +
                  "); model folders: " + JoinNames(ListModelFolders(options_.root)));
}

std::string ModelRepositoryImpl::NotLoadedReason() const {
  return options_.control_mode == RepositoryOptions::ControlMode::kExplicit
             ? "explicit model control: load it with the repository load API"
             : "not loaded yet";
}

std::vector<std::shared_ptr<ServedModel>> ModelRepositoryImpl::Versions(
    const std::string& name) const {
  std::vector<std::shared_ptr<ServedModel>> out;
  std::shared_lock lock(mu_);
  auto it = models_.find(name);
  if (it == models_.end()) return out;
  for (const auto& [v, model] : it->second.serving) out.push_back(model);
  return out;
}

std::vector<std::shared_ptr<ServedModel>> ModelRepositoryImpl::AllServing() const {
  std::vector<std::shared_ptr<ServedModel>> out;
  std::shared_lock lock(mu_);
  for (const auto& [name, e] : models_) {
    for (const auto& [v, model] : e.serving) out.push_back(model);
  }
  return out;
}

void ModelRepositoryImpl::AppendIndexRows(const std::string& name, const Entry* e, bool ready_only,
                                          std::vector<ModelIndexEntry>* rows) const {
  if (!e) {
    if (!ready_only) rows->push_back({name, "", "UNAVAILABLE", NotLoadedReason()});
    return;
  }
  for (const auto& [v, model] : e->serving) rows->push_back({name, std::to_string(v), "READY", ""});
  if (ready_only) return;
  if (e->unloading) rows->push_back({name, "", "UNLOADING", "unloading"});
  if (e->loading && e->serving.empty()) rows->push_back({name, "", "LOADING", "loading"});
  if (!e->failure.empty()) {
    std::string reason = e->failure;
    if (!e->serving.empty()) {
      reason = "reload failed (still serving version(s) " + JoinVersions(KeysOf(e->serving)) +
               "): " + reason;
    }
    std::vector<int64_t> failed;
    for (int64_t v : e->failed_versions) {
      if (!e->serving.count(v)) failed.push_back(v);
    }
    if (failed.empty()) rows->push_back({name, "", "UNAVAILABLE", reason});
    for (int64_t v : failed) rows->push_back({name, std::to_string(v), "UNAVAILABLE", reason});
  } else if (e->serving.empty() && !e->loading && !e->unloading) {
    rows->push_back({name, "", "UNAVAILABLE", e->idle_reason});
  }
}

std::vector<ModelIndexEntry> ModelRepositoryImpl::Index(bool ready_only) const {
  const std::vector<std::string> folders = ListModelFolders(options_.root);
  std::vector<ModelIndexEntry> rows;
  std::shared_lock lock(mu_);
  std::set<std::string> names(folders.begin(), folders.end());
  for (const auto& [name, e] : models_) names.insert(name);
  for (const auto& name : names) {
    auto it = models_.find(name);
    AppendIndexRows(name, it == models_.end() ? nullptr : &it->second, ready_only, &rows);
  }
  return rows;
}

bool ModelRepositoryImpl::Ready() const {
  std::shared_lock lock(mu_);
  if (shutting_down_) return false;
  return std::all_of(models_.begin(), models_.end(), [](const auto& kv) {
    return !kv.second.wanted || !kv.second.serving.empty();
  });
}

}  // namespace trt::server
