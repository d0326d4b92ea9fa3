// ModelRepository: the models under `--model-repository DIR`, loaded and ready to serve.
//
// Layout: DIR/<model>/config.yaml and DIR/<model>/<version>/model.onnx (or model.plan), with
// numeric version folders chosen by the config's version_policy. A model given as ONNX is
// built on load and its plan cached beside it (DIR/<model>/<version>/.trtserve-cache/
// <key>.plan, key = hash of model bytes + ModelConfig::BuildKey() + ISA); a valid cache is
// reused on the next start, an invalid one rebuilt.
//
// Model control: kAll loads every model at Open and polls nothing unless poll_interval_s > 0
// (then added/changed/removed models are picked up); kExplicit loads only `startup_models`
// and then only on Load/Unload. A (re)load that fails leaves the previous version serving and
// records the failure reason in Index(). Model names never escape DIR (no "..", "/", or
// absolute paths: INVALID_ARGUMENT).
//
// Threading: every method is thread-safe. Find() is cheap (shared lock + shared_ptr copy) and
// runs per request; a ServedModel stays alive while anyone holds it, even after Unload.
//
// Retiring a version (Unload, or a reload that replaces it): the repository drops its
// reference and the version drains when the LAST reference goes (ServedModel's destructor):
// a request that found the version just before it was retired is still accepted and
// answered. When nobody else holds it, that happens inside Unload/Load before they return.
// Shutdown() instead drains every version explicitly (later Enqueue calls get UNAVAILABLE).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/runtime/plan.h"
#include "server/dynamic_batcher.h"
#include "server/model_config.h"
#include "server/model_stats.h"

namespace trt::server {

// One ready model version.
// The destructor drains the batcher (answers everything queued and joins its threads), so
// never keep a ServedModel reference inside a request's on_complete: the last release would
// then run on a batcher thread and join itself.
class ServedModel {
 public:
  ServedModel(std::shared_ptr<const ModelConfig> config, int64_t version,
              std::shared_ptr<const runtime::Plan> plan, std::shared_ptr<ModelStats> stats,
              std::unique_ptr<DynamicBatcher> batcher);
  ~ServedModel();  // drains the batcher

  const std::string& name() const { return config_->name; }
  int64_t version() const { return version_; }
  const ModelConfig& config() const { return *config_; }
  const runtime::Plan& plan() const { return *plan_; }
  const std::shared_ptr<ModelStats>& stats() const { return stats_; }
  // See DynamicBatcher::Enqueue; fills request->model_version.
  Status Enqueue(std::unique_ptr<InferRequest> request);
  void Drain();

 private:
  std::shared_ptr<const ModelConfig> config_;
  int64_t version_;
  std::shared_ptr<const runtime::Plan> plan_;
  std::shared_ptr<ModelStats> stats_;
  std::unique_ptr<DynamicBatcher> batcher_;
};

// Creates the scheduler of one model version; same contract as DynamicBatcher::Create (with
// the steady clock). Injectable so tests can use a simple scheduler.
using BatcherFactory = std::function<StatusOr<std::unique_ptr<DynamicBatcher>>(
    std::shared_ptr<const ModelConfig> config, std::shared_ptr<const runtime::Plan> plan,
    int64_t version, std::shared_ptr<ModelStats> stats)>;

struct RepositoryOptions {
  std::filesystem::path root;
  enum class ControlMode { kAll, kExplicit } control_mode = ControlMode::kAll;
  std::vector<std::string> startup_models;  // kExplicit: loaded at Open
  // > 0: a thread checks the repository this often (seconds). kAll: added folders are loaded,
  // removed ones unloaded, changed ones (config.yaml content, the set of version folders, or
  // size/mtime/inode of any file in them) reloaded. kExplicit: only models loaded by
  // Load/startup_models are reloaded or unloaded; new folders wait for Load. A model whose reload
  // failed is retried only after its files change again.
  int poll_interval_s = 0;         // 0 = never poll
  bool show_progress = false;      // plan builds log their stages (terminal only)
  BatcherFactory batcher_factory;  // empty = DynamicBatcher::Create
};

// One row of RepositoryIndex.
struct ModelIndexEntry {
  std::string name;
  std::string version;  // "" when no version could be read
  std::string state;    // "READY", "UNAVAILABLE", "LOADING", "UNLOADING"
  std::string reason;   // why not ready (the load error), empty when ready
};

class ModelRepository {
 public:
  // Scans the root (NOT_FOUND if it is not a directory) and, in kAll mode, loads every
  // model; models that fail to load are reported in Index() and logged, not fatal. kExplicit:
  // a startup model that is not a folder of the root fails Open (NOT_FOUND); one that fails
  // to load does not. Blocks until the initial loads are done (plan builds included).
  static StatusOr<std::unique_ptr<ModelRepository>> Open(RepositoryOptions options);
  virtual ~ModelRepository() = default;

  // The version to serve: `version` "" = the highest ready version. NOT_FOUND for an
  // unknown model or version ("model 'x' is not in the repository; available: a, b" /
  // "model 'x' has no version 7; ready versions: 1, 2"); UNAVAILABLE for a known model that
  // is not ready (with the load error, or "not loaded" for a folder nobody loaded);
  // INVALID_ARGUMENT for a version that is not a number; UNAVAILABLE after Shutdown.
  virtual StatusOr<std::shared_ptr<ServedModel>> Find(const std::string& name,
                                                      const std::string& version) const = 0;
  // Ready versions of a model, ascending.
  virtual std::vector<std::shared_ptr<ServedModel>> Versions(const std::string& name) const = 0;
  // Every ready model version (for statistics and metrics).
  virtual std::vector<std::shared_ptr<ServedModel>> AllServing() const = 0;
  // Every model folder in the repository (loaded or not) with its state, sorted by name then
  // version: one READY row per serving version; a failed load adds an UNAVAILABLE row per
  // failed version (version "" when the failure is not version-specific, e.g. a bad
  // config), whose reason says which versions still serve; a model serving nothing has one
  // row (LOADING, UNLOADING or UNAVAILABLE with the reason).
  virtual std::vector<ModelIndexEntry> Index(bool ready_only) const = 0;

  // (Re)loads a model from disk; on failure the previous versions keep serving and the
  // error is returned (and kept for Index()). Blocks until loaded. All or nothing: the new
  // version set replaces the old one only if every selected version loaded. Versions whose
  // config text and folder files are unchanged are kept as they are (not rebuilt), so Load
  // of an unchanged model is cheap. NOT_FOUND (listing the model folders) for a name that
  // is not a folder of the root; INVALID_ARGUMENT for an escaping name.
  virtual Status Load(const std::string& name) = 0;
  // Stops serving a model: new requests get NOT_FOUND/UNAVAILABLE; queued ones finish (see
  // "Retiring a version" above). Unloading a model that is not loaded is OK.
  virtual Status Unload(const std::string& name) = 0;

  // True when every model that should be loaded (kAll: every folder not explicitly
  // unloaded; kExplicit: every model loaded through Load/startup_models) has a serving
  // version. A model whose only load failed keeps the repository not ready (like Triton's
  // strict readiness); one still serving an old version after a failed reload does not.
  // False after Shutdown.
  virtual bool Ready() const = 0;
  // Stops polling and drains every model (answers everything queued). Idempotent. A reload
  // the poller is running is finished first (plan builds cannot be interrupted); later
  // Load/Find calls get UNAVAILABLE.
  virtual void Shutdown() = 0;
};

}  // namespace trt::server
