// Server-side breakdown of a measurement span, from ModelStatistics taken before and after.
//
// Per-request averages are delta ns / delta count of the InferStatistics durations (queue,
// compute_input, compute_infer, compute_output), as perf_analyzer computes them; executed
// batch sizes come from the batch_stats deltas (executions per batch size). With several
// endpoints the statistics of all of them are summed first (SumModelStatistics).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "client/kserve_client.h"
#include "client/status.h"
#include "proto/grpc_service.pb.h"

namespace trt::client {

struct ServerBreakdown {
  bool available = false;      // false when the server has no ModelStatistics
  uint64_t success_count = 0;  // requests that succeeded in the span
  uint64_t fail_count = 0;
  uint64_t inference_count = 0;
  uint64_t execution_count = 0;
  // Per successful request, microseconds. request_us is the server's whole handling time
  // (InferStatistics.success); what it has beyond queue + compute is server overhead.
  double request_us = 0;
  double queue_us = 0, compute_input_us = 0, compute_infer_us = 0, compute_output_us = 0;
  std::map<uint64_t, uint64_t> batch_executions;  // executed batch size -> executions
  double mean_batch_size = 0;                     // items per execution
};

// Sums the statistics entries (several versions, several endpoints) into one; batch_stats are
// merged by batch size. `name` is taken from the first entry.
inference::ModelStatistics SumModelStatistics(const std::vector<inference::ModelStatistics>& all);

// Statistics of `model` (every version when `version` is empty) summed over every endpoint of
// `pool`. NOT_FOUND when no endpoint reports the model.
StatusOr<inference::ModelStatistics> FetchSummedStatistics(EndpointPool& pool,
                                                           const std::string& model,
                                                           const std::string& version);

// The breakdown of the span between two snapshots. Counters that went backwards (a server
// restart or model reload) give zero deltas rather than wrapped values.
ServerBreakdown ComputeServerBreakdown(const inference::ModelStatistics& before,
                                       const inference::ModelStatistics& after);

}  // namespace trt::client
