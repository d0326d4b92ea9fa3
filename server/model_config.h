// ModelConfig: the per-model `config.yaml` of a model repository, as an immutable struct.
//
// Pipeline: ParseModelConfig (YAML -> struct; unknown keys and wrong types are errors) ->
// defaults filled in one place -> Validate (every problem reported with "<file>: <field.path>:
// ...") -> CompleteConfigFromModel (fills what the model itself defines, checks the rest
// against it) -> `std::shared_ptr<const ModelConfig>` that the server reads and never
// re-parses. Every field is documented, with type, default and meaning, in
// configs/CONFIG_REFERENCE.md; keep the two in sync (a test checks that every key the parser
// accepts appears in the reference).
//
// YAML shape (annotated example: configs/model_repository/digits/config.yaml):
//   name: digits                    # optional; must equal the model's folder name
//   max_batch_size: 128             # 0 = the model has no batch dimension
//   version_policy: {latest: 1}     # or `all`, or {specific: [1, 3]}
//   inputs:  [{name: input, dtype: FP32, dims: [1, 8, 8], pad_to_batch: false, pad_value: 0}]
//   outputs: [{name: logits, dtype: FP32, dims: [10]}]
//   profiles:                       # batch dim included
//     - name: latency
//       shapes: {input: {min: [1, 1, 8, 8], opt: [1, 1, 8, 8], max: [1, 1, 8, 8]}}
//   dynamic_batching: {preferred_batch_sizes: [4], max_queue_delay_us: 200, max_queue_size: 1024,
//                      priority_levels: 2, default_priority_level: 2,
//                      default_queue_policy: {timeout_us: 0, timeout_action: reject,
//                                             allow_timeout_override: true, max_queue_size: 0},
//                      priority_queue_policy: {1: {...}}, preserve_ordering: false}
//   instance_count: 1
//   threads: 1
//   precision: fp32
//   warmup: {iterations: 1, data: zeros}
// Threading: plain values; share as std::shared_ptr<const ModelConfig>.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/dtype.h"
#include "engine/base/status.h"
#include "engine/graph/graph.h"
#include "engine/runtime/profile.h"

namespace trt::server {

struct TensorConfig {
  std::string name;
  DType dtype = DType::kUndefined;  // YAML: KServe spelling (FP32, INT64, ...) or ONNX (float32)
  // Without the batch dimension when max_batch_size > 0; -1 marks a dynamic dim.
  std::vector<int64_t> dims;
  // Inputs only. When true (and some non-batch dim is dynamic), requests whose shapes differ
  // only in dynamic dims may share a batch: shorter ones are padded with pad_value up to the
  // batch's longest, and outputs are trimmed back to each request's own size.
  bool pad_to_batch = false;
  double pad_value = 0.0;
};

struct QueuePolicy {
  enum class TimeoutAction { kReject, kDelay };
  // Longest a request may wait in the queue, in microseconds; 0 = no limit.
  uint64_t timeout_us = 0;
  // On expiry: kReject answers DEADLINE_EXCEEDED; kDelay keeps the request but it no longer
  // counts against max_queue_delay (it is scheduled after requests that have not expired).
  TimeoutAction timeout_action = TimeoutAction::kReject;
  // Whether a request's own `timeout` parameter may replace timeout_us.
  bool allow_timeout_override = false;
  // Cap on requests queued at this level; 0 = only the model-wide cap applies.
  uint32_t max_queue_size = 0;
};

struct DynamicBatchingConfig {
  // Batch sizes the batcher aims for, ascending. Default: the profiles' opt batch sizes.
  std::vector<int64_t> preferred_batch_sizes;
  // Longest the oldest request waits for a batch to fill, in microseconds (0 = send at once).
  uint64_t max_queue_delay_us = 0;
  // Model-wide cap on queued requests (all levels); a full queue answers UNAVAILABLE.
  uint32_t max_queue_size = 1024;
  // Levels 1 (highest) .. priority_levels; requests without a priority get the default
  // (when the YAML does not say: priority_levels, the lowest).
  uint32_t priority_levels = 1;
  uint32_t default_priority_level = 1;
  QueuePolicy default_queue_policy;
  // After defaults are filled: one entry for EVERY level 1..priority_levels (levels the YAML
  // does not mention get default_queue_policy; fields a level leaves out inherit it).
  std::map<uint32_t, QueuePolicy> priority_queue_policy;
  // Responses leave in arrival order (a later request's response waits for earlier ones).
  bool preserve_ordering = false;
};

struct VersionPolicy {
  enum class Kind { kLatest, kAll, kSpecific };
  Kind kind = Kind::kLatest;
  int64_t latest = 1;             // kLatest: serve the N highest versions
  std::vector<int64_t> specific;  // kSpecific: exactly these versions
};

struct WarmupConfig {
  enum class Data { kZeros, kRandom };
  // Runs of every profile context at its opt shapes before the model is marked ready
  // (0 = no warmup).
  int iterations = 1;
  Data data = Data::kZeros;
};

enum class Precision { kFp32, kInt8 };

struct ModelConfig {
  std::string name;         // the folder name
  std::string config_path;  // the config.yaml this came from (for error messages)
  VersionPolicy version_policy;
  int64_t max_batch_size = 0;
  std::vector<TensorConfig> inputs;
  std::vector<TensorConfig> outputs;
  // Batch dimension included. After CompleteConfigFromModel never empty: a config without
  // profiles gets one profile "default" (batch 1..max_batch_size, opt = max, every other
  // dim fixed), and a model given as a plan must list the plan's profiles or none.
  std::vector<runtime::OptimizationProfile> profiles;
  DynamicBatchingConfig dynamic_batching;
  int instance_count = 1;  // execution instances (each has one context per profile)
  int threads = 1;         // intra-op threads per instance
  // A unary request may run on the gRPC thread that received it (no hand-off to the
  // instance's worker) when an instance is idle and its profile's recent batches took at
  // most this long, in microseconds; 0 = never.
  uint64_t inline_execution_max_us = 1000;
  Precision precision = Precision::kFp32;
  WarmupConfig warmup;

  const TensorConfig* FindInput(std::string_view name) const;
  const TensorConfig* FindOutput(std::string_view name) const;
  // Stable text of everything that changes the built plan (profiles, precision), used with
  // the model hash and ISA as the plan cache key.
  std::string BuildKey() const;
};

// Parses and validates YAML text. `file` is used in messages only; `model_name` is the
// repository folder name (a `name:` field must equal it). Errors: INVALID_ARGUMENT,
// "<file>: <field.path>: <problem>", listing every problem found, one per line.
StatusOr<ModelConfig> ParseModelConfig(std::string_view yaml, const std::string& file,
                                       const std::string& model_name);
// Reads `file` and parses it (NOT_FOUND when missing, PERMISSION_DENIED when unreadable).
StatusOr<ModelConfig> LoadModelConfig(const std::filesystem::path& file,
                                      const std::string& model_name);

// Fills what the config leaves to the model (inputs/outputs when the config lists none,
// the default profile, preferred_batch_sizes) and checks the rest against the model's graph:
// every input/output exists with that dtype and those dims (an input's -1 dim must be dynamic
// in the model unless every profile fixes it to the model's value, as in a plan whose
// profiles all fix it; an output's -1 accepts whatever the model computes), the batch dim,
// and every profile (runtime::ValidateProfile). Errors name the config file, the field and
// the model's actual value, every problem one per line; on error *config is unchanged.
Status CompleteConfigFromModel(ModelConfig* config, const graph::Model& model);

// Every dotted key path the parser accepts, parents before children, e.g. "inputs",
// "inputs[].dims", "dynamic_batching.priority_queue_policy.<level>.timeout_action",
// "profiles[].shapes.<input>.min" (`[]` = an element of a list, `<...>` = a key the user
// chooses). configs/CONFIG_REFERENCE.md documents each one.
std::vector<std::string> ModelConfigKeys();

// KServe datatype string ("FP32", "INT64", "BYTES", ...) of a DType, and back.
std::string_view KServeDatatype(DType t);
std::optional<DType> DTypeFromKServe(std::string_view datatype);

}  // namespace trt::server
