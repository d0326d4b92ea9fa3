// Building blocks of the model repository (model_repository.cc), separate so they can be
// tested on their own: model-name checks, the folder scan, version policies, change
// fingerprints (repository_scan.cc), and loading one version into a ServedModel
// (served_model.cc).
// Threading: pure functions over the file system; safe to call concurrently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "engine/base/status.h"
#include "server/model_config.h"
#include "server/model_repository.h"

namespace trt::server {

inline constexpr char kConfigFileName[] = "config.yaml";
inline constexpr char kOnnxFileName[] = "model.onnx";
inline constexpr char kPlanFileName[] = "model.plan";

// Calls `visit` for each entry of `dir` without throwing (std::filesystem iteration throws
// on errors unless given an error_code at every step). Returns the error that stopped the
// listing, if any.
std::error_code ForEachDirEntry(
    const std::filesystem::path& dir,
    const std::function<void(const std::filesystem::directory_entry&)>& visit);

// A model name must stay inside the repository: not empty, no '/', '\\' or NUL, and not
// starting with '.' (so no ".", "..", hidden folders or absolute paths). INVALID_ARGUMENT
// quoting the name and saying which rule it breaks.
Status ValidateModelName(std::string_view name);

// The model folders of `root`: subdirectories with valid names, sorted. Files, hidden folders
// and unreadable entries are skipped (debug log). When `root` itself cannot be listed the
// result is empty and `error` (if not null) says why, so that the poller can tell "no models"
// from "could not look" and does not unload everything on a transient error.
std::vector<std::string> ListModelFolders(const std::filesystem::path& root,
                                          Status* error = nullptr);

// One numeric version folder of a model.
struct VersionFolder {
  int64_t version = 0;
  std::filesystem::path dir;
  std::filesystem::path model_file;  // model.onnx or model.plan; empty when unusable
  bool is_plan = false;
  std::string problem;  // why model_file is empty, e.g. "has no model.onnx or model.plan"
};
// Numeric subfolders of `model_dir` (digits only, fits int64), ascending. Other entries are
// ignored with a debug log. A folder with both model.onnx and model.plan is unusable (the
// problem says to keep one).
std::vector<VersionFolder> ScanVersionFolders(const std::filesystem::path& model_dir,
                                              const std::string& model);

// "1, 2, 3" / "a, b"; "none" when empty. For messages.
std::string JoinVersions(const std::vector<int64_t>& versions);
std::string JoinNames(const std::vector<std::string>& names);

// The versions `policy` selects, ascending. kLatest/kAll consider only usable folders
// (unusable ones are logged as warnings); kSpecific requires every listed version to exist
// and be usable. NOT_FOUND when nothing can be served, naming the model, the policy and what
// was found.
StatusOr<std::vector<int64_t>> SelectVersions(const VersionPolicy& policy,
                                              const std::vector<VersionFolder>& folders,
                                              const std::string& model);

// Size, modification time and inode of one file: a change of any means the file changed
// (a replaced file, e.g. `mv new.onnx model.onnx`, has a new inode even with equal size and
// time stamp).
struct FileStamp {
  std::string name;  // relative to the model folder, e.g. "1/model.onnx"
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  bool operator==(const FileStamp&) const = default;
};
// The stamp of one file (named `name` in the stamp); nullopt when it cannot be stat-ed.
std::optional<FileStamp> StampFile(const std::filesystem::path& file, std::string name);
// Every visible regular file directly inside a version folder (the model file and any
// external-data files), sorted by name.
std::vector<FileStamp> StampVersionFolder(const std::filesystem::path& model_dir, int64_t version);

// What the poller compares to notice that a model changed on disk.
struct ModelFingerprint {
  bool has_config = false;
  uint64_t config_hash = 0;       // of config.yaml's bytes
  std::vector<int64_t> versions;  // numeric folders
  std::vector<FileStamp> files;   // every version folder's stamps
  bool operator==(const ModelFingerprint&) const = default;
};
ModelFingerprint FingerprintModel(const std::filesystem::path& model_dir);

// The identity of a loaded version: a version is reused by a reload only when both the
// config text and its folder's files are unchanged.
struct VersionStamp {
  uint64_t config_hash = 0;
  std::vector<FileStamp> files;
  bool operator==(const VersionStamp&) const = default;
};

struct VersionLoadOptions {
  BatcherFactory batcher_factory;  // empty = DynamicBatcher::Create
  bool show_progress = false;      // log plan-build stages (when stderr is a terminal)
};

// Loads one version (see model_repository.h): for model.onnx, load + complete the config +
// plan cache; for model.plan, load + check/take the plan's profiles + complete the config;
// then the batcher. `config` is the parsed (not yet completed) config. Logs one line on
// success (profiles, plan source, time). Errors carry "model 'NAME' version N".
StatusOr<std::shared_ptr<ServedModel>> LoadServedModel(const ModelConfig& config,
                                                       const VersionFolder& folder,
                                                       const VersionLoadOptions& options);

}  // namespace trt::server
