// Folder scanning, version policies and change fingerprints of the model repository.
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <system_error>

#include "engine/base/logging.h"
#include "server/model_repository_internal.h"
#include "server/plan_cache.h"

namespace trt::server {
namespace fs = std::filesystem;
namespace {

// Triton's rule: a version folder is all digits and does not start with '0'.
bool ParseVersionName(const std::string& name, int64_t* version) {
  if (name.empty() || name[0] == '0') return false;
  if (!std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), *version);
  return ec == std::errc() && end == name.data() + name.size();
}

std::string PolicyText(const VersionPolicy& p) {
  switch (p.kind) {
    case VersionPolicy::Kind::kLatest:
      return "latest " + std::to_string(p.latest);
    case VersionPolicy::Kind::kAll:
      return "all";
    case VersionPolicy::Kind::kSpecific:
      return "specific [" + JoinVersions(p.specific) + "]";
  }
  return "?";
}

bool IsRegularFile(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// Numeric version folders of `model_dir`, ascending (others logged at debug level).
std::vector<std::pair<int64_t, fs::path>> NumericFolders(const fs::path& model_dir,
                                                         const std::string& model) {
  std::vector<std::pair<int64_t, fs::path>> out;
  ForEachDirEntry(model_dir, [&](const fs::directory_entry& entry) {
    std::error_code ec;
    if (!entry.is_directory(ec)) return;
    const std::string name = entry.path().filename().string();
    int64_t version = 0;
    if (ParseVersionName(name, &version)) {
      out.emplace_back(version, entry.path());
    } else {
      TRT_LOG_DEBUG("model '{}': ignoring folder '{}' (version folders are numbers like 1, 2)",
                    model, name);
    }
  });
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::error_code ForEachDirEntry(const fs::path& dir,
                                const std::function<void(const fs::directory_entry&)>& visit) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) visit(*it);
  return ec;
}

std::string JoinNames(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string JoinVersions(const std::vector<int64_t>& versions) {
  std::vector<std::string> names;
  for (int64_t v : versions) names.push_back(std::to_string(v));
  return JoinNames(names);
}

Status ValidateModelName(std::string_view name) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("invalid model name '" + std::string(name) + "': " + std::string(why));
  };
  if (name.empty()) return bad("the name is empty");
  if (name[0] == '.') return bad("names may not start with '.' (no '.', '..' or hidden folders)");
  if (name.find('/') != std::string_view::npos || name.find('\\') != std::string_view::npos) {
    return bad("names may not contain '/' or '\\' (a model is one folder of the repository)");
  }
  if (name.find('\0') != std::string_view::npos) return bad("names may not contain NUL");
  return Status::Ok();
}

std::vector<std::string> ListModelFolders(const fs::path& root, Status* error) {
  std::vector<std::string> out;
  const std::error_code ec = ForEachDirEntry(root, [&](const fs::directory_entry& entry) {
    std::error_code ec2;
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory(ec2) || !ValidateModelName(name).ok()) {
      TRT_LOG_DEBUG("model repository: skipping '{}' (not a model folder)", name);
      return;
    }
    out.push_back(name);
  });
  if (ec) {
    if (error) *error = Unavailable("cannot list " + root.string() + ": " + ec.message());
    return {};
  }
  std::sort(out.begin(), out.end());
  if (error) *error = Status::Ok();
  return out;
}

std::vector<VersionFolder> ScanVersionFolders(const fs::path& model_dir, const std::string& model) {
  std::vector<VersionFolder> out;
  for (auto& [version, dir] : NumericFolders(model_dir, model)) {
    VersionFolder f;
    f.version = version;
    f.dir = dir;
    const bool onnx = IsRegularFile(dir / kOnnxFileName);
    const bool plan = IsRegularFile(dir / kPlanFileName);
    if (onnx && plan) {
      f.problem = "has both model.onnx and model.plan; keep only the one to serve";
    } else if (!onnx && !plan) {
      f.problem = "has no model.onnx or model.plan";
    } else {
      f.is_plan = plan;
      f.model_file = dir / (plan ? kPlanFileName : kOnnxFileName);
    }
    out.push_back(std::move(f));
  }
  return out;
}

StatusOr<std::vector<int64_t>> SelectVersions(const VersionPolicy& policy,
                                              const std::vector<VersionFolder>& folders,
                                              const std::string& model) {
  std::vector<int64_t> usable, found;
  for (const auto& f : folders) {
    found.push_back(f.version);
    if (f.model_file.empty()) {
      if (policy.kind != VersionPolicy::Kind::kSpecific) {
        TRT_LOG_WARN("model '{}': version folder {} is skipped: it {}", model, f.dir.string(),
                     f.problem);
      }
    } else {
      usable.push_back(f.version);
    }
  }
  std::vector<int64_t> selected;
  switch (policy.kind) {
    case VersionPolicy::Kind::kLatest:
      if (policy.latest < 1) {
        return InvalidArgument("model '" + model + "': version_policy latest must be >= 1, got " +
                               std::to_string(policy.latest));
      }
      selected.assign(usable.end() - std::min<int64_t>(policy.latest, usable.size()), usable.end());
      break;
    case VersionPolicy::Kind::kAll:
      selected = usable;
      break;
    case VersionPolicy::Kind::kSpecific:
      for (int64_t v : policy.specific) {
        auto it = std::find_if(folders.begin(), folders.end(),
                               [&](const VersionFolder& f) { return f.version == v; });
        if (it == folders.end()) {
          return NotFound("model '" + model + "': version_policy specific lists version " +
                          std::to_string(v) + ", but there is no folder " + model + "/" +
                          std::to_string(v) + " (version folders found: " + JoinVersions(found) +
                          ")");
        }
        if (it->model_file.empty()) {
          return NotFound("model '" + model + "': version " + std::to_string(v) + " (" +
                          it->dir.string() + ") " + it->problem);
        }
        selected.push_back(v);
      }
      std::sort(selected.begin(), selected.end());
      selected.erase(std::unique(selected.begin(), selected.end()), selected.end());
      break;
  }
  if (selected.empty()) {
    return NotFound("model '" + model + "' has no version to serve (version_policy " +
                    PolicyText(policy) + "; version folders found: " + JoinVersions(found) +
                    "). Add a folder like " + model + "/1/ holding model.onnx or model.plan");
  }
  return selected;
}

std::optional<FileStamp> StampFile(const fs::path& file, std::string name) {
  struct stat st;
  if (::stat(file.c_str(), &st) != 0) return std::nullopt;
  FileStamp s;
  s.name = std::move(name);
  s.size = static_cast<uint64_t>(st.st_size);
  s.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  s.inode = static_cast<uint64_t>(st.st_ino);
  return s;
}

std::vector<FileStamp> StampVersionFolder(const fs::path& model_dir, int64_t version) {
  std::vector<FileStamp> out;
  const std::string folder = std::to_string(version);
  ForEachDirEntry(model_dir / folder, [&](const fs::directory_entry& entry) {
    std::error_code ec;
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || !entry.is_regular_file(ec)) return;
    auto stamp = StampFile(entry.path(), folder + "/" + name);
    if (stamp) out.push_back(std::move(*stamp));  // else: vanished meanwhile
  });
  std::sort(out.begin(), out.end(),
            [](const FileStamp& a, const FileStamp& b) { return a.name < b.name; });
  return out;
}

ModelFingerprint FingerprintModel(const fs::path& model_dir) {
  ModelFingerprint fp;
  auto hash = HashFileContents(model_dir / kConfigFileName);
  fp.has_config = hash.ok();
  fp.config_hash = hash.ok() ? *hash : 0;
  for (const auto& [version, dir] : NumericFolders(model_dir, model_dir.filename().string())) {
    fp.versions.push_back(version);
    for (auto& s : StampVersionFolder(model_dir, version)) fp.files.push_back(std::move(s));
  }
  return fp;
}

}  // namespace trt::server
