// ModelConfig's small public pieces (lookups, BuildKey, KServe datatype names, file loading)
// and the helpers the parse/validate/complete files share (model_config_internal.h).
#include "server/model_config.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <utility>

#include "server/model_config_internal.h"

namespace trt::server {
namespace config_internal {

void Problems::Add(const std::string& path, const std::string& message) {
  std::string text = file_ + ": ";
  if (!path.empty()) text += path + ": ";
  text += message;
  // The line of the path itself, else of its nearest recorded parent ("a.b[2].c" -> "a.b[2]"
  // -> "a.b" -> "a").
  int line = 0;
  for (std::string p = path; !p.empty() && line == 0;) {
    auto it = lines_.find(p);
    if (it != lines_.end()) {
      line = it->second;
      text += " (line " + std::to_string(line) + ")";
    }
    const size_t cut = p.find_last_of(".[");
    p.resize(cut == std::string::npos ? 0 : cut);
  }
  for (const auto& m : messages_) {
    if (m.second == text) return;
  }
  messages_.emplace_back(line, std::move(text));
}

Status Problems::ToStatus() const {
  if (messages_.empty()) return Status::Ok();
  auto sorted = messages_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text;
  for (const auto& m : sorted) text += (text.empty() ? "" : "\n") + m.second;
  return InvalidArgument(std::move(text));
}

std::string JoinPath(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string IndexPath(const std::string& list, size_t index) {
  return list + "[" + std::to_string(index) + "]";
}

std::string DimsText(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

std::string RangeText(int64_t min, int64_t opt, int64_t max) {
  return std::to_string(min) + ".." + std::to_string(opt) + ".." + std::to_string(max);
}

bool ProfileBatchRange(const runtime::OptimizationProfile& profile, int64_t* min, int64_t* opt,
                       int64_t* max) {
  for (const auto& r : profile.inputs) {
    if (r.min.rank() == 0 || r.opt.rank() == 0 || r.max.rank() == 0) continue;
    *min = r.min[0];
    *opt = r.opt[0];
    *max = r.max[0];
    return true;
  }
  return false;
}

}  // namespace config_internal

const TensorConfig* ModelConfig::FindInput(std::string_view input_name) const {
  for (const auto& t : inputs) {
    if (t.name == input_name) return &t;
  }
  return nullptr;
}

const TensorConfig* ModelConfig::FindOutput(std::string_view output_name) const {
  for (const auto& t : outputs) {
    if (t.name == output_name) return &t;
  }
  return nullptr;
}

std::string ModelConfig::BuildKey() const {
  // Profile order matters (contexts are addressed by index); input order inside a profile
  // does not, so inputs are sorted to keep the key independent of YAML order.
  std::string key = "precision=";
  key += precision == Precision::kInt8 ? "int8" : "fp32";
  for (const auto& p : profiles) {
    std::vector<const runtime::InputShapeRange*> ranges;
    for (const auto& r : p.inputs) ranges.push_back(&r);
    std::sort(ranges.begin(), ranges.end(),
              [](const auto* a, const auto* b) { return a->input < b->input; });
    key += ";profile=" + p.name + "{";
    for (size_t i = 0; i < ranges.size(); ++i) {
      const auto& r = *ranges[i];
      key += (i ? "," : "") + r.input + "=" + r.min.ToXString() + ".." + r.opt.ToXString() + ".." +
             r.max.ToXString();
    }
    key += "}";
  }
  return key;
}

namespace {

constexpr std::array<std::pair<std::string_view, DType>, 14> kKServeNames = {{
    {"BOOL", DType::kBool},
    {"UINT8", DType::kUInt8},
    {"UINT16", DType::kUInt16},
    {"UINT32", DType::kUInt32},
    {"UINT64", DType::kUInt64},
    {"INT8", DType::kInt8},
    {"INT16", DType::kInt16},
    {"INT32", DType::kInt32},
    {"INT64", DType::kInt64},
    {"FP16", DType::kFloat16},
    {"FP32", DType::kFloat32},
    {"FP64", DType::kFloat64},
    {"BYTES", DType::kString},
    {"BF16", DType::kBFloat16},
}};

}  // namespace

std::string_view KServeDatatype(DType t) {
  for (const auto& [name, dtype] : kKServeNames) {
    if (dtype == t) return name;
  }
  return "INVALID";
}

std::optional<DType> DTypeFromKServe(std::string_view datatype) {
  for (const auto& [name, dtype] : kKServeNames) {
    if (name == datatype) return dtype;
  }
  return std::nullopt;
}

StatusOr<ModelConfig> LoadModelConfig(const std::filesystem::path& file,
                                      const std::string& model_name) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return NotFound(file.string() + ": no such config file (each model folder needs a " +
                    "config.yaml; see configs/CONFIG_REFERENCE.md)");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kPermissionDenied,
                  file.string() + ": cannot open the file for reading (check its permissions)");
  }
  std::stringstream text;
  text << in.rdbuf();
  return ParseModelConfig(text.str(), file.string(), model_name);
}

}  // namespace trt::server
