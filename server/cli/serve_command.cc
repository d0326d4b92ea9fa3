// `trtserve serve --model-repository DIR`: loads a model repository and serves it over KServe
// v2 gRPC (plus Prometheus /metrics over HTTP) until SIGINT/SIGTERM, then drains gracefully.
//
// Signals are blocked in every thread (the mask is set before any thread starts) and taken
// by one sigwait thread, so no work happens in a signal handler. While models load, a signal
// exits at once (nothing has been accepted yet); while serving, the first signal starts the
// graceful stop (not ready -> gRPC stops accepting and finishes in-flight RPCs while the
// batchers keep running -> repository drained -> exit 0); a second signal exits at once.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <thread>

#include "server/cli/commands.h"
#include "server/grpc/address.h"
#include "server/grpc/grpc_server.h"
#include "server/metrics_http.h"
#include "server/model_repository.h"

namespace trt::cli {
namespace {

using server::GrpcServer;
using server::MetricsHttpServer;
using server::ModelRepository;

struct ServeOptions {
  std::string repository;
  std::string grpc_address = "127.0.0.1:8001";
  std::string metrics_address = "127.0.0.1:8002";
  int64_t max_message_bytes = int64_t{64} << 20;
  std::string model_control = "all";
  std::vector<std::string> load_models;
  int poll_interval_s = 0;
  int shutdown_timeout_s = 30;
};

// Waits for SIGINT/SIGTERM on its own thread and tells the main thread. The thread stays in
// sigwait until the process exits, so the object is created once and never destroyed.
class SignalWaiter {
 public:
  explicit SignalWaiter(const sigset_t& set) : set_(set) {
    thread_ = std::thread([this] { Loop(); });
    thread_.detach();  // may stay blocked in sigwait until the process exits
  }
  // Switches from "starting" (a signal exits at once) to "serving" (a signal requests a
  // graceful stop) and waits for that signal. Returns its name.
  const char* WaitWhileServing() {
    std::unique_lock<std::mutex> lock(mu_);
    serving_ = true;
    cv_.wait(lock, [this] { return signal_ != 0; });
    return signal_ == SIGTERM ? "SIGTERM" : "SIGINT";
  }

 private:
  void Loop() {
    for (;;) {
      int sig = 0;
      if (sigwait(&set_, &sig) != 0) continue;
      std::lock_guard<std::mutex> lock(mu_);
      if (!serving_) {
        std::fprintf(stderr, "\ninterrupted while loading models; exiting\n");
        std::_Exit(130);
      }
      if (signal_ != 0) {
        std::fprintf(stderr, "second signal: exiting now without finishing in-flight requests\n");
        std::_Exit(1);
      }
      signal_ = sig;
      cv_.notify_all();
    }
  }

  sigset_t set_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool serving_ = false;
  int signal_ = 0;
};

void PrintModels(const ModelRepository& repo) {
  for (const auto& model : repo.AllServing()) {
    const server::ModelConfig& c = model->config();
    std::cout << "  model '" << c.name << "' version " << model->version() << ": max_batch_size "
              << c.max_batch_size << ", " << c.instance_count << " instance(s), profiles:\n";
    for (const auto& p : model->plan().profiles()) std::cout << "    " << p.ToString() << "\n";
  }
  for (const server::ModelIndexEntry& e : repo.Index(/*ready_only=*/false)) {
    if (e.state == "READY") continue;
    std::cout << "  model '" << e.name << "'" << (e.version.empty() ? "" : " version " + e.version)
              << ": " << e.state << (e.reason.empty() ? "" : ": " + e.reason) << "\n";
  }
}

int RunServe(const ServeOptions& o) {
  const bool explicit_mode = o.model_control == "explicit";
  if (!explicit_mode && !o.load_models.empty()) {
    return ReportError(
        "--load-model needs --model-control explicit (with --model-control all, "
        "every model in the repository is loaded)");
  }
  // Check the addresses before spending time on loading models.
  std::string host;
  int port = 0;
  if (Status s = server::SplitHostPort(o.grpc_address, "--grpc-address", &host, &port); !s.ok()) {
    return ReportError(s.message());
  }
  if (o.metrics_address != "off") {
    if (Status s = server::SplitHostPort(o.metrics_address, "--metrics-address", &host, &port);
        !s.ok()) {
      return ReportError(s.message() + ", or 'off'");
    }
  }
  // Block the stop signals before any thread exists, so every thread inherits the mask.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  SignalWaiter& signals = *new SignalWaiter(set);  // lives as long as its thread

  server::RepositoryOptions repo_options;
  repo_options.root = o.repository;
  repo_options.control_mode = explicit_mode ? server::RepositoryOptions::ControlMode::kExplicit
                                            : server::RepositoryOptions::ControlMode::kAll;
  repo_options.startup_models = o.load_models;
  repo_options.poll_interval_s = o.poll_interval_s;
  repo_options.show_progress = isatty(STDERR_FILENO) != 0;
  std::cout << "loading model repository " << o.repository << " (model control: " << o.model_control
            << ")" << std::endl;
  auto repo = ModelRepository::Open(repo_options);
  if (!repo.ok()) {
    return ReportError(repo.status().ToString() +
                       "\n(--model-repository must be a directory holding "
                       "<model>/config.yaml and <model>/<version>/model.onnx)");
  }
  PrintModels(**repo);

  server::GrpcServerOptions grpc_options;
  grpc_options.address = o.grpc_address;
  grpc_options.max_message_bytes = o.max_message_bytes;
  grpc_options.service.explicit_model_control = explicit_mode;
  grpc_options.health_sync_interval_s = o.poll_interval_s;
  auto grpc = GrpcServer::Start(repo->get(), grpc_options);
  if (!grpc.ok()) {
    (*repo)->Shutdown();
    return ReportError(grpc.status().message());
  }
  std::unique_ptr<MetricsHttpServer> metrics;
  if (o.metrics_address != "off") {
    ModelRepository* r = repo->get();
    auto started = MetricsHttpServer::Start(o.metrics_address, [r] {
      std::vector<server::ModelStatsSnapshot> snapshots;
      for (const auto& model : r->AllServing()) snapshots.push_back(model->stats()->Snapshot());
      return snapshots;
    });
    if (!started.ok()) {
      (*grpc)->Shutdown(std::chrono::milliseconds(0));
      (*repo)->Shutdown();
      return ReportError(started.status().message());
    }
    metrics = std::move(started).value();
  }
  std::cout << "ready: KServe v2 gRPC on " << (*grpc)->address();
  if (metrics) std::cout << ", metrics on http://" << metrics->address() << "/metrics";
  std::cout << (((*repo)->Ready()) ? "" : " (some models are not ready; see above)") << std::endl;

  const char* sig = signals.WaitWhileServing();
  std::cout << sig << " received: draining (in-flight requests finish; signal again to exit now)"
            << std::endl;
  (*grpc)->Shutdown(std::chrono::seconds(o.shutdown_timeout_s));
  if (metrics) metrics->Stop();
  // Every RPC has finished: these totals are final for the models still loaded.
  uint64_t ok = 0, failed = 0;
  for (const auto& model : (*repo)->AllServing()) {
    const server::ModelStatsSnapshot s = model->stats()->Snapshot();
    ok += s.success.count;
    for (const auto& [reason, n] : s.failures) failed += n;
  }
  (*repo)->Shutdown();
  std::cout << "stopped: answered " << ok << " inference requests OK and " << failed
            << " with an error" << std::endl;
  return 0;
}

}  // namespace

void RegisterServe(CLI::App& app, std::function<int()>* run) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* sub = app.add_subcommand(
      "serve", "Serve a model repository over KServe v2 gRPC (Triton-compatible) with metrics");
  sub->add_option("--model-repository,-m", opts->repository,
                  "Directory with one folder per model: <model>/config.yaml and "
                  "<model>/<version>/model.onnx (or model.plan)")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("--grpc-address", opts->grpc_address,
                  "HOST:PORT for gRPC (0.0.0.0:PORT to listen on every interface; port 0 picks "
                  "a free one)")
      ->capture_default_str();
  sub->add_option("--metrics-address", opts->metrics_address,
                  "HOST:PORT for Prometheus GET /metrics, or 'off'")
      ->capture_default_str();
  sub->add_option("--max-message-bytes", opts->max_message_bytes,
                  "Largest gRPC request/response message; larger requests get RESOURCE_EXHAUSTED")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1024}, int64_t{2147483647}));
  sub->add_option("--model-control", opts->model_control,
                  "'all' loads every model at startup; 'explicit' loads only --load-model "
                  "models and allows RepositoryModelLoad/Unload")
      ->capture_default_str()
      ->check(CLI::IsMember({"all", "explicit"}));
  sub->add_option("--load-model", opts->load_models,
                  "Model to load at startup in explicit mode (repeatable)");
  sub->add_option("--poll-interval-s", opts->poll_interval_s,
                  "Re-scan the repository every N seconds and pick up added, changed or removed "
                  "models (0 = never)")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  sub->add_option("--shutdown-timeout-s", opts->shutdown_timeout_s,
                  "On SIGINT/SIGTERM, how long in-flight RPCs may take to finish before they "
                  "are cancelled")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  sub->footer(
      "Examples:\n"
      "  trtserve serve --model-repository configs/model_repository\n"
      "  trtserve serve -m models --grpc-address 0.0.0.0:8001 --metrics-address off\n"
      "  trtserve serve -m models --model-control explicit --load-model digits\n"
      "Check it: grpcurl -plaintext 127.0.0.1:8001 inference.GRPCInferenceService/ServerReady\n"
      "          curl http://127.0.0.1:8002/metrics\n"
      "Stop it with Ctrl-C or SIGTERM: in-flight requests finish before it exits.");
  *run = [opts] { return RunServe(*opts); };
}

}  // namespace trt::cli
