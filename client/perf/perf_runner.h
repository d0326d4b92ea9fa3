// RunPerf: the measurement procedure of `trtserve-client perf`, as a library call.
//
// For each load level (concurrency or request rate):
//   1. start the load (LoadGenerator) and let it run --warmup-ms; discard those samples;
//   2. take ModelStatistics (summed over the endpoints), then measure windows back to back
//      (--measurement-interval-ms each, or with count windows, each ending at its
//      --measurement-request-count-th completion), taking ModelStatistics after each;
//   3. stop when the last three windows are stable (throughput and the --percentile latency
//      each within +-stability% of their mean, perf_analyzer's rule) or after --max-trials
//      windows (then the level is reported as "unstable after N trials");
//   4. report the last three windows (fewer if fewer ran) merged: client statistics over
//      their samples, server breakdown from the statistics delta across them.
// A level whose window completes no request successfully but has failures stops early and is
// reported with its errors (counted by gRPC code); the run continues with the next level.
// Setting `*cancel` (e.g. from a SIGINT handler) ends the current level within ~50 ms with
// the windows measured so far (stopped_early = "interrupted") and skips the remaining levels.
//
// Threading: RunPerf blocks the calling thread; observer callbacks run on it too.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "client/infer_io.h"
#include "client/perf/measurement.h"
#include "client/perf/perf_options.h"
#include "client/perf/server_breakdown.h"
#include "client/status.h"

namespace trt::client {

struct WindowReport {
  int trial = 0;  // 1-based
  ClientStats client;
  ServerBreakdown server;
};

struct LevelReport {
  LoadMode mode = LoadMode::kConcurrency;
  double value = 0;  // concurrency, or requests per second
  int trials = 0;    // measurement windows run
  bool stable = false;
  int merged_windows = 0;  // how many of the last windows `client` and `server` cover (0 if
                           // interrupted before the first window ended)
  ClientStats client;
  ServerBreakdown server;
  std::vector<WindowReport> windows;
  std::map<std::string, std::string> error_examples;  // code name -> first message
  std::string stopped_early;  // why the level ended before stability, if it did

  // perf_analyzer's "Network+Server Send/Recv": the client's wait for the response minus the
  // server's queue and compute time (clamped at 0; without server statistics, the whole wait).
  double NetworkServerUs() const;
};

struct PerfReport {
  PerfOptions options;
  ModelInfo model;
  std::string server_name, server_version;
  std::string data_description;
  bool server_stats_available = false;
  std::string server_stats_note;  // why not, when unavailable
  std::vector<LevelReport> levels;
};

class PerfObserver {
 public:
  virtual ~PerfObserver() = default;
  virtual void OnLevelStart(LoadMode mode, double value) {}
  virtual void OnWindow(LoadMode mode, double value, const WindowReport& window, bool stable,
                        int max_trials) {}
  // Count windows only: about once a second while window `trial` fills up.
  virtual void OnWindowProgress(LoadMode mode, double value, int trial, int64_t completed,
                                int64_t target) {}
  virtual void OnLevelDone(const LevelReport& level) {}
};

// Runs the whole sweep. Errors before any load is sent (unreachable server, unknown model,
// bad input data or shapes) are returned; errors of individual requests are counted in the
// report instead. `observer` may be null.
StatusOr<PerfReport> RunPerf(const PerfOptions& options, PerfObserver* observer,
                             const std::atomic<bool>* cancel = nullptr);

}  // namespace trt::client
