// LoadGenerator: keeps one load level running against an EndpointPool and records a
// RequestSample for every completed request.
//
// Requests go through gRPC's completion-queue API: the generator owns P poller threads, each
// with its own CompletionQueue, and a request's completion is handled by the poller whose
// queue it was started on (P = min(concurrency or --max-outstanding, CPUs), at least 1). No
// thread blocks per request, and a poller reads each response on the thread that waits for
// it (no hand-off to a gRPC executor thread, which costs a wake-up per request).
// Closed loop (LoadMode::kConcurrency, level N): N requests are started at once, spread over
// the pollers; each completion starts the next request on the same poller, so exactly N are
// in flight.
// Open loop (LoadMode::kRequestRate, level R req/s): one dispatcher thread sends each request
// at its SendSchedule time, whatever the responses do. At most `max_outstanding` requests are
// in flight; when the cap or the client itself delays a send, the request still counts its
// latency from the scheduled time (RequestSample::scheduled_ns), and the lag is reported.
//
// Requests are spread over the pool's endpoints round-robin, one endpoint per request.
// Samples are attributed to the window in which the request completed (TakeWindow()).
// Failed requests are recorded with their gRPC code (and the first message per code is kept);
// they never stop the load.
//
// Threading: Start/TakeWindow/Stop are called from one controlling thread; completions are
// handled concurrently on the pollers. `pool` and `source` must outlive the generator.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "client/kserve_client.h"
#include "client/perf/measurement.h"
#include "client/perf/perf_options.h"
#include "client/perf/request_source.h"

namespace trt::client {

struct LoadConfig {
  LoadMode mode = LoadMode::kConcurrency;
  double level = 1;  // concurrency, or requests per second
  Distribution distribution = Distribution::kConstant;
  uint64_t seed = 1;
  int64_t max_outstanding = 1024;  // open loop only
};

// Steady-clock nanoseconds (the time base of every RequestSample).
int64_t NowNs();

class LoadGenerator {
 public:
  LoadGenerator(EndpointPool* pool, RequestSource* source, LoadConfig config);
  ~LoadGenerator();  // Stop()s if still running
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  void Start();

  struct Window {
    int64_t start_ns = 0, end_ns = 0;
    std::vector<RequestSample> samples;
    std::map<std::string, std::string> error_examples;  // code name -> first message
  };
  // The samples completed since the previous TakeWindow() (or Start()).
  Window TakeWindow();

  // Count windows: from now on the open window closes by itself at the completion that
  // brings it to `count` samples (end_ns = when that completion was recorded; the next
  // window starts there) and is queued for WaitClosedWindow(). `count` = 0 switches back to
  // TakeWindow().
  void SetWindowCount(int64_t count);
  // The oldest window closed by count, waiting up to `timeout`; nullopt if none closed.
  std::optional<Window> WaitClosedWindow(std::chrono::milliseconds timeout);
  // Samples in the open window (for progress lines).
  int64_t OpenWindowSize() const;

  // Stops sending and waits for every request in flight; after `grace_ms` the ones still
  // pending are cancelled (so Stop always returns even with no RPC deadline). Idempotent.
  void Stop(int64_t grace_ms = 60000);

  int64_t outstanding() const;

 private:
  struct Call;
  struct Poller;
  // Prepares and starts one request due at `scheduled_ns` on poller `poller`. The caller has
  // already counted it in outstanding_.
  void Issue(int64_t scheduled_ns, size_t poller);
  void PollLoop(size_t poller);
  void OnDone(Call* call);
  // Records a finished request; returns true when the closed loop should send the next one
  // (then the request's outstanding slot is kept), false when the slot was released.
  bool Finish(Call* call, RequestSample sample, const std::string& error);
  void DispatchOpenLoop();

  EndpointPool* const pool_;
  RequestSource* const source_;
  const LoadConfig config_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;     // guarded by mu_
  int64_t outstanding_ = 0;  // guarded by mu_
  // Owns every call from Issue() until Finish(); Stop() may briefly share ownership.
  std::unordered_map<Call*, std::shared_ptr<Call>> in_flight_;  // guarded by mu_
  Window window_;                                               // guarded by mu_
  int64_t window_count_ = 0;                                    // guarded by mu_
  std::deque<Window> closed_;                                   // guarded by mu_
  std::thread dispatcher_;                                      // open loop only
  std::vector<std::unique_ptr<Poller>> pollers_;                // fixed after Start()
  bool stopped_ = false;  // pollers shut down (controlling thread only)
};

}  // namespace trt::client
