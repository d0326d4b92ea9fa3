#include "server/metrics_http.h"

#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <sstream>

#include "server/grpc/address.h"

namespace trt::server {
namespace {

std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Whole numbers as integers ("2500000", not "2.5e+06"), others as the shortest text that reads
// back as the same double; +Inf/-Inf/NaN spelled as Prometheus does.
std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

// Label pairs already escaped and joined: model="x",version="1".
std::string ModelLabels(const ModelStatsSnapshot& s) {
  return "model=\"" + EscapeLabelValue(s.model) + "\",version=\"" + std::to_string(s.version) +
         "\"";
}

class Writer {
 public:
  void Family(const char* name, const char* type, const char* help) {
    out_ << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  }
  void Sample(const std::string& name, const std::string& labels, const std::string& value) {
    out_ << name << "{" << labels << "} " << value << "\n";
  }
  void Sample(const std::string& name, const std::string& labels, uint64_t value) {
    Sample(name, labels, std::to_string(value));
  }
  void Histogram(const char* name, const std::string& labels, const Histogram::Snapshot& h) {
    const std::string bucket = std::string(name) + "_bucket";
    for (size_t i = 0; i < h.upper_bounds.size(); ++i) {
      Sample(bucket, labels + ",le=\"" + FormatDouble(h.upper_bounds[i]) + "\"",
             h.cumulative_counts[i]);
    }
    Sample(bucket, labels + ",le=\"+Inf\"", h.count);
    Sample(std::string(name) + "_sum", labels, FormatDouble(h.sum));
    Sample(std::string(name) + "_count", labels, h.count);
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

using Models = std::vector<ModelStatsSnapshot>;

void WriteCounter(Writer& w, const Models& models, const char* name, const char* help,
                  uint64_t (*get)(const ModelStatsSnapshot&)) {
  w.Family(name, "counter", help);
  for (const auto& m : models) w.Sample(name, ModelLabels(m), get(m));
}

void WriteHistogram(Writer& w, const Models& models, const char* name, const char* help,
                    const Histogram::Snapshot ModelStatsSnapshot::*member) {
  w.Family(name, "histogram", help);
  for (const auto& m : models) w.Histogram(name, ModelLabels(m), m.*member);
}

void WriteProfileCounter(Writer& w, const Models& models, const char* name, const char* help,
                         uint64_t ProfileStat::*member) {
  w.Family(name, "counter", help);
  for (const auto& m : models) {
    for (const ProfileStat& p : m.profiles) {
      w.Sample(name, ModelLabels(m) + ",profile=\"" + EscapeLabelValue(p.name) + "\"", p.*member);
    }
  }
}

}  // namespace

std::string RenderPrometheusText(const Models& models) {
  Writer w;
  WriteCounter(w, models, "trtserve_requests_total",
               "Inference requests that reached the model, accepted or rejected.",
               [](const ModelStatsSnapshot& m) { return m.requests; });
  WriteCounter(w, models, "trtserve_request_success_total", "Inference requests answered OK.",
               [](const ModelStatsSnapshot& m) { return m.success.count; });
  w.Family("trtserve_request_failure_total", "counter",
           "Inference requests that failed, by reason (rejected before queueing included).");
  for (const auto& m : models) {
    for (const auto& [reason, count] : m.failures) {
      w.Sample("trtserve_request_failure_total",
               ModelLabels(m) + ",reason=\"" + EscapeLabelValue(reason) + "\"", count);
    }
  }
  WriteCounter(w, models, "trtserve_inference_items_total",
               "Batch rows of successful requests (a request of batch 4 is 4 items).",
               [](const ModelStatsSnapshot& m) { return m.inference_count; });
  WriteCounter(w, models, "trtserve_executions_total", "Batches executed by the model.",
               [](const ModelStatsSnapshot& m) { return m.execution_count; });
  WriteHistogram(w, models, "trtserve_queue_duration_us",
                 "Time requests waited in the queue, in microseconds.",
                 &ModelStatsSnapshot::queue_us);
  WriteHistogram(w, models, "trtserve_compute_duration_us",
                 "Time to execute one batch (input + infer + output), in microseconds.",
                 &ModelStatsSnapshot::compute_us);
  WriteHistogram(w, models, "trtserve_batch_size", "Rows per executed batch.",
                 &ModelStatsSnapshot::batch_size);
  w.Family("trtserve_queue_depth", "gauge", "Requests waiting in the model's queue.");
  for (const auto& m : models) {
    w.Sample("trtserve_queue_depth", ModelLabels(m), std::to_string(m.queue_depth));
  }
  WriteProfileCounter(w, models, "trtserve_profile_executions_total",
                      "Batches executed on each optimization profile.", &ProfileStat::executions);
  WriteProfileCounter(w, models, "trtserve_profile_items_total",
                      "Batch rows executed on each profile, padding rows included.",
                      &ProfileStat::items);
  WriteProfileCounter(w, models, "trtserve_profile_padding_elements_total",
                      "Input elements that were padding (pad_to_batch), per profile.",
                      &ProfileStat::padding_elements);
  WriteProfileCounter(w, models, "trtserve_profile_elements_total",
                      "Input elements executed per profile, padding included.",
                      &ProfileStat::total_elements);
  return w.str();
}

StatusOr<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(const std::string& address,
                                                                      SnapshotSource source) {
  std::string host;
  int requested_port = 0;
  TRT_RETURN_IF_ERROR(SplitHostPort(address, "--metrics-address", &host, &requested_port));
  std::unique_ptr<MetricsHttpServer> server(new MetricsHttpServer());
  server->http_ = std::make_unique<httplib::Server>();
  httplib::Server& http = *server->http_;
  // Scrapes are rare and cheap: two workers are plenty (httplib defaults to 8+).
  http.new_task_queue = [] { return new httplib::ThreadPool(2); };
  // httplib's default also sets SO_REUSEPORT, which would let a second server share a port that
  // is already in use; SO_REUSEADDR alone still allows quick restarts.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http.Get("/metrics", [source](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderPrometheusText(source()), kPrometheusContentType);
  });
  http.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("trtserve metrics: GET /metrics (Prometheus text format 0.0.4)\n",
                    "text/plain; charset=utf-8");
  });
  const std::string bare = BareHost(host);
  const int port = requested_port == 0
                       ? http.bind_to_any_port(bare)
                       : (http.bind_to_port(bare, requested_port) ? requested_port : -1);
  if (port <= 0) {
    return Unavailable("cannot listen for metrics on " + address +
                       ": the port is in use or the address is not local to this machine; choose "
                       "another address with --metrics-address, or --metrics-address off to "
                       "disable metrics");
  }
  server->port_ = port;
  server->address_ = host + ":" + std::to_string(port);
  server->thread_ = std::thread([&http] { http.listen_after_bind(); });
  // stop() is a no-op until the listener runs, so do not hand out the server before that.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!http.is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!http.is_running()) {
    server->Stop();
    return Internal("the metrics listener on " + server->address_ + " did not start");
  }
  return server;
}

void MetricsHttpServer::Stop() {
  if (http_ != nullptr) http_->stop();
  if (thread_.joinable()) thread_.join();
}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

}  // namespace trt::server
