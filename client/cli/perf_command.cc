// `trtserve-client perf`: the load tester (see client/perf/perf_runner.h for the procedure).
// Progress goes to stderr (one line redrawn in place on a terminal, plain lines otherwise);
// per-level reports and the summary go to stdout; -f/--json/--svg write files.
// Exit code: 0 when every level completed requests, 1 on setup errors or a level with no
// successful request (its errors are printed by code), 130 when interrupted by Ctrl-C (the
// levels measured so far are still reported and written).
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "client/cli/cli_common.h"
#include "client/perf/perf_runner.h"
#include "client/perf/report_writers.h"

namespace trt::client::cli {
namespace {

std::atomic<bool> g_interrupted{false};

// First Ctrl-C: finish with what was measured (the handler resets itself, so a second
// Ctrl-C kills the process as usual).
extern "C" void OnInterrupt(int) {
  g_interrupted.store(true);
  static const char kMessage[] =
      "\ninterrupted: reporting what was measured (Ctrl-C again to quit at once)\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

void InstallInterruptHandler() {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
}

struct PerfFlags {
  ConnectionFlags connection;
  PerfOptions options;
  std::string concurrency_range, request_rate_range, distribution = "constant",
                                                     measurement_mode = "time_windows";
  std::vector<std::string> shapes, shape_ranges;
  bool quiet = false;
};

class ConsoleProgress : public PerfObserver {
 public:
  ConsoleProgress(const PerfOptions& options, bool quiet)
      : options_(options), quiet_(quiet), tty_(isatty(STDERR_FILENO)) {}

  void OnLevelStart(LoadMode mode, double value) override {
    Status("[" + LevelLabel(mode, value) + "] warming up for " +
           std::to_string(options_.warmup_ms) + " ms");
  }
  void OnWindow(LoadMode mode, double value, const WindowReport& w, bool stable,
                int max_trials) override {
    char buf[256];
    std::snprintf(buf, sizeof buf, "[%s] window %d/%d: %.1f infer/s, p%g %.2f ms, %llu errors%s",
                  LevelLabel(mode, value).c_str(), w.trial, max_trials, w.client.throughput,
                  options_.percentile, w.client.latency.chosen_us / 1000.0,
                  static_cast<unsigned long long>(w.client.failed), stable ? ", stable" : "");
    Status(buf);
  }
  void OnWindowProgress(LoadMode mode, double value, int trial, int64_t completed,
                        int64_t target) override {
    // Redrawn every second on a terminal; every 10 s as plain lines (logs stay short).
    const auto now = std::chrono::steady_clock::now();
    if (!tty_ && now - last_plain_progress_ < std::chrono::seconds(10)) return;
    last_plain_progress_ = now;
    char buf[256];
    std::snprintf(buf, sizeof buf, "[%s] window %d/%d: %lld/%lld requests",
                  LevelLabel(mode, value).c_str(), trial, options_.max_trials,
                  static_cast<long long>(completed), static_cast<long long>(target));
    Status(buf);
  }
  void OnLevelDone(const LevelReport& level) override {
    if (tty_ && open_line_) std::cerr << "\r\033[K" << std::flush;
    open_line_ = false;
    WriteConsoleLevel(std::cout, level, options_);
    std::cout << std::flush;
  }

 private:
  void Status(const std::string& line) {
    if (quiet_) return;
    if (tty_) {
      std::cerr << "\r\033[K" << line << std::flush;
      open_line_ = true;
    } else {
      std::cerr << line << "\n";
    }
  }

  const PerfOptions& options_;
  bool quiet_, tty_;
  bool open_line_ = false;
  std::chrono::steady_clock::time_point last_plain_progress_{};
};

Status WriteFile(const std::string& path, const std::string& text, const char* what) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) return InvalidArgumentError(std::string("cannot write ") + what + " '" + path + "'");
  std::cerr << "wrote " << what << " " << path << "\n";
  return Status::OK;
}

StatusOr<PerfOptions> Resolve(PerfFlags& f) {
  PerfOptions o = f.options;
  TRTC_ASSIGN_OR_RETURN(o.endpoints, ParseEndpoints(f.connection.url));
  o.request_timeout_ms = f.connection.timeout_ms;
  if (!f.concurrency_range.empty() && !f.request_rate_range.empty()) {
    return InvalidArgumentError(
        "give either --concurrency-range (closed loop) or "
        "--request-rate-range (open loop), not both");
  }
  if (!f.request_rate_range.empty()) {
    o.mode = LoadMode::kRequestRate;
    TRTC_ASSIGN_OR_RETURN(o.range,
                          ParseLoadRange(f.request_rate_range, false, "--request-rate-range"));
  } else {
    o.mode = LoadMode::kConcurrency;
    TRTC_ASSIGN_OR_RETURN(
        o.range, ParseLoadRange(f.concurrency_range.empty() ? "1" : f.concurrency_range, true,
                                "--concurrency-range"));
  }
  TRTC_ASSIGN_OR_RETURN(o.distribution, ParseDistribution(f.distribution));
  TRTC_ASSIGN_OR_RETURN(o.measurement_mode, ParseMeasurementMode(f.measurement_mode));
  for (const std::string& s : f.shapes) {
    TRTC_ASSIGN_OR_RETURN(auto parsed, ParseShapeOption(s));
    o.shapes[parsed.first] = parsed.second;
  }
  for (const std::string& s : f.shape_ranges) {
    TRTC_ASSIGN_OR_RETURN(auto r, ParseShapeRange(s));
    o.shape_ranges.push_back(r);
  }
  TRTC_RETURN_IF_ERROR(ValidatePerfOptions(o));
  return o;
}

int RunPerfCommand(PerfFlags& flags) {
  auto options = Resolve(flags);
  if (!options.ok()) return ReportError(options.status());
  ConsoleProgress progress(*options, flags.quiet);
  InstallInterruptHandler();
  auto report = RunPerf(*options, &progress, &g_interrupted);
  if (!report.ok()) return ReportError(report.status());
  // Per-level reports were printed by the observer as the levels finished.
  WriteConsoleSummary(std::cout, *report);
  if (!report->server_stats_available) {
    std::cerr << "note: no server-side breakdown (" << report->server_stats_note << ")\n";
  }
  const PerfOptions& o = *options;
  if (!o.csv_path.empty()) {
    Status s = WriteFile(o.csv_path, FormatCsv(*report), "CSV");
    if (!s.ok()) return ReportError(s);
  }
  if (!o.json_path.empty()) {
    Status s = WriteFile(o.json_path, ToJson(*report).dump(2) + "\n", "JSON");
    if (!s.ok()) return ReportError(s);
  }
  if (!o.svg_path.empty()) {
    Status s = WriteFile(o.svg_path, RenderSvg(*report), "SVG");
    if (!s.ok()) return ReportError(s);
  }
  if (g_interrupted.load()) return 130;  // the shell's code for SIGINT
  int code = 0;
  for (const LevelReport& level : report->levels) {
    if (level.client.requests == 0) {
      std::string codes;
      for (const auto& [name, count] : level.client.errors) {
        codes += (codes.empty() ? "" : ", ") + name + " x" + std::to_string(count);
      }
      ReportError(LevelLabel(level.mode, level.value) + ": no request succeeded" +
                  (codes.empty() ? "" : " (" + codes + ")"));
      code = 1;
    } else if (level.client.failed > 0) {
      std::cerr << "warning: " << LevelLabel(level.mode, level.value) << ": " << level.client.failed
                << " requests failed (see Errors above)\n";
    }
  }
  return code;
}

}  // namespace

void RegisterPerf(CLI::App& app, std::function<int()>* run) {
  auto f = std::make_shared<PerfFlags>();
  PerfOptions& o = f->options;
  CLI::App* sub = app.add_subcommand(
      "perf", "Load-test a model: throughput and latency per concurrency or request rate");
  AddConnectionFlags(sub, &f->connection);
  sub->add_option("-m,--model", o.model, "Model name")->required();
  sub->add_option("-x,--model-version", o.version, "Model version (default: server's choice)");
  sub->add_option("--concurrency-range", f->concurrency_range,
                  "Closed loop: START[:END[:STEP]] requests in flight (default 1)");
  sub->add_option("--request-rate-range", f->request_rate_range,
                  "Open loop: START[:END[:STEP]] requests per second");
  sub->add_option("--request-distribution", f->distribution,
                  "Open-loop send times: constant or poisson")
      ->capture_default_str();
  sub->add_option("--input-data", o.input_data,
                  "random, zeros, a DIR of NAME.npy files, or a perf_analyzer-style FILE.json")
      ->capture_default_str();
  sub->add_option("--shape", f->shapes,
                  "NAME:DIMS for variable dims, e.g. input:1x8x8 (batch excluded) or "
                  "input:4x1x8x8 (full)");
  sub->add_option("--shape-range", f->shape_ranges,
                  "NAME:DIM=MIN:MAX: draw dim DIM (0 = first, batch included) per request, "
                  "e.g. input:0=1:32");
  sub->add_option("-b,--batch-size", o.batch_size, "Batch size of each request")
      ->capture_default_str();
  sub->add_option("--warmup-ms", o.warmup_ms, "Load before measuring, per level")
      ->capture_default_str();
  sub->add_option("--measurement-mode", f->measurement_mode,
                  "time_windows: a window lasts -p ms; count_windows: a window ends at its "
                  "--measurement-request-count-th completion (use for slow models)")
      ->capture_default_str();
  sub->add_option("-p,--measurement-interval-ms", o.measurement_interval_ms,
                  "Length of one time window")
      ->capture_default_str();
  sub->add_option("--measurement-request-count", o.measurement_request_count,
                  "Requests completed per count window")
      ->capture_default_str();
  sub->add_option("-s,--stability-percentage", o.stability_percentage,
                  "Stable = last 3 windows within +-this % of their mean (throughput and "
                  "latency)")
      ->capture_default_str();
  sub->add_option("-r,--max-trials", o.max_trials, "Windows per level before giving up")
      ->capture_default_str();
  sub->add_option("--percentile", o.percentile,
                  "Latency percentile used for stability, the summary and the SVG")
      ->capture_default_str();
  sub->add_option("--max-outstanding", o.max_outstanding,
                  "Open loop: most requests in flight; later sends wait and count as behind "
                  "schedule")
      ->capture_default_str();
  sub->add_option("--behind-schedule-us", o.behind_schedule_us,
                  "Open loop: a send this much later than scheduled counts as behind")
      ->capture_default_str();
  sub->add_option("--seed", o.seed, "Seed for random data, shape draws and poisson gaps")
      ->capture_default_str();
  sub->add_option("-f,--csv", o.csv_path, "Write perf_analyzer-style CSV (one row per level)");
  sub->add_option("--json", o.json_path, "Write everything as JSON");
  sub->add_option("--svg", o.svg_path, "Draw latency (--percentile) vs throughput as SVG");
  sub->add_flag("-q,--quiet", f->quiet, "No progress lines on stderr");
  sub->footer(
      "Examples:\n"
      "  trtserve-client perf -m digits --concurrency-range 1:8:1 -f perf.csv --svg perf.svg\n"
      "  trtserve-client perf -m digits --request-rate-range 200:1000:200 "
      "--request-distribution poisson --json perf.json\n"
      "  trtserve-client perf -m digits --shape-range input:0=1:32 --concurrency-range 4\n"
      "  trtserve-client perf -m digits -u host1:8001,host2:8001 --concurrency-range 16\n"
      "  trtserve-client perf -m resnet50 --concurrency-range 32 --measurement-mode "
      "count_windows --measurement-request-count 64\n"
      "Latency counts from each request's scheduled send time in open loop (no coordinated "
      "omission).");
  *run = [f] { return RunPerfCommand(*f); };
}

}  // namespace trt::client::cli
