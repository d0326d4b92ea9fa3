// Prometheus metrics over HTTP: GET /metrics on the metrics address (default
// 127.0.0.1:8002), text exposition format 0.0.4, built at scrape time from every served
// model version's ModelStats::Snapshot().
//
// Metric families (labels model, version; durations in microseconds):
//   counters   trtserve_requests_total            requests that reached the model (accepted
//                                                 or rejected)
//              trtserve_request_success_total     requests answered OK
//              trtserve_request_failure_total     failed requests, by {reason} (FailureReason)
//              trtserve_inference_items_total     batch rows of successful requests
//              trtserve_executions_total          batches executed
//   histograms trtserve_queue_duration_us         per request
//              trtserve_compute_duration_us       per batch (input + infer + output)
//              trtserve_batch_size                per batch, rows
//   gauge      trtserve_queue_depth               requests waiting in the queue
//   counters per {profile}: trtserve_profile_executions_total, trtserve_profile_items_total,
//              trtserve_profile_padding_elements_total, trtserve_profile_elements_total
// Every family always has its # HELP and # TYPE lines (even with no models). Label values are
// escaped (\\, \", \n) as the format requires.
//
// Threading: RenderPrometheusText is pure. MetricsHttpServer serves on its own threads (one
// listener + a small worker pool); the snapshot source is called from them, concurrently with
// everything else, so it must be thread-safe. Stop() is idempotent; the destructor stops.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/status.h"
#include "server/model_stats.h"

namespace httplib {
class Server;
}

namespace trt::server {

// The exposition text for these snapshots (models in the given order).
std::string RenderPrometheusText(const std::vector<ModelStatsSnapshot>& models);

// The Content-Type of RenderPrometheusText's output.
inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

class MetricsHttpServer {
 public:
  using SnapshotSource = std::function<std::vector<ModelStatsSnapshot>()>;

  // Binds `address` ("HOST:PORT", port 0 = any free port) and starts serving. UNAVAILABLE
  // when the address cannot be bound (the message names it and --metrics-address).
  static StatusOr<std::unique_ptr<MetricsHttpServer>> Start(const std::string& address,
                                                            SnapshotSource source);
  ~MetricsHttpServer();

  int port() const { return port_; }
  const std::string& address() const { return address_; }  // with the bound port
  void Stop();

 private:
  MetricsHttpServer() = default;

  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
  std::string address_;
};

}  // namespace trt::server
