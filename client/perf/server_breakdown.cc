#include "client/perf/server_breakdown.h"

namespace trt::client {
namespace {

uint64_t Delta(uint64_t before, uint64_t after) { return after > before ? after - before : 0; }

void Add(const inference::StatisticDuration& from, inference::StatisticDuration* to) {
  to->set_count(to->count() + from.count());
  to->set_ns(to->ns() + from.ns());
}

// Average duration per counted event in the span, in microseconds.
double AvgUs(const inference::StatisticDuration& before,
             const inference::StatisticDuration& after) {
  const uint64_t count = Delta(before.count(), after.count());
  return count ? static_cast<double>(Delta(before.ns(), after.ns())) / count / 1e3 : 0.0;
}

std::map<uint64_t, uint64_t> ExecutionsBySize(const inference::ModelStatistics& s) {
  std::map<uint64_t, uint64_t> m;
  for (const auto& b : s.batch_stats()) m[b.batch_size()] += b.compute_infer().count();
  return m;
}

}  // namespace

inference::ModelStatistics SumModelStatistics(const std::vector<inference::ModelStatistics>& all) {
  inference::ModelStatistics sum;
  std::map<uint64_t, inference::InferBatchStatistics> batches;
  for (const auto& s : all) {
    if (sum.name().empty()) sum.set_name(s.name());
    sum.set_last_inference(std::max(sum.last_inference(), s.last_inference()));
    sum.set_inference_count(sum.inference_count() + s.inference_count());
    sum.set_execution_count(sum.execution_count() + s.execution_count());
    const auto& in = s.inference_stats();
    auto* out = sum.mutable_inference_stats();
    Add(in.success(), out->mutable_success());
    Add(in.fail(), out->mutable_fail());
    Add(in.queue(), out->mutable_queue());
    Add(in.compute_input(), out->mutable_compute_input());
    Add(in.compute_infer(), out->mutable_compute_infer());
    Add(in.compute_output(), out->mutable_compute_output());
    for (const auto& b : s.batch_stats()) {
      auto& m = batches[b.batch_size()];
      m.set_batch_size(b.batch_size());
      Add(b.compute_input(), m.mutable_compute_input());
      Add(b.compute_infer(), m.mutable_compute_infer());
      Add(b.compute_output(), m.mutable_compute_output());
    }
  }
  for (auto& [size, b] : batches) *sum.add_batch_stats() = b;
  return sum;
}

StatusOr<inference::ModelStatistics> FetchSummedStatistics(EndpointPool& pool,
                                                           const std::string& model,
                                                           const std::string& version) {
  std::vector<inference::ModelStatistics> all;
  for (size_t i = 0; i < pool.size(); ++i) {
    TRTC_ASSIGN_OR_RETURN(auto response, pool.at(i).ModelStatistics(model, version));
    for (const auto& s : response.model_stats()) {
      if (s.name() == model && (version.empty() || s.version() == version)) all.push_back(s);
    }
  }
  if (all.empty()) {
    return NotFoundError("ModelStatistics: no endpoint reports statistics for model '" + model +
                         "'");
  }
  return SumModelStatistics(all);
}

ServerBreakdown ComputeServerBreakdown(const inference::ModelStatistics& before,
                                       const inference::ModelStatistics& after) {
  ServerBreakdown b;
  b.available = true;
  const auto& x = before.inference_stats();
  const auto& y = after.inference_stats();
  b.success_count = Delta(x.success().count(), y.success().count());
  b.fail_count = Delta(x.fail().count(), y.fail().count());
  b.inference_count = Delta(before.inference_count(), after.inference_count());
  b.execution_count = Delta(before.execution_count(), after.execution_count());
  b.request_us = AvgUs(x.success(), y.success());
  b.queue_us = AvgUs(x.queue(), y.queue());
  b.compute_input_us = AvgUs(x.compute_input(), y.compute_input());
  b.compute_infer_us = AvgUs(x.compute_infer(), y.compute_infer());
  b.compute_output_us = AvgUs(x.compute_output(), y.compute_output());
  const auto sizes_before = ExecutionsBySize(before);
  uint64_t executions = 0, items = 0;
  for (const auto& [size, count] : ExecutionsBySize(after)) {
    const auto it = sizes_before.find(size);
    const uint64_t d = Delta(it == sizes_before.end() ? 0 : it->second, count);
    if (d == 0) continue;
    b.batch_executions[size] = d;
    executions += d;
    items += d * size;
  }
  if (executions > 0) {
    b.mean_batch_size = static_cast<double>(items) / static_cast<double>(executions);
  } else if (b.execution_count > 0) {
    b.mean_batch_size = static_cast<double>(b.inference_count) / b.execution_count;
  }
  return b;
}

}  // namespace trt::client
