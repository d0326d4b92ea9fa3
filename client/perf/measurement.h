// Per-request timing samples and the client-side statistics computed from them.
//
// Timestamps are steady-clock nanoseconds. For each request the load generator records:
//   scheduled  when it was due (open loop: from the send schedule; closed loop: = send start)
//   send_start the client began preparing it (pick the input variant, copy the serialized
//              request, create the call context)
//   sent       the call was handed to gRPC
//   received   the call's completion was dequeued (response bytes are in)
//   done       the response was parsed and checked
// Derived, as perf_analyzer reports them:
//   latency           = done - scheduled   (open loop: includes any lag behind schedule)
//   client send       = sent - send_start
//   network+server    = received - sent    (the CSV column subtracts server queue + compute)
//   client recv       = done - received
//   schedule lag      = send_start - scheduled
// Percentiles are exact: computed from every sample of the window(s), sorted, nearest rank
// (the smallest value with at least p% of the samples at or below it). No histogram
// approximation is involved.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "client/status.h"

namespace trt::client {

struct RequestSample {
  int64_t scheduled_ns = 0;
  int64_t send_start_ns = 0;
  int64_t sent_ns = 0;
  int64_t received_ns = 0;
  int64_t done_ns = 0;
  int32_t batch = 1;  // inferences carried by the request
  StatusCode code = StatusCode::OK;
  uint32_t endpoint = 0;  // index into the endpoint pool
};

struct LatencySummary {
  uint64_t count = 0;
  double avg_us = 0, stddev_us = 0, min_us = 0, max_us = 0;
  double p50_us = 0, p90_us = 0, p95_us = 0, p99_us = 0;
  double percentile = 99;  // the chosen --percentile ...
  double chosen_us = 0;    // ... and its value
};

struct ClientStats {
  double duration_s = 0;
  uint64_t requests = 0;    // successful requests
  uint64_t inferences = 0;  // sum of their batch sizes
  uint64_t failed = 0;
  std::map<std::string, uint64_t> errors;        // failed requests by gRPC code name
  double throughput = 0;                         // inferences per second
  double request_rate = 0;                       // successful requests per second
  LatencySummary latency;                        // successful requests only
  double send_us = 0, wait_us = 0, recv_us = 0;  // averages over successful requests
  // Open loop: lag of the actual send behind its scheduled time (all requests).
  double avg_schedule_lag_us = 0, max_schedule_lag_us = 0;
  uint64_t behind_schedule = 0;  // sends later than the threshold
};

// Nearest-rank percentile of sorted values; 0 for an empty vector. `p` in (0, 100].
int64_t PercentileOfSorted(const std::vector<int64_t>& sorted, double p);

// Latency summary of `latencies_ns` (any order) with `percentile` as the chosen one.
LatencySummary SummarizeLatencies(std::vector<int64_t> latencies_ns, double percentile);

// Statistics of the samples completed in a span of `duration_ns`.
ClientStats ComputeClientStats(const std::vector<RequestSample>& samples, int64_t duration_ns,
                               double percentile, int64_t behind_threshold_ns);

// perf_analyzer's rule: the last three values each lie within +-`percentage` % of their mean.
// False with fewer than three values or a zero mean.
bool IsStable(const std::vector<double>& values, double percentage);

}  // namespace trt::client
