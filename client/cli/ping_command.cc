// `trtserve-client ping`: round trips of the cheapest RPC (ServerLive) to each endpoint, like
// ping(8) for a KServe server. It measures the transport floor (gRPC, network, the server's
// RPC threads) under any inference latency: `perf`'s latency minus the ping p50 is what the
// model, the batcher and the payload add.
// Output: one summary line per endpoint, "rtt min/p50/p90/p99/max = ... us"; --json writes the
// same numbers. Exit code: 0 when every round trip succeeded, 1 otherwise.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "client/cli/cli_common.h"
#include "client/perf/measurement.h"

namespace trt::client::cli {
namespace {

struct PingOptions {
  ConnectionFlags connection;
  int64_t count = 1000;
  int64_t warmup = 20;
  double interval_ms = 0;
  std::string json_path;
};

int RunPing(const PingOptions& o) {
  if (o.count < 1) return ReportError("-n/--count must be at least 1");
  if (o.warmup < 0) return ReportError("--warmup must be >= 0");
  if (o.interval_ms < 0) return ReportError("-i/--interval-ms must be >= 0");
  auto pool = Connect(o.connection);
  if (!pool.ok()) return ReportError(pool.status());
  nlohmann::json report = nlohmann::json::array();
  int code = 0;
  for (size_t e = 0; e < (*pool)->size(); ++e) {
    KServeClient& client = (*pool)->at(e);
    std::vector<int64_t> rtt_ns;
    rtt_ns.reserve(static_cast<size_t>(o.count));
    int64_t failed = 0;
    std::string first_error;
    for (int64_t i = 0; i < o.warmup + o.count; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto live = client.ServerLive();
      const auto t1 = std::chrono::steady_clock::now();
      if (i >= o.warmup) {
        if (live.ok()) {
          rtt_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        } else {
          if (failed++ == 0) first_error = live.status().error_message();
        }
      }
      if (o.interval_ms > 0) {
        std::this_thread::sleep_until(
            t0 + std::chrono::microseconds(static_cast<int64_t>(o.interval_ms * 1000)));
      }
    }
    const LatencySummary s = SummarizeLatencies(rtt_ns, 99);
    std::printf("ServerLive round trips to %s: %lld ok, %lld failed\n", client.address().c_str(),
                static_cast<long long>(rtt_ns.size()), static_cast<long long>(failed));
    if (!rtt_ns.empty()) {
      std::printf("rtt min/p50/p90/p99/max = %.1f/%.1f/%.1f/%.1f/%.1f us\n", s.min_us, s.p50_us,
                  s.p90_us, s.p99_us, s.max_us);
    }
    if (failed > 0) {
      std::cerr << "error: " << failed << " of " << o.count << " ServerLive calls to "
                << client.address() << " failed; first: " << first_error << "\n";
      code = 1;
    }
    report.push_back({{"endpoint", client.address()},
                      {"ok", rtt_ns.size()},
                      {"failed", failed},
                      {"rtt_us",
                       {{"min", s.min_us},
                        {"p50", s.p50_us},
                        {"p90", s.p90_us},
                        {"p99", s.p99_us},
                        {"max", s.max_us},
                        {"avg", s.avg_us}}}});
  }
  if (!o.json_path.empty()) {
    std::ofstream out(o.json_path, std::ios::trunc);
    out << report.dump(2) << "\n";
    if (!out) return ReportError("cannot write JSON to " + o.json_path);
  }
  return code;
}

}  // namespace

void RegisterPing(CLI::App& app, std::function<int()>* run) {
  auto opts = std::make_shared<PingOptions>();
  CLI::App* sub = app.add_subcommand(
      "ping", "Round-trip time of the cheapest RPC (ServerLive): the transport's floor");
  AddConnectionFlags(sub, &opts->connection);
  sub->add_option("-n,--count", opts->count, "Round trips to time, per endpoint")
      ->capture_default_str();
  sub->add_option("--warmup", opts->warmup, "Untimed round trips first (connection set-up)")
      ->capture_default_str();
  sub->add_option("-i,--interval-ms", opts->interval_ms,
                  "Start a round trip every this many ms (0 = back to back)")
      ->capture_default_str();
  sub->add_option("--json", opts->json_path, "Also write the results as JSON");
  sub->footer(
      "Subtract the ping p50 from `perf`'s p50 to see what inference adds over the transport.\n"
      "Examples:\n"
      "  trtserve-client ping\n"
      "  trtserve-client ping -u 10.0.0.5:8001 -n 200 -i 10 --json ping.json");
  *run = [opts] { return RunPing(*opts); };
}

}  // namespace trt::client::cli
