#include "server/model_stats.h"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace trt::server {

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double value) {
  size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.upper_bounds = bounds_;
  s.cumulative_counts.resize(bounds_.size());
  uint64_t running = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    s.cumulative_counts[i] = running;
  }
  // The +Inf bucket is the total; read it last so that count >= every finite bucket.
  s.count = std::max(running + counts_[bounds_.size()].load(std::memory_order_relaxed),
                     count_.load(std::memory_order_relaxed));
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> DurationBucketsUs() {
  return {50,    100,    250,    500,    1000,    2500,    5000,    10000,   25000,
          50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000};
}

std::vector<double> BatchSizeBuckets() {
  std::vector<double> b;
  for (double v = 1; v <= 1024; v *= 2) b.push_back(v);
  return b;
}

std::string FailureReason(const Status& status, bool queue_full) {
  if (queue_full) return "queue_full";
  if (status.code() == StatusCode::kDeadlineExceeded) return "timeout";
  std::string name(StatusCodeName(status.code()));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

ModelStats::ModelStats(std::string model, int64_t version, std::vector<std::string> profile_names)
    : model_(std::move(model)),
      version_(version),
      queue_us_(DurationBucketsUs()),
      compute_us_(DurationBucketsUs()),
      batch_size_(BatchSizeBuckets()) {
  totals_.model = model_;
  totals_.version = version_;
  for (auto& name : profile_names) totals_.profiles.push_back(ProfileStat{.name = std::move(name)});
}

namespace {
void Add(DurationStat& d, uint64_t ns) {
  d.count += 1;
  d.ns += ns;
}
uint64_t NowMsSinceEpoch() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}
}  // namespace

void ModelStats::RecordRejected(std::string_view reason) {
  std::lock_guard<std::mutex> lock(mu_);
  totals_.requests += 1;
  totals_.failures[std::string(reason)] += 1;
}

void ModelStats::RecordSuccess(int64_t items, uint64_t request_ns, uint64_t queue_ns,
                               uint64_t input_ns, uint64_t infer_ns, uint64_t output_ns) {
  queue_us_.Observe(static_cast<double>(queue_ns) / 1000.0);
  std::lock_guard<std::mutex> lock(mu_);
  totals_.requests += 1;
  totals_.inference_count += static_cast<uint64_t>(items);
  totals_.last_inference_ms = NowMsSinceEpoch();
  Add(totals_.success, request_ns);
  Add(totals_.queue, queue_ns);
  Add(totals_.compute_input, input_ns);
  Add(totals_.compute_infer, infer_ns);
  Add(totals_.compute_output, output_ns);
}

void ModelStats::RecordFailure(std::string_view reason, uint64_t request_ns, uint64_t queue_ns) {
  queue_us_.Observe(static_cast<double>(queue_ns) / 1000.0);
  std::lock_guard<std::mutex> lock(mu_);
  totals_.requests += 1;
  totals_.failures[std::string(reason)] += 1;
  Add(totals_.fail, request_ns);
}

void ModelStats::RecordExecution(int profile, int64_t batch_size, int64_t total_elements,
                                 int64_t padding_elements, uint64_t input_ns, uint64_t infer_ns,
                                 uint64_t output_ns) {
  compute_us_.Observe(static_cast<double>(input_ns + infer_ns + output_ns) / 1000.0);
  batch_size_.Observe(static_cast<double>(batch_size));
  std::lock_guard<std::mutex> lock(mu_);
  totals_.execution_count += 1;
  BatchStat& b = totals_.batch_stats[batch_size];
  b.count += 1;
  b.input_ns += input_ns;
  b.infer_ns += infer_ns;
  b.output_ns += output_ns;
  if (profile >= 0 && profile < static_cast<int>(totals_.profiles.size())) {
    ProfileStat& p = totals_.profiles[profile];
    p.executions += 1;
    p.items += static_cast<uint64_t>(batch_size);
    p.total_elements += static_cast<uint64_t>(total_elements);
    p.padding_elements += static_cast<uint64_t>(padding_elements);
  }
}

void ModelStats::SetQueueDepth(int64_t depth) {
  queue_depth_.store(depth, std::memory_order_relaxed);
}

ModelStatsSnapshot ModelStats::Snapshot() const {
  ModelStatsSnapshot s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = totals_;
  }
  s.queue_depth = queue_depth_.load(std::memory_order_relaxed);
  s.queue_us = queue_us_.Read();
  s.compute_us = compute_us_.Read();
  s.batch_size = batch_size_.Read();
  return s;
}

}  // namespace trt::server
