// YAML reading helpers of the model-config parser: typed reads and key suggestions.
#include "server/model_config_yaml.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace trt::server::config_internal {
namespace {

// Triton config.pbtxt names people carry over, with ours.
constexpr std::pair<std::string_view, std::string_view> kTritonNames[] = {
    {"input", "inputs"},
    {"output", "outputs"},
    {"data_type", "dtype"},
    {"preferred_batch_size", "preferred_batch_sizes"},
    {"max_queue_delay_microseconds", "max_queue_delay_us"},
    {"default_timeout_microseconds", "timeout_us"},
    {"instance_group", "instance_count"},
    {"allow_ragged_batch", "pad_to_batch"},
    {"model_warmup", "warmup"}};

std::string JoinNames(std::initializer_list<std::string_view> names) {
  std::string s;
  for (std::string_view n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string UnknownKeyMessage(std::string_view key, std::span<const KeyNode> keys) {
  for (const auto& [triton, ours] : kTritonNames) {
    if (key != triton) continue;
    for (const auto& k : keys) {
      if (k.name == ours) {
        return "unknown key; did you mean " + std::string(ours) + "? (Triton's `" +
               std::string(triton) + "` is `" + std::string(ours) + "` here)";
      }
    }
  }
  const KeyNode* best = nullptr;
  size_t best_distance = 0;
  for (const auto& k : keys) {
    const size_t d = EditDistance(key, k.name);
    if (!best || d < best_distance) best = &k, best_distance = d;
  }
  if (best && best_distance <= std::max<size_t>(2, best->name.size() / 3)) {
    return "unknown key; did you mean " + std::string(best->name) + "?";
  }
  std::string allowed;
  for (const auto& k : keys) allowed += (allowed.empty() ? "" : ", ") + std::string(k.name);
  return "unknown key; allowed here: " + allowed;
}

std::string Describe(const YAML::Node& n) {
  if (n.IsNull()) return "nothing";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  std::string s = n.Scalar();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return "'" + s + "'";
}

void Reader::Saw(const YAML::Node& n, const std::string& path) {
  if (n.Mark().line >= 0) problems_->Saw(path, n.Mark().line + 1);
}

bool Reader::Map(const YAML::Node& n, const std::string& path, std::span<const KeyNode> keys) {
  if (n.IsNull()) return true;
  if (!n.IsMap()) {
    problems_->Add(path, "expected a mapping (key: value lines), got " + Describe(n));
    return false;
  }
  const bool any_key = keys.size() == 1 && keys[0].name.starts_with("<");
  std::vector<std::string> seen;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) {
      problems_->Add(path, "keys must be plain names, got " + Describe(it->first));
      continue;
    }
    const std::string& key = it->first.Scalar();
    const std::string child = JoinPath(path, key);
    Saw(it->first, child);
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      problems_->Add(child, "duplicate key (each key may appear once)");
    }
    seen.push_back(key);
    if (any_key) continue;
    bool known = false;
    for (const auto& k : keys) known |= k.name == key;
    if (!known) problems_->Add(child, UnknownKeyMessage(key, keys));
  }
  return true;
}

bool Reader::List(const YAML::Node& n, const std::string& path) {
  if (n.IsNull() || n.IsSequence()) return true;
  problems_->Add(path, "expected a list ([a, b] or '- ' lines), got " + Describe(n));
  return false;
}

std::optional<std::string> Reader::PlainScalar(const YAML::Node& n, const std::string& path,
                                               std::string_view what) {
  if (!n.IsScalar() || n.Tag() == "!") {
    problems_->Add(path, "expected " + std::string(what) + ", got " +
                             (n.IsScalar() ? "the quoted string " : "") + Describe(n));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<int64_t> Reader::Int(const YAML::Node& n, const std::string& path, int64_t min,
                                   int64_t max) {
  auto text = PlainScalar(n, path, "an integer");
  if (!text) return std::nullopt;
  int64_t v = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || ptr != end) {
    problems_->Add(path, "expected an integer, got " + Describe(n));
    return std::nullopt;
  }
  if (v < min || v > max) {
    std::string range =
        max == std::numeric_limits<int64_t>::max()
            ? "must be >= " + std::to_string(min)
            : "must be between " + std::to_string(min) + " and " + std::to_string(max);
    problems_->Add(path, range + ", got " + std::to_string(v));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> Reader::Bool(const YAML::Node& n, const std::string& path) {
  auto text = PlainScalar(n, path, "true or false");
  if (!text) return std::nullopt;
  if (*text == "true" || *text == "True" || *text == "TRUE") return true;
  if (*text == "false" || *text == "False" || *text == "FALSE") return false;
  problems_->Add(path, "expected true or false, got " + Describe(n));
  return std::nullopt;
}

std::optional<double> Reader::Number(const YAML::Node& n, const std::string& path) {
  auto text = PlainScalar(n, path, "a number");
  if (!text) return std::nullopt;
  std::string t = *text;
  if (t == ".inf" || t == "+.inf" || t == ".Inf") return std::numeric_limits<double>::infinity();
  if (t == "-.inf" || t == "-.Inf") return -std::numeric_limits<double>::infinity();
  if (t == ".nan" || t == ".NaN") return std::numeric_limits<double>::quiet_NaN();
  if (!t.empty() && t[0] == '+') t.erase(0, 1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || ptr != t.data() + t.size() || std::isnan(v) ||
      std::isinf(v)) {
    problems_->Add(path, "expected a number (e.g. 0, -1.5, .inf), got " + Describe(n));
    return std::nullopt;
  }
  return v;
}

std::optional<std::string> Reader::String(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) {
    problems_->Add(path, "expected a string, got " + Describe(n));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<int> Reader::Enum(const YAML::Node& n, const std::string& path,
                                std::initializer_list<std::string_view> names) {
  auto text = PlainScalar(n, path, "one of " + JoinNames(names));
  if (!text) return std::nullopt;
  int i = 0;
  for (std::string_view name : names) {
    if (EditDistance(*text, name) == 0) return i;  // case-insensitive equality
    ++i;
  }
  problems_->Add(path, "expected one of " + JoinNames(names) + ", got " + Describe(n));
  return std::nullopt;
}

std::optional<std::vector<int64_t>> Reader::Ints(const YAML::Node& n, const std::string& path,
                                                 int64_t min, int64_t max) {
  if (!n.IsSequence()) {
    problems_->Add(path, "expected a list of integers like [1, 8, 8], got " + Describe(n));
    return std::nullopt;
  }
  std::vector<int64_t> out;
  bool ok = true;
  for (size_t i = 0; i < n.size(); ++i) {
    auto v = Int(n[i], IndexPath(path, i), min, max);
    ok &= v.has_value();
    if (v) out.push_back(*v);
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace trt::server::config_internal
