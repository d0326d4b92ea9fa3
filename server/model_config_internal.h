// Internals shared by the three model-config translation units (not part of the contract):
//   model_config.cc           YAML -> ModelConfig (types, ranges, unknown keys), helpers
//   model_config_validate.cc  FillDefaults (the one place for derived defaults) + Validate
//   model_config_complete.cc  CompleteConfigFromModel (model-derived defaults and checks)
// Threading: plain values; a Problems object belongs to one parse.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/shape.h"
#include "engine/base/status.h"
#include "server/model_config.h"

namespace trt::server::config_internal {

// Collects every problem of one config as "<file>: <path>: <message>" lines, each followed
// by " (line N)" when the parser saw that path (or its nearest parent) in the YAML, and
// reports them in line order. The recorded paths double as the set of keys the YAML gave
// (FillDefaults asks Seen()).
class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}

  // `path` is a field path like "inputs[0].dims[2]"; "" for the whole file.
  void Add(const std::string& path, const std::string& message);
  // Records that the YAML gave `path`, at 1-based line `line`.
  void Saw(const std::string& path, int line) { lines_.emplace(path, line); }
  bool Seen(const std::string& path) const { return lines_.count(path) > 0; }
  bool empty() const { return messages_.empty(); }
  const std::string& file() const { return file_; }
  // OK when empty, else INVALID_ARGUMENT with one problem per line.
  Status ToStatus() const;

 private:
  std::string file_;
  std::map<std::string, int> lines_;
  std::vector<std::pair<int, std::string>> messages_;  // (line or 0, text)
};

// "a.b" from ("a", "b"); "b" from ("", "b").
std::string JoinPath(const std::string& parent, std::string_view key);
// "inputs[3]".
std::string IndexPath(const std::string& list, size_t index);
// "[1, -1, 8]" (config dims, -1 = dynamic).
std::string DimsText(const std::vector<int64_t>& dims);
// "1..4..32" for a min/opt/max triple.
std::string RangeText(int64_t min, int64_t opt, int64_t max);

// Derived defaults, in one place: name (the folder name), profile names ("profile<i>") and
// opt shapes (= max), default_priority_level (= priority_levels, the lowest), per-level queue
// policies (unset fields inherit default_queue_policy; every level gets one), preferred batch
// sizes sorted and de-duplicated. Model-derived defaults live in CompleteConfigFromModel.
void FillDefaults(const std::string& model_name, const Problems& seen, ModelConfig* config);

// Cross-field checks of a parsed, defaulted config (per-field types and ranges are checked
// by the parser). Adds every problem found.
void Validate(const std::string& model_name, const ModelConfig& config, Problems* problems);

// Checks profiles against the config's inputs: each names a listed input, has the input's
// rank (batch dim included when max_batch_size > 0), keeps static dims fixed, shares one
// batch range across inputs, and covers every input with a dynamic dim. Run by Validate when
// the YAML lists inputs and again by CompleteConfigFromModel once inputs are known.
void CheckProfilesAgainstInputs(const ModelConfig& config, Problems* problems);

// The batch range (dim 0 of the profile's first input) of a profile; false when the profile
// has no input with a batch dim.
bool ProfileBatchRange(const runtime::OptimizationProfile& profile, int64_t* min, int64_t* opt,
                       int64_t* max);

}  // namespace trt::server::config_internal
