#include "client/perf/perf_runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "client/perf/load_generator.h"
#include "client/perf/request_source.h"

namespace trt::client {
namespace {

using Clock = std::chrono::steady_clock;

// Everything one level needs while it runs.
struct LevelContext {
  const PerfOptions& options;
  EndpointPool& pool;
  RequestSource& source;
  bool stats_available;
  const std::atomic<bool>* cancel;  // may be null
};

bool Cancelled(const LevelContext& ctx) {
  return ctx.cancel && ctx.cancel->load(std::memory_order_relaxed);
}

// Sleeps until `deadline`, waking every 50 ms to check for cancellation. False if cancelled.
bool SleepUntil(const LevelContext& ctx, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    if (Cancelled(ctx)) return false;
    std::this_thread::sleep_until(std::min(deadline, Clock::now() + std::chrono::milliseconds(50)));
  }
  return !Cancelled(ctx);
}

std::optional<inference::ModelStatistics> TakeStats(const LevelContext& ctx) {
  if (!ctx.stats_available) return std::nullopt;
  auto s = FetchSummedStatistics(ctx.pool, ctx.options.model, ctx.options.version);
  if (!s.ok()) return std::nullopt;
  return std::move(s).value();
}

ServerBreakdown Breakdown(const std::optional<inference::ModelStatistics>& before,
                          const std::optional<inference::ModelStatistics>& after) {
  if (!before || !after) return ServerBreakdown();
  return ComputeServerBreakdown(*before, *after);
}

// Count windows: waits for the generator to close the next window, reporting progress about
// once a second. nullopt when cancelled.
std::optional<LoadGenerator::Window> WaitCountWindow(const LevelContext& ctx,
                                                     LoadGenerator& generator,
                                                     PerfObserver* observer, double value,
                                                     int trial) {
  auto next_progress = Clock::now() + std::chrono::seconds(1);
  while (!Cancelled(ctx)) {
    auto window = generator.WaitClosedWindow(std::chrono::milliseconds(50));
    if (window) return window;
    if (observer && Clock::now() >= next_progress) {
      observer->OnWindowProgress(ctx.options.mode, value, trial, generator.OpenWindowSize(),
                                 ctx.options.measurement_request_count);
      next_progress += std::chrono::seconds(1);
    }
  }
  return std::nullopt;
}

LevelReport RunLevel(const LevelContext& ctx, double value, PerfObserver* observer) {
  const PerfOptions& o = ctx.options;
  LevelReport report;
  report.mode = o.mode;
  report.value = value;
  if (observer) observer->OnLevelStart(o.mode, value);

  LoadConfig config{o.mode, value, o.distribution, o.seed, o.max_outstanding};
  LoadGenerator generator(&ctx.pool, &ctx.source, config);
  generator.Start();
  const bool warmed = SleepUntil(ctx, Clock::now() + std::chrono::milliseconds(o.warmup_ms));
  (void)generator.TakeWindow();
  const bool by_count = o.measurement_mode == MeasurementMode::kCountWindows;
  if (by_count) generator.SetWindowCount(o.measurement_request_count);

  std::vector<LoadGenerator::Window> windows;
  std::vector<std::optional<inference::ModelStatistics>> snapshots = {TakeStats(ctx)};
  std::vector<double> throughputs, latencies;
  auto boundary = Clock::now();
  for (int trial = 1; warmed && trial <= o.max_trials; ++trial) {
    std::optional<LoadGenerator::Window> window;
    if (by_count) {
      window = WaitCountWindow(ctx, generator, observer, value, trial);
    } else {
      boundary += std::chrono::milliseconds(o.measurement_interval_ms);
      if (SleepUntil(ctx, boundary)) window = generator.TakeWindow();
    }
    if (!window) {
      report.stopped_early = "interrupted";
      break;
    }
    windows.push_back(std::move(*window));
    snapshots.push_back(TakeStats(ctx));
    const LoadGenerator::Window& w = windows.back();
    WindowReport wr;
    wr.trial = trial;
    wr.client = ComputeClientStats(w.samples, w.end_ns - w.start_ns, o.percentile,
                                   o.behind_schedule_us * 1000);
    wr.server = Breakdown(snapshots[snapshots.size() - 2], snapshots.back());
    for (const auto& [code, message] : w.error_examples) {
      report.error_examples.emplace(code, message);
    }
    throughputs.push_back(wr.client.throughput);
    latencies.push_back(wr.client.latency.chosen_us);
    report.stable = IsStable(throughputs, o.stability_percentage) &&
                    IsStable(latencies, o.stability_percentage);
    report.trials = trial;
    report.windows.push_back(wr);
    if (observer) observer->OnWindow(o.mode, value, wr, report.stable, o.max_trials);
    if (report.stable) break;
    if (wr.client.requests == 0 && wr.client.failed > 0) {
      report.stopped_early = "every request of window " + std::to_string(trial) + " failed";
      break;
    }
  }
  generator.Stop(std::max<int64_t>(o.request_timeout_ms, 1000) + 5000);
  if (!warmed) report.stopped_early = "interrupted";
  if (windows.empty()) return report;  // interrupted before the first window ended

  // Merge the last (up to) three windows.
  const size_t n = std::min<size_t>(3, windows.size());
  const size_t first = windows.size() - n;
  std::vector<RequestSample> merged;
  int64_t duration = 0;
  for (size_t i = first; i < windows.size(); ++i) {
    merged.insert(merged.end(), windows[i].samples.begin(), windows[i].samples.end());
    duration += windows[i].end_ns - windows[i].start_ns;
  }
  report.merged_windows = static_cast<int>(n);
  report.client = ComputeClientStats(merged, duration, o.percentile, o.behind_schedule_us * 1000);
  report.server = Breakdown(snapshots[first], snapshots.back());
  if (observer) observer->OnLevelDone(report);
  return report;
}

}  // namespace

double LevelReport::NetworkServerUs() const {
  const double server_us = server.queue_us + server.compute_input_us + server.compute_infer_us +
                           server.compute_output_us;
  return std::max(0.0, client.wait_us - server_us);
}

StatusOr<PerfReport> RunPerf(const PerfOptions& options, PerfObserver* observer,
                             const std::atomic<bool>* cancel) {
  TRTC_RETURN_IF_ERROR(ValidatePerfOptions(options));
  ClientOptions client_options;
  client_options.timeout_ms = options.request_timeout_ms;
  EndpointPool pool(options.endpoints, client_options);
  const auto probe_timeout = std::chrono::milliseconds(
      options.request_timeout_ms > 0 ? std::min<int64_t>(options.request_timeout_ms, 10000)
                                     : 10000);
  TRTC_RETURN_IF_ERROR(pool.CheckReachable(probe_timeout));

  PerfReport report;
  report.options = options;
  auto metadata = pool.at(0).ServerMetadata();
  if (metadata.ok()) {
    report.server_name = metadata->name();
    report.server_version = metadata->version();
  }
  for (size_t i = 0; i < pool.size(); ++i) {
    auto ready = pool.at(i).ModelReady(options.model, options.version);
    if (ready.ok() && !*ready) {
      return UnavailableError("model '" + options.model + "' is not ready on " +
                              pool.at(i).address() + "; check `trtserve-client status -u " +
                              pool.at(i).address() + "` for its state and reason");
    }
    if (!ready.ok() && ready.status().error_code() != StatusCode::UNIMPLEMENTED) {
      return ready.status();
    }
  }
  TRTC_ASSIGN_OR_RETURN(report.model, FetchModelInfo(pool.at(0), options.model, options.version));
  TRTC_ASSIGN_OR_RETURN(auto source, RequestSource::Create(report.model, options));
  report.data_description = source->description();

  auto stats = FetchSummedStatistics(pool, options.model, options.version);
  report.server_stats_available = stats.ok();
  if (!stats.ok()) report.server_stats_note = StatusToString(stats.status());

  const LevelContext ctx{options, pool, *source, report.server_stats_available, cancel};
  for (double value : options.range.Values()) {
    if (Cancelled(ctx)) break;
    LevelReport level = RunLevel(ctx, value, observer);
    if (level.trials > 0) report.levels.push_back(std::move(level));  // else interrupted
  }
  return report;
}

}  // namespace trt::client
