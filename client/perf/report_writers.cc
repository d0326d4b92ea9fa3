#include "client/perf/report_writers.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace trt::client {
namespace {

using nlohmann::json;

std::string Fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string Us(double v) { return std::to_string(std::llround(v)); }

json LatencyJson(const LatencySummary& l) {
  return {{"count", l.count},           {"avg_us", l.avg_us},          {"stddev_us", l.stddev_us},
          {"min_us", l.min_us},         {"max_us", l.max_us},          {"p50_us", l.p50_us},
          {"p90_us", l.p90_us},         {"p95_us", l.p95_us},          {"p99_us", l.p99_us},
          {"percentile", l.percentile}, {"percentile_us", l.chosen_us}};
}

json ClientJson(const ClientStats& c) {
  return {{"duration_s", c.duration_s},
          {"requests", c.requests},
          {"inferences", c.inferences},
          {"failed", c.failed},
          {"errors", c.errors},
          {"throughput_infer_per_s", c.throughput},
          {"request_rate_per_s", c.request_rate},
          {"latency", LatencyJson(c.latency)},
          {"client_send_us", c.send_us},
          {"network_server_wait_us", c.wait_us},
          {"client_recv_us", c.recv_us},
          {"avg_schedule_lag_us", c.avg_schedule_lag_us},
          {"max_schedule_lag_us", c.max_schedule_lag_us},
          {"sends_behind_schedule", c.behind_schedule}};
}

json ServerJson(const ServerBreakdown& s) {
  json batches = json::object();
  for (const auto& [size, count] : s.batch_executions) batches[std::to_string(size)] = count;
  return {{"available", s.available},
          {"success_count", s.success_count},
          {"fail_count", s.fail_count},
          {"inference_count", s.inference_count},
          {"execution_count", s.execution_count},
          {"request_us", s.request_us},
          {"queue_us", s.queue_us},
          {"compute_input_us", s.compute_input_us},
          {"compute_infer_us", s.compute_infer_us},
          {"compute_output_us", s.compute_output_us},
          {"batch_executions", batches},
          {"mean_batch_size", s.mean_batch_size}};
}

json ModelJson(const ModelInfo& m) {
  auto tensors = [](const std::vector<TensorSpec>& list) {
    json out = json::array();
    for (const auto& t : list) {
      out.push_back({{"name", t.name}, {"datatype", t.datatype}, {"shape", t.shape}});
    }
    return out;
  };
  return {{"name", m.name},
          {"version", m.version},
          {"versions", m.versions},
          {"platform", m.platform},
          {"max_batch_size", m.max_batch_size},
          {"inputs", tensors(m.inputs)},
          {"outputs", tensors(m.outputs)}};
}

json OptionsJson(const PerfOptions& o) {
  json shapes = json::object();
  for (const auto& [name, dims] : o.shapes) shapes[name] = dims;
  json ranges = json::array();
  for (const auto& r : o.shape_ranges) {
    ranges.push_back({{"input", r.input}, {"dim", r.dim}, {"min", r.min}, {"max", r.max}});
  }
  return {
      {"model", o.model},
      {"version", o.version},
      {"endpoints", o.endpoints},
      {"mode", o.mode == LoadMode::kConcurrency ? "concurrency" : "request_rate"},
      {"range", {{"start", o.range.start}, {"end", o.range.end}, {"step", o.range.step}}},
      {"request_distribution", o.distribution == Distribution::kConstant ? "constant" : "poisson"},
      {"input_data", o.input_data},
      {"shapes", shapes},
      {"shape_ranges", ranges},
      {"batch_size", o.batch_size},
      {"warmup_ms", o.warmup_ms},
      {"measurement_mode",
       o.measurement_mode == MeasurementMode::kTimeWindows ? "time_windows" : "count_windows"},
      {"measurement_interval_ms", o.measurement_interval_ms},
      {"measurement_request_count", o.measurement_request_count},
      {"stability_percentage", o.stability_percentage},
      {"max_trials", o.max_trials},
      {"percentile", o.percentile},
      {"request_timeout_ms", o.request_timeout_ms},
      {"max_outstanding", o.max_outstanding},
      {"behind_schedule_us", o.behind_schedule_us},
      {"seed", o.seed}};
}

}  // namespace

std::string LevelLabel(LoadMode mode, double value) {
  if (mode == LoadMode::kConcurrency) return "Concurrency: " + std::to_string(std::llround(value));
  return "Request rate: " + Fmt("%g", value) + " req/s";
}

void WriteConsoleLevel(std::ostream& os, const LevelReport& level, const PerfOptions& options) {
  const ClientStats& c = level.client;
  const LatencySummary& l = c.latency;
  os << (level.mode == LoadMode::kConcurrency
             ? "Request concurrency: " + Us(level.value)
             : "Request rate: " + Fmt("%g", level.value) + " req/s (" +
                   (options.distribution == Distribution::kConstant ? "constant" : "poisson") + ")")
     << "\n  Client:\n"
     << "    Request count: " << c.requests << " (" << Fmt("%.1f", c.duration_s) << " s, last "
     << level.merged_windows << " windows)\n"
     << "    Throughput: " << Fmt("%.1f", c.throughput) << " infer/sec ("
     << Fmt("%.1f", c.request_rate) << " req/sec)\n"
     << "    Avg latency: " << Us(l.avg_us) << " usec (standard deviation " << Us(l.stddev_us)
     << " usec)\n"
     << "    p50 latency: " << Us(l.p50_us) << " usec\n"
     << "    p90 latency: " << Us(l.p90_us) << " usec\n"
     << "    p95 latency: " << Us(l.p95_us) << " usec\n"
     << "    p99 latency: " << Us(l.p99_us) << " usec\n";
  if (l.percentile != 50 && l.percentile != 90 && l.percentile != 95 && l.percentile != 99) {
    os << "    p" << Fmt("%g", l.percentile) << " latency: " << Us(l.chosen_us) << " usec\n";
  }
  os << "    Avg gRPC time: " << Us(c.send_us + c.wait_us + c.recv_us) << " usec (client send "
     << Us(c.send_us) << " usec + network+server " << Us(c.wait_us) << " usec + client recv "
     << Us(c.recv_us) << " usec)\n";
  if (level.mode == LoadMode::kRequestRate) {
    os << "    Sends behind schedule (> " << options.behind_schedule_us
       << " usec late): " << c.behind_schedule << " of " << c.requests + c.failed << " (avg lag "
       << Us(c.avg_schedule_lag_us) << " usec, max " << Us(c.max_schedule_lag_us)
       << " usec; latency counts from the scheduled time)\n";
  }
  if (c.failed > 0) {
    os << "    Errors: " << c.failed << " failed requests\n";
    for (const auto& [code, count] : c.errors) {
      const auto it = level.error_examples.find(code);
      os << "      " << code << ": " << count;
      if (it != level.error_examples.end()) os << " (e.g. \"" << it->second << "\")";
      os << "\n";
    }
  }
  const ServerBreakdown& s = level.server;
  os << "  Server:\n";
  if (!s.available) {
    os << "    (no ModelStatistics from the server)\n";
  } else {
    const double compute = s.compute_input_us + s.compute_infer_us + s.compute_output_us;
    os << "    Inference count: " << s.inference_count << "\n"
       << "    Execution count: " << s.execution_count << "\n"
       << "    Successful request count: " << s.success_count << "\n"
       << "    Avg request latency: " << Us(s.request_us) << " usec (overhead "
       << Us(std::max(0.0, s.request_us - s.queue_us - compute)) << " usec + queue "
       << Us(s.queue_us) << " usec + compute input " << Us(s.compute_input_us)
       << " usec + compute infer " << Us(s.compute_infer_us) << " usec + compute output "
       << Us(s.compute_output_us) << " usec)\n"
       << (s.fail_count ? "    Failed request count: " + std::to_string(s.fail_count) + "\n" : "")
       << "    Executed batch sizes:";
    for (const auto& [size, count] : s.batch_executions) os << " " << size << "x" << count;
    os << " (mean " << Fmt("%.2f", s.mean_batch_size) << ")\n";
  }
  if (level.stable) {
    os << "  Stable after " << level.trials << " trials\n";
  } else {
    os << "  Unstable after " << level.trials << " trials"
       << (level.stopped_early.empty() ? "" : " (" + level.stopped_early + ")") << "\n";
  }
  os << "\n";
}

void WriteConsoleSummary(std::ostream& os, const PerfReport& report) {
  os << "Inferences/Second vs. Client p" << Fmt("%g", report.options.percentile) << " Latency\n";
  for (const LevelReport& level : report.levels) {
    os << LevelLabel(level.mode, level.value)
       << ", throughput: " << Fmt("%.1f", level.client.throughput) << " infer/sec, latency "
       << Us(level.client.latency.chosen_us) << " usec" << (level.stable ? "" : " (unstable)")
       << (level.client.failed ? ", errors: " + std::to_string(level.client.failed) : "") << "\n";
  }
}

std::string FormatCsv(const PerfReport& report) {
  std::ostringstream os;
  const bool rate = report.options.mode == LoadMode::kRequestRate;
  os << (rate ? "Request Rate" : "Concurrency")
     << ",Inferences/Second,Client Send,Network+Server Send/Recv,Server Queue,"
        "Server Compute Input,Server Compute Infer,Server Compute Output,Client Recv,"
        "p50 latency,p90 latency,p95 latency,p99 latency\n";
  for (const LevelReport& level : report.levels) {
    const ClientStats& c = level.client;
    const ServerBreakdown& s = level.server;
    os << (rate ? Fmt("%g", level.value) : Us(level.value)) << "," << Fmt("%.2f", c.throughput)
       << "," << Us(c.send_us) << "," << Us(level.NetworkServerUs()) << "," << Us(s.queue_us) << ","
       << Us(s.compute_input_us) << "," << Us(s.compute_infer_us) << "," << Us(s.compute_output_us)
       << "," << Us(c.recv_us) << "," << Us(c.latency.p50_us) << "," << Us(c.latency.p90_us) << ","
       << Us(c.latency.p95_us) << "," << Us(c.latency.p99_us) << "\n";
  }
  return os.str();
}

json ToJson(const PerfReport& report) {
  json levels = json::array();
  for (const LevelReport& level : report.levels) {
    json windows = json::array();
    for (const WindowReport& w : level.windows) {
      windows.push_back(
          {{"trial", w.trial}, {"client", ClientJson(w.client)}, {"server", ServerJson(w.server)}});
    }
    levels.push_back(
        {{"mode", level.mode == LoadMode::kConcurrency ? "concurrency" : "request_rate"},
         {"value", level.value},
         {"trials", level.trials},
         {"stable", level.stable},
         {"stopped_early", level.stopped_early},
         {"merged_windows", level.merged_windows},
         {"client", ClientJson(level.client)},
         {"server", ServerJson(level.server)},
         {"network_server_send_recv_us", level.NetworkServerUs()},
         {"error_examples", level.error_examples},
         {"windows", windows}});
  }
  return {{"tool", "trtserve-client perf"},
          {"server", {{"name", report.server_name}, {"version", report.server_version}}},
          {"options", OptionsJson(report.options)},
          {"model", ModelJson(report.model)},
          {"input_data", report.data_description},
          {"server_stats_available", report.server_stats_available},
          {"server_stats_note", report.server_stats_note},
          {"levels", levels}};
}

}  // namespace trt::client
