#include "client/perf/measurement.h"

#include <algorithm>
#include <cmath>

namespace trt::client {

int64_t PercentileOfSorted(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  // The epsilon keeps p / 100 * n from rounding up past an exact rank (99.9% of 1000).
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()) - 1e-9);
  const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, double(sorted.size()))) - 1;
  return sorted[index];
}

LatencySummary SummarizeLatencies(std::vector<int64_t> latencies_ns, double percentile) {
  LatencySummary s;
  s.percentile = percentile;
  s.count = latencies_ns.size();
  if (latencies_ns.empty()) return s;
  std::sort(latencies_ns.begin(), latencies_ns.end());
  double sum = 0, sum_sq = 0;
  for (int64_t v : latencies_ns) {
    sum += static_cast<double>(v);
    sum_sq += static_cast<double>(v) * static_cast<double>(v);
  }
  const double n = static_cast<double>(latencies_ns.size());
  const double mean = sum / n;
  s.avg_us = mean / 1e3;
  s.stddev_us = std::sqrt(std::max(0.0, sum_sq / n - mean * mean)) / 1e3;
  s.min_us = static_cast<double>(latencies_ns.front()) / 1e3;
  s.max_us = static_cast<double>(latencies_ns.back()) / 1e3;
  auto pct = [&](double p) {
    return static_cast<double>(PercentileOfSorted(latencies_ns, p)) / 1e3;
  };
  s.p50_us = pct(50);
  s.p90_us = pct(90);
  s.p95_us = pct(95);
  s.p99_us = pct(99);
  s.chosen_us = pct(percentile);
  return s;
}

ClientStats ComputeClientStats(const std::vector<RequestSample>& samples, int64_t duration_ns,
                               double percentile, int64_t behind_threshold_ns) {
  ClientStats c;
  c.duration_s = static_cast<double>(duration_ns) / 1e9;
  std::vector<int64_t> latencies;
  latencies.reserve(samples.size());
  double send = 0, wait = 0, recv = 0, lag_sum = 0;
  for (const RequestSample& r : samples) {
    const int64_t lag = r.send_start_ns - r.scheduled_ns;
    lag_sum += static_cast<double>(lag);
    c.max_schedule_lag_us = std::max(c.max_schedule_lag_us, static_cast<double>(lag) / 1e3);
    if (lag > behind_threshold_ns) ++c.behind_schedule;
    if (r.code != StatusCode::OK) {
      ++c.failed;
      ++c.errors[StatusCodeName(r.code)];
      continue;
    }
    ++c.requests;
    c.inferences += static_cast<uint64_t>(r.batch);
    latencies.push_back(r.done_ns - r.scheduled_ns);
    send += static_cast<double>(r.sent_ns - r.send_start_ns);
    wait += static_cast<double>(r.received_ns - r.sent_ns);
    recv += static_cast<double>(r.done_ns - r.received_ns);
  }
  if (!samples.empty()) c.avg_schedule_lag_us = lag_sum / static_cast<double>(samples.size()) / 1e3;
  if (c.requests > 0) {
    const double n = static_cast<double>(c.requests) * 1e3;
    c.send_us = send / n;
    c.wait_us = wait / n;
    c.recv_us = recv / n;
  }
  if (c.duration_s > 0) {
    c.throughput = static_cast<double>(c.inferences) / c.duration_s;
    c.request_rate = static_cast<double>(c.requests) / c.duration_s;
  }
  c.latency = SummarizeLatencies(std::move(latencies), percentile);
  return c;
}

bool IsStable(const std::vector<double>& values, double percentage) {
  if (values.size() < 3) return false;
  const double mean =
      (values[values.size() - 1] + values[values.size() - 2] + values[values.size() - 3]) / 3.0;
  if (mean <= 0) return false;
  for (size_t i = values.size() - 3; i < values.size(); ++i) {
    if (std::fabs(values[i] - mean) > percentage / 100.0 * mean) return false;
  }
  return true;
}

}  // namespace trt::client
