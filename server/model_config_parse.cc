// YAML -> ModelConfig. Every mapping is checked against one key table (kTopKeys below, which
// also produces ModelConfigKeys()), every scalar is type- and range-checked, and every
// problem is collected with its field path; cross-field checks follow in
// model_config_validate.cc once the types are right.
#include <algorithm>
#include <limits>
#include <optional>
#include <span>

#include "server/model_config.h"
#include "server/model_config_internal.h"
#include "server/model_config_yaml.h"

namespace trt::server {
namespace {

using config_internal::BoolField;
using config_internal::Describe;
using config_internal::EditDistance;
using config_internal::IndexPath;
using config_internal::IntField;
using config_internal::JoinPath;
using config_internal::KeyNode;
using config_internal::Problems;
using config_internal::Reader;
using config_internal::With;

constexpr KeyNode kQueuePolicyKeys[] = {
    {"timeout_us"}, {"timeout_action"}, {"allow_timeout_override"}, {"max_queue_size"}};
constexpr KeyNode kPriorityPolicyKeys[] = {{"<level>", false, kQueuePolicyKeys}};
constexpr KeyNode kDynamicBatchingKeys[] = {{"preferred_batch_sizes"},
                                            {"max_queue_delay_us"},
                                            {"max_queue_size"},
                                            {"priority_levels"},
                                            {"default_priority_level"},
                                            {"default_queue_policy", false, kQueuePolicyKeys},
                                            {"priority_queue_policy", false, kPriorityPolicyKeys},
                                            {"preserve_ordering"}};
constexpr KeyNode kShapeRangeKeys[] = {{"min"}, {"opt"}, {"max"}};
constexpr KeyNode kShapesKeys[] = {{"<input>", false, kShapeRangeKeys}};
constexpr KeyNode kProfileKeys[] = {{"name"}, {"shapes", false, kShapesKeys}};
constexpr KeyNode kInputKeys[] = {{"name"}, {"dtype"}, {"dims"}, {"pad_to_batch"}, {"pad_value"}};
constexpr KeyNode kOutputKeys[] = {{"name"}, {"dtype"}, {"dims"}};
constexpr KeyNode kVersionPolicyKeys[] = {{"latest"}, {"all"}, {"specific"}};
constexpr KeyNode kWarmupKeys[] = {{"iterations"}, {"data"}};
constexpr KeyNode kTopKeys[] = {{"name"},
                                {"max_batch_size"},
                                {"version_policy", false, kVersionPolicyKeys},
                                {"inputs", true, kInputKeys},
                                {"outputs", true, kOutputKeys},
                                {"profiles", true, kProfileKeys},
                                {"dynamic_batching", false, kDynamicBatchingKeys},
                                {"instance_count"},
                                {"threads"},
                                {"inline_execution_max_us"},
                                {"precision"},
                                {"warmup", false, kWarmupKeys}};

// Limits that keep a typo from turning into a huge allocation or an absurd wait; see
// configs/CONFIG_REFERENCE.md.
constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxQueueSize = 1 << 24;
constexpr int64_t kMaxQueueDelayUs = 60'000'000;  // 60 s
constexpr int64_t kMaxTimeoutUs = 3'600'000'000;  // 1 h
constexpr int64_t kMaxPriorityLevels = 256;
constexpr int64_t kMaxInstances = 128;
constexpr int64_t kMaxThreads = 256;
constexpr int64_t kMaxWarmupIterations = 1000;

std::optional<DType> ParseConfigDType(Reader& r, const YAML::Node& n, const std::string& path) {
  auto text = r.String(n, path);
  if (!text) return std::nullopt;
  std::string upper = *text;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper.starts_with("TYPE_")) upper = upper.substr(5);  // Triton's TYPE_FP32
  if (auto t = DTypeFromKServe(upper == "STRING" ? "BYTES" : upper)) return *t;
  std::string lower = *text;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  DType t;
  if (ParseDType(lower, &t)) return t;
  r.problems().Add(path, "unknown dtype '" + *text +
                             "'; use a KServe name (BOOL, UINT8, INT32, INT64, FP16, FP32, "
                             "FP64, BF16, ...) or an ONNX name (float32, int64, ...)");
  return std::nullopt;
}

void ParseTensor(Reader& r, const YAML::Node& n, const std::string& path, bool is_input,
                 TensorConfig* t) {
  if (!r.Map(n, path, is_input ? std::span<const KeyNode>(kInputKeys) : kOutputKeys)) return;
  if (!n.IsMap() || !n["name"] || !n["dtype"] || !n["dims"]) {
    r.problems().Add(path,
                     "needs name, dtype and dims (e.g. {name: input, dtype: FP32, "
                     "dims: [1, 8, 8]}); list every " +
                         std::string(is_input ? "input" : "output") +
                         " this way, or none to take them from the model");
  }
  With(n, "name", path, [&](const YAML::Node& v, const std::string& p) {
    if (auto s = r.String(v, p)) t->name = *s;
    if (t->name.empty()) r.problems().Add(p, "must not be empty");
  });
  With(n, "dtype", path, [&](const YAML::Node& v, const std::string& p) {
    if (auto d = ParseConfigDType(r, v, p)) t->dtype = *d;
  });
  With(n, "dims", path, [&](const YAML::Node& v, const std::string& p) {
    if (auto d = r.Ints(v, p, -1, kMaxInt32)) t->dims = *d;
  });
  BoolField(r, n, "pad_to_batch", path, &t->pad_to_batch);
  With(n, "pad_value", path, [&](const YAML::Node& v, const std::string& p) {
    if (auto x = r.Number(v, p)) t->pad_value = *x;
  });
}

void ParseShapeRange(Reader& r, const YAML::Node& n, const std::string& path,
                     runtime::InputShapeRange* range) {
  if (n.IsSequence()) {  // a fixed shape: min = opt = max
    if (auto dims = r.Ints(n, path, 0, kMaxInt32)) {
      range->min = range->opt = range->max = Shape(*dims);
    }
    return;
  }
  if (!r.Map(n, path, kShapeRangeKeys)) return;
  if (!n.IsMap() || !n["min"] || !n["max"]) {
    r.problems().Add(path,
                     "needs min and max (opt defaults to max), e.g. {min: [1, 8], opt: "
                     "[4, 8], max: [32, 8]}, or one fixed shape like [1, 8]");
  }
  for (auto [key, shape] : {std::pair{"min", &range->min}, std::pair{"opt", &range->opt},
                            std::pair{"max", &range->max}}) {
    With(n, key, path, [&](const YAML::Node& v, const std::string& p) {
      if (auto dims = r.Ints(v, p, 0, kMaxInt32)) *shape = Shape(*dims);
    });
  }
}

void ParseProfile(Reader& r, const YAML::Node& n, const std::string& path,
                  runtime::OptimizationProfile* profile) {
  if (!r.Map(n, path, kProfileKeys)) return;
  With(n, "name", path, [&](const YAML::Node& v, const std::string& p) {
    if (auto s = r.String(v, p)) profile->name = *s;
    if (profile->name.empty()) r.problems().Add(p, "must not be empty");
  });
  With(n, "shapes", path, [&](const YAML::Node& shapes, const std::string& p) {
    if (!r.Map(shapes, p, kShapesKeys) || !shapes.IsMap()) return;
    for (auto it = shapes.begin(); it != shapes.end(); ++it) {
      if (!it->first.IsScalar()) continue;  // reported by Map
      runtime::InputShapeRange range;
      range.input = it->first.Scalar();
      ParseShapeRange(r, it->second, JoinPath(p, range.input), &range);
      profile->inputs.push_back(std::move(range));
    }
  });
}

void ParseQueuePolicy(Reader& r, const YAML::Node& n, const std::string& path, QueuePolicy* q) {
  if (!r.Map(n, path, kQueuePolicyKeys)) return;
  IntField(r, n, "timeout_us", path, 0, kMaxTimeoutUs, &q->timeout_us);
  With(n, "timeout_action", path, [&](const YAML::Node& v, const std::string& p) {
    if (auto e = r.Enum(v, p, {"reject", "delay"})) {
      q->timeout_action =
          *e == 0 ? QueuePolicy::TimeoutAction::kReject : QueuePolicy::TimeoutAction::kDelay;
    }
  });
  BoolField(r, n, "allow_timeout_override", path, &q->allow_timeout_override);
  IntField(r, n, "max_queue_size", path, 0, kMaxQueueSize, &q->max_queue_size);
}

void ParseDynamicBatching(Reader& r, const YAML::Node& n, const std::string& path,
                          DynamicBatchingConfig* d) {
  if (!r.Map(n, path, kDynamicBatchingKeys)) return;
  With(n, "preferred_batch_sizes", path, [&](const YAML::Node& v, const std::string& p) {
    if (auto x = r.Ints(v, p, 1, kMaxInt32)) d->preferred_batch_sizes = *x;
  });
  IntField(r, n, "max_queue_delay_us", path, 0, kMaxQueueDelayUs, &d->max_queue_delay_us);
  IntField(r, n, "max_queue_size", path, 1, kMaxQueueSize, &d->max_queue_size);
  IntField(r, n, "priority_levels", path, 1, kMaxPriorityLevels, &d->priority_levels);
  IntField(r, n, "default_priority_level", path, 1, kMaxPriorityLevels, &d->default_priority_level);
  With(n, "default_queue_policy", path, [&](const YAML::Node& v, const std::string& p) {
    ParseQueuePolicy(r, v, p, &d->default_queue_policy);
  });
  With(n, "priority_queue_policy", path, [&](const YAML::Node& v, const std::string& p) {
    if (!r.Map(v, p, kPriorityPolicyKeys) || !v.IsMap()) return;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!it->first.IsScalar()) continue;  // reported by Map
      auto level = r.Int(it->first, JoinPath(p, it->first.Scalar()), 1, kMaxPriorityLevels);
      if (!level) continue;
      // Canonical path ("01" -> "1"): FillDefaults looks the level's fields up by number.
      const std::string level_path = JoinPath(p, std::to_string(*level));
      if (d->priority_queue_policy.count(*level)) {
        r.problems().Add(level_path, "level " + std::to_string(*level) + " is given twice");
      }
      ParseQueuePolicy(r, it->second, level_path, &d->priority_queue_policy[*level]);
    }
  });
  BoolField(r, n, "preserve_ordering", path, &d->preserve_ordering);
}

void ParseVersionPolicy(Reader& r, const YAML::Node& n, const std::string& path, VersionPolicy* v) {
  const std::string forms = "write `all`, {latest: N} or {specific: [1, 3]}";
  if (n.IsScalar()) {
    if (n.Tag() != "!" && EditDistance(n.Scalar(), "all") == 0) {
      v->kind = VersionPolicy::Kind::kAll;
    } else {
      r.problems().Add(path, "got " + Describe(n) + "; " + forms);
    }
    return;
  }
  if (!r.Map(n, path, kVersionPolicyKeys)) return;
  int kinds = 0;
  for (const auto& k : kVersionPolicyKeys) kinds += n.IsMap() && n[std::string(k.name)] ? 1 : 0;
  // (Zero kinds with other keys was reported by Map as unknown keys.)
  if (kinds > 1 || (kinds == 0 && (!n.IsMap() || n.size() == 0))) {
    r.problems().Add(path, "needs exactly one of latest, all, specific; " + forms);
    return;
  }
  With(n, "latest", path, [&](const YAML::Node& x, const std::string& p) {
    v->kind = VersionPolicy::Kind::kLatest;
    if (auto latest = r.Int(x, p, 1, kMaxInt32)) v->latest = *latest;
  });
  With(n, "all", path, [&](const YAML::Node& x, const std::string& p) {
    v->kind = VersionPolicy::Kind::kAll;
    if (x.IsNull() || (x.IsMap() && x.size() == 0)) return;
    if (auto b = r.Bool(x, p); b && !*b) {
      r.problems().Add(p, "`all: false` selects nothing; " + forms);
    }
  });
  With(n, "specific", path, [&](const YAML::Node& x, const std::string& p) {
    v->kind = VersionPolicy::Kind::kSpecific;
    auto versions = r.Ints(x, p, 1, std::numeric_limits<int64_t>::max());
    if (versions && versions->empty()) r.problems().Add(p, "must list at least one version");
    if (versions) v->specific = *versions;
  });
}

void ParseWarmup(Reader& r, const YAML::Node& n, const std::string& path, WarmupConfig* w) {
  if (!r.Map(n, path, kWarmupKeys)) return;
  IntField(r, n, "iterations", path, 0, kMaxWarmupIterations, &w->iterations);
  With(n, "data", path, [&](const YAML::Node& v, const std::string& p) {
    if (auto e = r.Enum(v, p, {"zeros", "random"})) {
      w->data = *e == 0 ? WarmupConfig::Data::kZeros : WarmupConfig::Data::kRandom;
    }
  });
}

template <typename T, typename F>
void ParseList(Reader& r, const YAML::Node& n, const std::string& path, std::vector<T>* out,
               F parse_one) {
  if (!r.List(n, path) || !n.IsSequence()) return;
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string p = IndexPath(path, i);
    r.Saw(n[i], p);
    out->emplace_back();
    parse_one(n[i], p, &out->back());
  }
}

void ParseTop(Reader& r, const YAML::Node& root, ModelConfig* c) {
  if (!root.IsNull() && !root.IsMap()) {
    r.problems().Add("",
                     "expected a mapping of keys (name:, max_batch_size:, inputs:, ...) at "
                     "the top level, got " +
                         Describe(root));
    return;
  }
  r.Map(root, "", kTopKeys);
  With(root, "name", "", [&](const YAML::Node& v, const std::string& p) {
    if (auto s = r.String(v, p)) c->name = *s;
  });
  IntField(r, root, "max_batch_size", "", 0, kMaxInt32, &c->max_batch_size);
  With(root, "version_policy", "", [&](const YAML::Node& v, const std::string& p) {
    ParseVersionPolicy(r, v, p, &c->version_policy);
  });
  for (bool is_input : {true, false}) {
    With(root, is_input ? "inputs" : "outputs", "", [&](const YAML::Node& v, const std::string& p) {
      ParseList(r, v, p, is_input ? &c->inputs : &c->outputs,
                [&](const YAML::Node& e, const std::string& ep, TensorConfig* t) {
                  ParseTensor(r, e, ep, is_input, t);
                });
    });
  }
  With(root, "profiles", "", [&](const YAML::Node& v, const std::string& p) {
    ParseList(r, v, p, &c->profiles,
              [&](const YAML::Node& e, const std::string& ep, runtime::OptimizationProfile* prof) {
                ParseProfile(r, e, ep, prof);
              });
  });
  With(root, "dynamic_batching", "", [&](const YAML::Node& v, const std::string& p) {
    ParseDynamicBatching(r, v, p, &c->dynamic_batching);
  });
  IntField(r, root, "instance_count", "", 1, kMaxInstances, &c->instance_count);
  IntField(r, root, "threads", "", 1, kMaxThreads, &c->threads);
  IntField(r, root, "inline_execution_max_us", "", 0, kMaxQueueDelayUs,
           &c->inline_execution_max_us);
  With(root, "precision", "", [&](const YAML::Node& v, const std::string& p) {
    if (auto e = r.Enum(v, p, {"fp32", "int8"})) {
      c->precision = *e == 0 ? Precision::kFp32 : Precision::kInt8;
    }
  });
  With(root, "warmup", "",
       [&](const YAML::Node& v, const std::string& p) { ParseWarmup(r, v, p, &c->warmup); });
}

void AddKeys(std::span<const KeyNode> keys, const std::string& prefix,
             std::vector<std::string>* out) {
  for (const auto& k : keys) {
    const std::string path = JoinPath(prefix, k.name);
    out->push_back(path);
    AddKeys(k.children, k.list ? path + "[]" : path, out);
  }
}

}  // namespace

std::vector<std::string> ModelConfigKeys() {
  std::vector<std::string> keys;
  AddKeys(kTopKeys, "", &keys);
  return keys;
}

StatusOr<ModelConfig> ParseModelConfig(std::string_view yaml, const std::string& file,
                                       const std::string& model_name) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    std::string where = file + ": ";
    if (!e.mark.is_null()) {
      where += "line " + std::to_string(e.mark.line + 1) + ", column " +
               std::to_string(e.mark.column + 1) + ": ";
    }
    return InvalidArgument(where + "YAML syntax error: " + e.msg +
                           " (check the indentation: spaces only, no tabs; close every [ and {; "
                           "quote values that contain ': ' or ' #')");
  }
  Problems problems(file);
  Reader reader(&problems);
  ModelConfig config;
  config.config_path = file;
  try {
    ParseTop(reader, root, &config);
  } catch (const std::exception& e) {  // yaml-cpp throws on malformed node access
    problems.Add("", std::string("could not read the config: ") + e.what());
  }
  // Cross-field checks only once every field has the right type: a field that failed to
  // parse would otherwise show up again as a misleading consequence.
  if (problems.empty()) {
    config_internal::FillDefaults(model_name, problems, &config);
    config_internal::Validate(model_name, config, &problems);
  }
  TRT_RETURN_IF_ERROR(problems.ToStatus());
  return config;
}

}  // namespace trt::server
