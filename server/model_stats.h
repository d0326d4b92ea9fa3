// ModelStats: what one served model version records about its traffic, read by both the
// ModelStatistics RPC (KServe/Triton layout) and the Prometheus exporter (/metrics).
//
// Who records what:
// - the batcher, once per request it answers: RecordSuccess / RecordFailure (request-level
//   durations; compute_* are the durations of the batch the request ran in, as in Triton);
//   RecordRejected for requests refused before queueing (invalid, queue full, stopping);
// - the instance, once per executed batch: RecordExecution (batch-level durations, profile,
//   padding);
// - the batcher, whenever the queue changes: SetQueueDepth.
// Units: nanoseconds for durations, items = batch rows (a request of batch 4 is 4 items).
// Threading: every method is thread-safe and lock-free or briefly locked; Snapshot() gives a
// consistent-enough copy (each counter is read atomically; counters may be mid-update
// relative to each other by at most one request).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"

namespace trt::server {

struct DurationStat {
  uint64_t count = 0;
  uint64_t ns = 0;
};

// Prometheus-style histogram: cumulative counts per upper bound (+Inf implied last).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<uint64_t> cumulative_counts;  // same length as upper_bounds
    uint64_t count = 0;                       // == the +Inf bucket
    double sum = 0.0;
  };
  Snapshot Read() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bucket (not cumulative), +Inf last
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0.0};
};

// Bucket bounds used by the server: durations in microseconds, batch sizes in items.
std::vector<double> DurationBucketsUs();  // 50us .. 10s, roughly x2.5 steps
std::vector<double> BatchSizeBuckets();   // 1, 2, 4, ..., 1024

struct BatchStat {     // per executed batch size
  uint64_t count = 0;  // executions
  uint64_t input_ns = 0, infer_ns = 0, output_ns = 0;
};

struct ProfileStat {
  std::string name;
  uint64_t executions = 0;
  uint64_t items = 0;             // batch rows executed, padding rows included
  uint64_t padding_elements = 0;  // input elements that were padding (pad_to_batch)
  uint64_t total_elements = 0;    // input elements executed, padding included
};

struct ModelStatsSnapshot {
  std::string model;
  int64_t version = 0;
  uint64_t last_inference_ms = 0;  // since the epoch; 0 = never
  uint64_t inference_count = 0;    // items that succeeded
  uint64_t execution_count = 0;    // batches executed
  DurationStat success, fail, queue, compute_input, compute_infer, compute_output;
  std::map<int64_t, BatchStat> batch_stats;  // by executed batch size
  // Failures by reason label: "invalid_argument", "queue_full", "timeout", "unavailable",
  // "internal", ... (see FailureReason()). Rejected-before-queueing requests included.
  std::map<std::string, uint64_t> failures;
  uint64_t requests = 0;  // every request that reached this model (accepted or rejected)
  int64_t queue_depth = 0;
  Histogram::Snapshot queue_us;       // per request
  Histogram::Snapshot compute_us;     // per batch (input + infer + output)
  Histogram::Snapshot batch_size;     // per batch, items
  std::vector<ProfileStat> profiles;  // in plan order
};

// Metric label for a failed request's status: queue full (UNAVAILABLE from a full queue) is
// told apart by the caller; other codes map to their lower-case gRPC name.
std::string FailureReason(const Status& status, bool queue_full = false);

class ModelStats {
 public:
  ModelStats(std::string model, int64_t version, std::vector<std::string> profile_names);

  void RecordRejected(std::string_view reason);
  void RecordSuccess(int64_t items, uint64_t request_ns, uint64_t queue_ns, uint64_t input_ns,
                     uint64_t infer_ns, uint64_t output_ns);
  void RecordFailure(std::string_view reason, uint64_t request_ns, uint64_t queue_ns);
  void RecordExecution(int profile, int64_t batch_size, int64_t total_elements,
                       int64_t padding_elements, uint64_t input_ns, uint64_t infer_ns,
                       uint64_t output_ns);
  void SetQueueDepth(int64_t depth);

  ModelStatsSnapshot Snapshot() const;
  const std::string& model() const { return model_; }
  int64_t version() const { return version_; }

 private:
  std::string model_;
  int64_t version_;
  mutable std::mutex mu_;      // guards the maps and per-profile counters
  ModelStatsSnapshot totals_;  // counters (histograms live below)
  Histogram queue_us_, compute_us_, batch_size_;
  std::atomic<int64_t> queue_depth_{0};
};

}  // namespace trt::server
