// Output formats of `trtserve-client perf`:
//   WriteConsoleLevel / WriteConsoleSummary  perf_analyzer-style text per load level
//   FormatCsv   perf_analyzer's CSV layout, one row per level; columns exactly
//               Concurrency (or Request Rate), Inferences/Second, Client Send,
//               Network+Server Send/Recv, Server Queue, Server Compute Input,
//               Server Compute Infer, Server Compute Output, Client Recv,
//               p50 latency, p90 latency, p95 latency, p99 latency (times in microseconds)
//   ToJson      everything: options, model, per level the merged statistics, every window,
//               the server breakdown and the errors
//   RenderSvg   a standalone <svg>: latency at --percentile (ms) versus throughput, one point
//               per level, joined by a polyline, with axes and ticks
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "client/perf/perf_runner.h"

namespace trt::client {

void WriteConsoleLevel(std::ostream& os, const LevelReport& level, const PerfOptions& options);
void WriteConsoleSummary(std::ostream& os, const PerfReport& report);

std::string FormatCsv(const PerfReport& report);
nlohmann::json ToJson(const PerfReport& report);
std::string RenderSvg(const PerfReport& report);

// "Concurrency: 4" / "Request rate: 200 req/s"; the label used in progress and tables.
std::string LevelLabel(LoadMode mode, double value);

}  // namespace trt::client
