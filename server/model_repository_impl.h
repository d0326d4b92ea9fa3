// ModelRepositoryImpl: the state machine behind ModelRepository (model_repository.h).
// Internal to server/: model_repository.cc (open, load, unload, poll, shutdown) and
// model_repository_queries.cc (Find, Versions, AllServing, Index, Ready).
//
// State: one Entry per known model folder, guarded by `mu_` (a shared_mutex: Find takes it
// shared, so requests never wait for a load). Loads run outside `mu_`, serialized per model
// by a per-model mutex (load_locks_), and swap their result in under a short exclusive
// lock. Retired versions are released outside `mu_` (their destructors drain).
// Lock order: a model's load lock, then mu_; poll_mu_ is never held with either.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/model_repository.h"
#include "server/model_repository_internal.h"

namespace trt::server {

using VersionMap = std::map<int64_t, std::shared_ptr<ServedModel>>;

inline std::vector<int64_t> KeysOf(const VersionMap& m) {
  std::vector<int64_t> out;
  for (const auto& [v, model] : m) out.push_back(v);
  return out;
}

// What one load produced: the complete new version set (reused + built), or the failure.
struct LoadOutcome {
  Status status;
  VersionMap versions;
  std::map<int64_t, VersionStamp> stamps;
  std::vector<int64_t> failed_versions;  // the version whose load failed, if any
  std::vector<int64_t> reused;           // versions kept from the previous set
};

class ModelRepositoryImpl final : public ModelRepository {
 public:
  explicit ModelRepositoryImpl(RepositoryOptions options) : options_(std::move(options)) {}
  ~ModelRepositoryImpl() override { Shutdown(); }

  // Loads the initial models (kAll: every folder; kExplicit: startup_models) and starts the
  // poller. Called once by Open.
  void Start();

  StatusOr<std::shared_ptr<ServedModel>> Find(const std::string& name,
                                              const std::string& version) const override;
  std::vector<std::shared_ptr<ServedModel>> Versions(const std::string& name) const override;
  std::vector<std::shared_ptr<ServedModel>> AllServing() const override;
  std::vector<ModelIndexEntry> Index(bool ready_only) const override;
  Status Load(const std::string& name) override;
  Status Unload(const std::string& name) override;
  bool Ready() const override;
  void Shutdown() override;

 private:
  struct Entry {
    VersionMap serving;
    std::map<int64_t, VersionStamp> stamps;  // of `serving`
    bool wanted = false;                     // should be serving (kAll folder or Load)
    bool loading = false;
    bool unloading = false;
    std::string failure;                        // last load error; "" after a successful load
    std::vector<int64_t> failed_versions;       // the version that failed, when version-specific
    std::string idle_reason;                    // why nothing serves when nothing failed
    std::optional<ModelFingerprint> attempted;  // files as of the last load attempt
  };

  std::shared_ptr<std::mutex> LoadLockFor(const std::string& name);
  // Requires the model's load lock. `fingerprint`: already computed by the caller, or null.
  Status LoadWithLock(const std::string& name, const ModelFingerprint* fingerprint);
  LoadOutcome LoadVersions(const std::string& name, const VersionMap& current,
                           const std::map<int64_t, VersionStamp>& current_stamps) const;
  Status NotServing(const std::string& name, const std::string& version, int64_t want,
                    const Entry& e) const;  // requires mu_ (shared)
  Status UnknownModel(const std::string& name) const;
  Status NotInRepository(const std::string& name) const;
  std::string NotLoadedReason() const;
  void AppendIndexRows(const std::string& name, const Entry* e, bool ready_only,
                       std::vector<ModelIndexEntry>* rows) const;  // requires mu_ (shared)
  bool ShuttingDown() const;

  void PollLoop();
  void PollOnce();
  void ReloadIfChanged(const std::string& name);
  bool StopRequested();

  const RepositoryOptions options_;

  mutable std::shared_mutex mu_;
  std::map<std::string, Entry> models_;  // guarded by mu_
  bool shutting_down_ = false;           // guarded by mu_

  std::mutex load_locks_mu_;
  std::map<std::string, std::shared_ptr<std::mutex>> load_locks_;  // guarded by load_locks_mu_

  std::mutex shutdown_mu_;  // serializes Shutdown calls
  std::mutex poll_mu_;
  std::condition_variable poll_cv_;
  bool stop_poll_ = false;  // guarded by poll_mu_
  std::thread poller_;
};

}  // namespace trt::server
