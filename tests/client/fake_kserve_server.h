// An in-process fake KServe v2 server for client tests, so the client is verified
// independently of trtserve's own server.
//
// Serves model "double": input "x" FP32 [-1, 4] (max_batch_size 8), output "y" FP32 [-1, 4]
// with y = 2x. Every ModelInfer is recorded in ModelStatistics with synthetic but varying
// durations (queue = 1000 + 10 * (k % 7) ns, compute input/infer/output = 2000/3000*batch/
// 4000 ns, success = their sum + 500 ns, for the k-th request), and every ModelStatistics
// answer is kept (stats_answers()) so tests can recompute the exact deltas the client saw.
// Errors on demand: set_fail_every(n, code) fails every n-th ModelInfer with `code`;
// set_delay_ms() makes ModelInfer sleep. Also serves ServerLive/Ready/Metadata, ModelReady,
// ModelConfig, RepositoryIndex (with one UNAVAILABLE entry) and ModelStreamInfer (each
// request answered as ModelInfer would, errors in error_message).
// Threading: gRPC's sync server runs handlers on its own threads; all state is guarded.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "proto/grpc_service.grpc.pb.h"

namespace trt::client::testing {

class FakeKServeServer final : public inference::GRPCInferenceService::Service {
 public:
  static constexpr char kModel[] = "double";

  FakeKServeServer() {
    stats_.set_name(kModel);
    stats_.set_version("1");
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~FakeKServeServer() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }

  bool ok() const { return server_ != nullptr && port_ > 0; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  void set_fail_every(int n, grpc::StatusCode code) {
    fail_every_ = n;
    fail_code_ = code;
  }
  void set_delay_ms(int ms) { delay_ms_ = ms; }

  int64_t infer_calls() const { return infer_calls_.load(); }
  int64_t live_calls() const { return live_calls_.load(); }
  std::vector<inference::ModelStatistics> stats_answers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_;
  }

  grpc::Status ServerLive(grpc::ServerContext*, const inference::ServerLiveRequest*,
                          inference::ServerLiveResponse* r) override {
    live_calls_.fetch_add(1);
    r->set_live(true);
    return grpc::Status::OK;
  }
  grpc::Status ServerReady(grpc::ServerContext*, const inference::ServerReadyRequest*,
                           inference::ServerReadyResponse* r) override {
    r->set_ready(true);
    return grpc::Status::OK;
  }
  grpc::Status ServerMetadata(grpc::ServerContext*, const inference::ServerMetadataRequest*,
                              inference::ServerMetadataResponse* r) override {
    r->set_name("fake");
    r->set_version("0.0.1");
    r->add_extensions("statistics");
    return grpc::Status::OK;
  }
  grpc::Status ModelReady(grpc::ServerContext*, const inference::ModelReadyRequest* q,
                          inference::ModelReadyResponse* r) override {
    r->set_ready(q->name() == kModel);
    return grpc::Status::OK;
  }
  grpc::Status ModelMetadata(grpc::ServerContext*, const inference::ModelMetadataRequest* q,
                             inference::ModelMetadataResponse* r) override {
    if (q->name() != kModel) return Unknown(q->name());
    r->set_name(kModel);
    r->add_versions("1");
    r->set_platform("fake");
    for (auto* t : {r->add_inputs(), r->add_outputs()}) {
      t->set_datatype("FP32");
      t->add_shape(-1);
      t->add_shape(4);
    }
    r->mutable_inputs(0)->set_name("x");
    r->mutable_outputs(0)->set_name("y");
    return grpc::Status::OK;
  }
  grpc::Status ModelConfig(grpc::ServerContext*, const inference::ModelConfigRequest* q,
                           inference::ModelConfigResponse* r) override {
    if (q->name() != kModel) return Unknown(q->name());
    r->mutable_config()->set_name(kModel);
    r->mutable_config()->set_max_batch_size(8);
    return grpc::Status::OK;
  }
  grpc::Status RepositoryIndex(grpc::ServerContext*, const inference::RepositoryIndexRequest*,
                               inference::RepositoryIndexResponse* r) override {
    auto* m = r->add_models();
    m->set_name(kModel);
    m->set_version("1");
    m->set_state("READY");
    m = r->add_models();
    m->set_name("broken");
    m->set_version("1");
    m->set_state("UNAVAILABLE");
    m->set_reason("failed to load: fake reason");
    return grpc::Status::OK;
  }
  grpc::Status ModelStatistics(grpc::ServerContext*, const inference::ModelStatisticsRequest* q,
                               inference::ModelStatisticsResponse* r) override {
    if (!q->name().empty() && q->name() != kModel) return Unknown(q->name());
    std::lock_guard<std::mutex> lock(mu_);
    *r->add_model_stats() = stats_;
    answers_.push_back(stats_);
    return grpc::Status::OK;
  }

  grpc::Status ModelStreamInfer(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<inference::ModelStreamInferResponse, inference::ModelInferRequest>*
          stream) override {
    inference::ModelInferRequest request;
    while (stream->Read(&request)) {
      inference::ModelStreamInferResponse response;
      grpc::Status s = ModelInfer(context, &request, response.mutable_infer_response());
      if (!s.ok()) response.set_error_message(s.error_message());
      if (!stream->Write(response)) break;
    }
    return grpc::Status::OK;
  }

  grpc::Status ModelInfer(grpc::ServerContext* context, const inference::ModelInferRequest* q,
                          inference::ModelInferResponse* r) override {
    const int64_t k = infer_calls_.fetch_add(1) + 1;
    // Sleeps in steps so that a cancelled call ends the handler early.
    const auto wake = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms_);
    while (std::chrono::steady_clock::now() < wake && !context->IsCancelled()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    if (q->model_name() != kModel) return Unknown(q->model_name());
    if (fail_every_ > 0 && k % fail_every_ == 0) {
      RecordFailure();
      return grpc::Status(fail_code_, "fake failure of request " + std::to_string(k));
    }
    if (q->inputs_size() != 1 || q->raw_input_contents_size() != 1 || q->inputs(0).name() != "x" ||
        q->inputs(0).datatype() != "FP32" || q->inputs(0).shape_size() != 2 ||
        q->inputs(0).shape(1) != 4 || q->inputs(0).shape(0) < 1 || q->inputs(0).shape(0) > 8 ||
        q->raw_input_contents(0).size() != static_cast<size_t>(q->inputs(0).shape(0)) * 16) {
      RecordFailure();
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "model 'double' input 'x' must be FP32 [1..8, 4] in raw contents");
    }
    const int64_t batch = q->inputs(0).shape(0);
    const std::string& in = q->raw_input_contents(0);
    std::string out(in.size(), '\0');
    for (size_t i = 0; i < in.size(); i += 4) {
      float v;
      std::memcpy(&v, in.data() + i, 4);
      v *= 2;
      std::memcpy(out.data() + i, &v, 4);
    }
    r->set_model_name(kModel);
    r->set_model_version("1");
    auto* y = r->add_outputs();
    y->set_name("y");
    y->set_datatype("FP32");
    y->add_shape(batch);
    y->add_shape(4);
    r->add_raw_output_contents(std::move(out));
    RecordSuccess(k, batch);
    return grpc::Status::OK;
  }

 private:
  static grpc::Status Unknown(const std::string& name) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown model '" + name + "'");
  }
  static void Add(inference::StatisticDuration* d, uint64_t ns) {
    d->set_count(d->count() + 1);
    d->set_ns(d->ns() + ns);
  }
  void RecordFailure() {
    std::lock_guard<std::mutex> lock(mu_);
    Add(stats_.mutable_inference_stats()->mutable_fail(), 100);
  }
  void RecordSuccess(int64_t k, int64_t batch) {
    const uint64_t queue = 1000 + 10 * (k % 7), input = 2000, infer = 3000 * batch, output = 4000;
    std::lock_guard<std::mutex> lock(mu_);
    stats_.set_inference_count(stats_.inference_count() + batch);
    stats_.set_execution_count(stats_.execution_count() + 1);
    auto* s = stats_.mutable_inference_stats();
    Add(s->mutable_success(), queue + input + infer + output + 500);
    Add(s->mutable_queue(), queue);
    Add(s->mutable_compute_input(), input);
    Add(s->mutable_compute_infer(), infer);
    Add(s->mutable_compute_output(), output);
    inference::InferBatchStatistics* b = nullptr;
    for (auto& e : *stats_.mutable_batch_stats()) {
      if (e.batch_size() == static_cast<uint64_t>(batch)) b = &e;
    }
    if (!b) {
      b = stats_.add_batch_stats();
      b->set_batch_size(batch);
    }
    Add(b->mutable_compute_input(), input);
    Add(b->mutable_compute_infer(), infer);
    Add(b->mutable_compute_output(), output);
  }

  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::atomic<int64_t> infer_calls_{0};
  std::atomic<int64_t> live_calls_{0};
  std::atomic<int> fail_every_{0};
  std::atomic<grpc::StatusCode> fail_code_{grpc::StatusCode::UNAVAILABLE};
  std::atomic<int> delay_ms_{0};
  mutable std::mutex mu_;
  inference::ModelStatistics stats_;                 // guarded by mu_
  std::vector<inference::ModelStatistics> answers_;  // guarded by mu_
};

}  // namespace trt::client::testing
