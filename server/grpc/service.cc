#include "server/grpc/service.h"

#include "engine/base/logging.h"
#include "server/grpc/convert.h"
#include "server/grpc/stream_reactor.h"

namespace trt::server {

namespace {

constexpr const char* kServiceName = "inference.GRPCInferenceService";

// ModelInfer's messages, owned through a shared_ptr so that input tensors may alias the
// request's bytes after the RPC has released its holder.
class InferHolder final
    : public ::grpc::MessageHolder<inference::ModelInferRequest, inference::ModelInferResponse> {
 public:
  InferHolder() : request_(std::make_shared<inference::ModelInferRequest>()) {
    set_request(request_.get());
    set_response(&response_);
  }
  void Release() override { delete this; }
  std::shared_ptr<const inference::ModelInferRequest> shared_request() const { return request_; }

 private:
  std::shared_ptr<inference::ModelInferRequest> request_;
  inference::ModelInferResponse response_;
};

::grpc::ServerUnaryReactor* FinishNow(::grpc::CallbackServerContext* ctx, const Status& status) {
  ::grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace

class InferenceService::InferAllocator final
    : public ::grpc::MessageAllocator<inference::ModelInferRequest, inference::ModelInferResponse> {
 public:
  ::grpc::MessageHolder<inference::ModelInferRequest, inference::ModelInferResponse>*
  AllocateMessages() override {
    return new InferHolder();
  }
};

InferenceService::InferenceService(ModelRepository* repository, ServiceOptions options)
    : repository_(repository),
      options_(std::move(options)),
      allocator_(std::make_unique<InferAllocator>()) {
  SetMessageAllocatorFor_ModelInfer(allocator_.get());
  control_thread_ = std::thread([this] { ControlLoop(); });
}

InferenceService::~InferenceService() { StopControl(); }

// ---------------------------------------------------------------------------------------
// Health and lifecycle

void InferenceService::AttachHealth(::grpc::HealthCheckServiceInterface* health) {
  {
    std::lock_guard<std::mutex> lock(health_mu_);
    health_ = health;
  }
  SyncHealth();
}

void InferenceService::SyncHealth() {
  std::lock_guard<std::mutex> lock(health_mu_);
  if (health_ == nullptr || shutting_down_.load()) return;
  health_->SetServingStatus("", repository_->Ready());
  health_->SetServingStatus(kServiceName, true);
  std::set<std::string> ready;
  for (const auto& model : repository_->AllServing()) ready.insert(model->name());
  for (const ModelIndexEntry& e : repository_->Index(/*ready_only=*/false)) {
    health_models_.insert(e.name);
  }
  for (const std::string& name : ready) health_models_.insert(name);
  for (const std::string& name : health_models_) {
    health_->SetServingStatus(name, ready.count(name) > 0);
  }
}

void InferenceService::BeginShutdown() {
  if (shutting_down_.exchange(true)) return;
  std::lock_guard<std::mutex> lock(health_mu_);
  if (health_ != nullptr) health_->Shutdown();  // every entry NOT_SERVING, frozen
}

bool InferenceService::PostControl(std::function<void()> op) {
  {
    std::lock_guard<std::mutex> lock(control_mu_);
    if (control_stopped_) return false;
    control_queue_.push_back(std::move(op));
  }
  control_cv_.notify_one();
  return true;
}

void InferenceService::ControlLoop() {
  for (;;) {
    std::function<void()> op;
    {
      std::unique_lock<std::mutex> lock(control_mu_);
      control_cv_.wait(lock, [this] { return control_stopped_ || !control_queue_.empty(); });
      if (control_queue_.empty()) return;  // stopped and drained
      op = std::move(control_queue_.front());
      control_queue_.pop_front();
    }
    op();
  }
}

void InferenceService::StopControl() {
  {
    std::lock_guard<std::mutex> lock(control_mu_);
    control_stopped_ = true;
  }
  control_cv_.notify_all();
  if (control_thread_.joinable()) control_thread_.join();
}

// ---------------------------------------------------------------------------------------
// Server and model state

::grpc::ServerUnaryReactor* InferenceService::ServerLive(::grpc::CallbackServerContext* ctx,
                                                         const inference::ServerLiveRequest*,
                                                         inference::ServerLiveResponse* response) {
  response->set_live(true);
  return FinishNow(ctx, Status::Ok());
}

::grpc::ServerUnaryReactor* InferenceService::ServerReady(
    ::grpc::CallbackServerContext* ctx, const inference::ServerReadyRequest*,
    inference::ServerReadyResponse* response) {
  response->set_ready(!shutting_down_.load() && repository_->Ready());
  return FinishNow(ctx, Status::Ok());
}

::grpc::ServerUnaryReactor* InferenceService::ModelReady(
    ::grpc::CallbackServerContext* ctx, const inference::ModelReadyRequest* request,
    inference::ModelReadyResponse* response) {
  auto model = repository_->Find(request->name(), request->version());
  // Unknown models and versions are errors; a known model that is not ready is "false".
  if (!model.ok() && model.status().code() == StatusCode::kNotFound) {
    return FinishNow(ctx, model.status());
  }
  response->set_ready(model.ok() && !shutting_down_.load());
  return FinishNow(ctx, Status::Ok());
}

::grpc::ServerUnaryReactor* InferenceService::ServerMetadata(
    ::grpc::CallbackServerContext* ctx, const inference::ServerMetadataRequest*,
    inference::ServerMetadataResponse* response) {
  response->set_name(options_.server_name);
  response->set_version(options_.server_version);
  // Only what is implemented: repository index/load/unload, priority + timeout request
  // parameters, the ModelConfig RPC, and ModelStatistics.
  for (const char* ext :
       {"model_repository", "schedule_policy", "model_configuration", "statistics"}) {
    response->add_extensions(ext);
  }
  return FinishNow(ctx, Status::Ok());
}

::grpc::ServerUnaryReactor* InferenceService::ModelMetadata(
    ::grpc::CallbackServerContext* ctx, const inference::ModelMetadataRequest* request,
    inference::ModelMetadataResponse* response) {
  auto model = repository_->Find(request->name(), request->version());
  if (!model.ok()) return FinishNow(ctx, model.status());
  std::vector<int64_t> versions;
  for (const auto& v : repository_->Versions(request->name())) versions.push_back(v->version());
  ModelMetadataToProto((*model)->config(), versions, response);
  return FinishNow(ctx, Status::Ok());
}

::grpc::ServerUnaryReactor* InferenceService::ModelConfig(
    ::grpc::CallbackServerContext* ctx, const inference::ModelConfigRequest* request,
    inference::ModelConfigResponse* response) {
  auto model = repository_->Find(request->name(), request->version());
  if (!model.ok()) return FinishNow(ctx, model.status());
  ModelConfigToProto((*model)->config(), response->mutable_config());
  return FinishNow(ctx, Status::Ok());
}

::grpc::ServerUnaryReactor* InferenceService::ModelStatistics(
    ::grpc::CallbackServerContext* ctx, const inference::ModelStatisticsRequest* request,
    inference::ModelStatisticsResponse* response) {
  std::vector<std::shared_ptr<ServedModel>> models;
  if (request->name().empty()) {
    if (!request->version().empty()) {
      return FinishNow(ctx, InvalidArgument("ModelStatistics: version '" + request->version() +
                                            "' given without a model name; set name too, or "
                                            "leave both empty for every model"));
    }
    models = repository_->AllServing();
  } else if (request->version().empty()) {
    models = repository_->Versions(request->name());
    if (models.empty()) {
      // Not ready or unknown: Find says which, with the available names.
      auto found = repository_->Find(request->name(), "");
      if (!found.ok()) return FinishNow(ctx, found.status());
      models.push_back(*found);
    }
  } else {
    auto found = repository_->Find(request->name(), request->version());
    if (!found.ok()) return FinishNow(ctx, found.status());
    models.push_back(*found);
  }
  for (const auto& m : models) {
    ModelStatsToProto(m->stats()->Snapshot(), response->add_model_stats());
  }
  return FinishNow(ctx, Status::Ok());
}

// ---------------------------------------------------------------------------------------
// Inference

Status InferenceService::Submit(std::shared_ptr<const inference::ModelInferRequest> message,
                                std::function<void(InferResponse&&)> done, bool allow_inline) {
  if (shutting_down_.load()) {
    return Unavailable(
        "the server is shutting down and accepts no new requests; retry on "
        "another replica or after it restarts");
  }
  if (message->model_name().empty()) {
    return InvalidArgument("the request has no model_name; RepositoryIndex lists the models");
  }
  TRT_ASSIGN_OR_RETURN(std::shared_ptr<ServedModel> model,
                       repository_->Find(message->model_name(), message->model_version()));
  auto request = InferRequestFromProto(std::move(message));
  if (!request.ok()) {
    // Never reaches the batcher, so it is counted here.
    model->stats()->RecordRejected(FailureReason(request.status()));
    return request.status();
  }
  (*request)->on_complete = std::move(done);
  (*request)->allow_inline_execution = allow_inline;
  return model->Enqueue(std::move(request).value());
}

::grpc::ServerUnaryReactor* InferenceService::ModelInfer(
    ::grpc::CallbackServerContext* ctx, const inference::ModelInferRequest* request,
    inference::ModelInferResponse* response) {
  ::grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  std::shared_ptr<const inference::ModelInferRequest> message;
  if (auto* holder = dynamic_cast<InferHolder*>(ctx->GetRpcAllocatorState())) {
    message = holder->shared_request();
  } else {
    message = std::make_shared<inference::ModelInferRequest>(*request);  // not our allocator
  }
  // The completion only finishes this RPC's reactor and no lock is held here, so a cheap
  // batch may run right on this thread (DynamicBatcher's inline execution).
  Status s = Submit(
      std::move(message),
      [reactor, response](InferResponse&& r) {
        if (r.status.ok()) InferResponseToProto(r, response);
        reactor->Finish(ToGrpcStatus(r.status));
      },
      /*allow_inline=*/true);
  if (!s.ok()) reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

::grpc::ServerBidiReactor<inference::ModelInferRequest, inference::ModelStreamInferResponse>*
InferenceService::ModelStreamInfer(::grpc::CallbackServerContext*) {
  return new StreamInferReactor(this);
}

// ---------------------------------------------------------------------------------------
// Repository

::grpc::ServerUnaryReactor* InferenceService::RepositoryIndex(
    ::grpc::CallbackServerContext* ctx, const inference::RepositoryIndexRequest* request,
    inference::RepositoryIndexResponse* response) {
  ModelIndexToProto(repository_->Index(request->ready()), response);
  return FinishNow(ctx, Status::Ok());
}

::grpc::ServerUnaryReactor* InferenceService::ModelControl(::grpc::CallbackServerContext* ctx,
                                                           const char* rpc,
                                                           const std::string& model_name, bool load,
                                                           int parameter_count) {
  if (!options_.explicit_model_control) {
    return FinishNow(ctx, FailedPrecondition(std::string(rpc) +
                                             ": the server runs with --model-control all, which "
                                             "loads every model itself; start `trtserve serve` "
                                             "with --model-control explicit to load and unload "
                                             "models through the API"));
  }
  if (model_name.empty()) {
    return FinishNow(ctx, InvalidArgument(std::string(rpc) + ": model_name is empty"));
  }
  if (parameter_count > 0) {
    return FinishNow(ctx, InvalidArgument(std::string(rpc) + " '" + model_name +
                                          "': parameters (config or file overrides) are not "
                                          "supported; edit the model's config.yaml in the "
                                          "repository and load it again"));
  }
  if (shutting_down_.load()) {
    return FinishNow(ctx, Unavailable(std::string(rpc) + ": the server is shutting down"));
  }
  ::grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  const bool posted = PostControl([this, reactor, model_name, load] {
    Status s = load ? repository_->Load(model_name) : repository_->Unload(model_name);
    if (s.ok()) {
      TRT_LOG_INFO("{} model '{}'", load ? "loaded" : "unloaded", model_name);
    } else {
      TRT_LOG_WARN("{} of model '{}' failed: {}", load ? "load" : "unload", model_name,
                   s.ToString());
    }
    SyncHealth();
    reactor->Finish(ToGrpcStatus(s));
  });
  if (!posted)
    reactor->Finish(ToGrpcStatus(Unavailable(std::string(rpc) + ": the server is shutting down")));
  return reactor;
}

::grpc::ServerUnaryReactor* InferenceService::RepositoryModelLoad(
    ::grpc::CallbackServerContext* ctx, const inference::RepositoryModelLoadRequest* request,
    inference::RepositoryModelLoadResponse*) {
  return ModelControl(ctx, "RepositoryModelLoad", request->model_name(), /*load=*/true,
                      request->parameters_size());
}

::grpc::ServerUnaryReactor* InferenceService::RepositoryModelUnload(
    ::grpc::CallbackServerContext* ctx, const inference::RepositoryModelUnloadRequest* request,
    inference::RepositoryModelUnloadResponse*) {
  return ModelControl(ctx, "RepositoryModelUnload", request->model_name(), /*load=*/false,
                      request->parameters_size());
}

}  // namespace trt::server
