// YAML reading helpers of the model-config parser (internal; see model_config_parse.cc):
// the key-table node type, type-checked scalar/list/map reads that report every problem with
// its field path, and "did you mean" suggestions for unknown keys.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/model_config_internal.h"

namespace trt::server::config_internal {

// One accepted key. `children` are the keys of its value when that is a mapping (or, with
// `list`, a list of mappings); a child named "<...>" stands for keys the user chooses.
struct KeyNode {
  std::string_view name;
  bool list = false;
  std::span<const KeyNode> children = {};
};

// Case-insensitive Levenshtein distance (0 = equal ignoring case).
size_t EditDistance(std::string_view a, std::string_view b);
// "unknown key; did you mean X?" (nearest key, or the Triton name's counterpart), else the
// list of allowed keys.
std::string UnknownKeyMessage(std::string_view key, std::span<const KeyNode> keys);
// How a node looks in messages: "a list", "a mapping", "nothing", or "'text'".
std::string Describe(const YAML::Node& n);

// Type-checked reads of YAML nodes; every failure is added to `problems` with its path.
// Not thread-safe (one Reader per parse).
class Reader {
 public:
  explicit Reader(Problems* problems) : problems_(problems) {}
  Problems& problems() { return *problems_; }

  // Records that the YAML gave `path` at `n`'s line.
  void Saw(const YAML::Node& n, const std::string& path);
  // True when `n` is a mapping (null counts as an empty one). Reports unknown and duplicate
  // keys (a KeyNode "<...>" in `keys` accepts any key) and records each key's line.
  bool Map(const YAML::Node& n, const std::string& path, std::span<const KeyNode> keys);
  // True when `n` is a list (null counts as an empty one).
  bool List(const YAML::Node& n, const std::string& path);
  // The text of a plain (unquoted) scalar; `what` names the expected type in errors.
  std::optional<std::string> PlainScalar(const YAML::Node& n, const std::string& path,
                                         std::string_view what);
  // A decimal integer in [min, max].
  std::optional<int64_t> Int(const YAML::Node& n, const std::string& path, int64_t min,
                             int64_t max);
  // true/false (also True/TRUE, False/FALSE; not YAML 1.1's yes/no/on/off).
  std::optional<bool> Bool(const YAML::Node& n, const std::string& path);
  // A finite number, or .inf / -.inf / .nan.
  std::optional<double> Number(const YAML::Node& n, const std::string& path);
  // Any scalar, quoted or not.
  std::optional<std::string> String(const YAML::Node& n, const std::string& path);
  // One of `names` (case-insensitive); returns its index.
  std::optional<int> Enum(const YAML::Node& n, const std::string& path,
                          std::initializer_list<std::string_view> names);
  // A list of integers, each in [min, max] (element paths "path[i]").
  std::optional<std::vector<int64_t>> Ints(const YAML::Node& n, const std::string& path,
                                           int64_t min, int64_t max);

 private:
  Problems* problems_;
};

// Calls read(child, path) when `map` has `key`.
template <typename F>
void With(const YAML::Node& map, std::string_view key, const std::string& parent, F read) {
  if (!map.IsMap()) return;
  const YAML::Node child = map[std::string(key)];
  if (child) read(child, JoinPath(parent, key));
}

// *out = map[key] when present and an integer in [min, max].
template <typename T>
void IntField(Reader& r, const YAML::Node& map, std::string_view key, const std::string& parent,
              int64_t min, int64_t max, T* out) {
  With(map, key, parent, [&](const YAML::Node& v, const std::string& p) {
    if (auto x = r.Int(v, p, min, max)) *out = static_cast<T>(*x);
  });
}

// *out = map[key] when present and a bool.
inline void BoolField(Reader& r, const YAML::Node& map, std::string_view key,
                      const std::string& parent, bool* out) {
  With(map, key, parent, [&](const YAML::Node& v, const std::string& p) {
    if (auto b = r.Bool(v, p)) *out = *b;
  });
}

}  // namespace trt::server::config_internal
