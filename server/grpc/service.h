// InferenceService: the KServe v2 / Triton `inference.GRPCInferenceService`, implemented with
// gRPC's callback (reactor) API over a ModelRepository.
//
// RPCs: ServerLive, ServerReady, ModelReady, ServerMetadata, ModelMetadata, ModelInfer,
// ModelStreamInfer, ModelConfig, ModelStatistics, RepositoryIndex, RepositoryModelLoad,
// RepositoryModelUnload. Triton's other RPCs (shared memory, trace, log settings) are not in
// our proto, so gRPC answers them UNIMPLEMENTED.
//
// Inference path: the request message -> InferRequestFromProto (convert.h) -> the model's
// DynamicBatcher. ModelInfer finishes its reactor from the request's on_complete (a batcher
// or instance thread), or at once with the mapped status when Enqueue refuses the request.
// ModelInfer's request messages come from our own MessageAllocator, so input tensors can
// alias the message's bytes and keep it alive (zero-copy) past the RPC itself.
// ModelStreamInfer keeps reading while requests are in flight; each response (or error, in
// ModelStreamInferResponse.error_message with the request's id) is written as it completes,
// possibly out of order, one Write at a time; the stream finishes once the client has
// half-closed (or cancelled) and every accepted request has been answered and written.
//
// Readiness and health: ServerReady is repository->Ready() and not shutting down. ModelReady
// answers NOT_FOUND (with the available names) for an unknown model or version, and
// ready=false for a known model that is not loaded or still loading. With an
// attached HealthCheckServiceInterface, "" mirrors ServerReady, "inference.GRPCInferenceService"
// is SERVING until shutdown, and each model name is SERVING while some version is ready.
// SyncHealth() refreshes the model entries (after Load/Unload; the owner calls it
// periodically when the repository polls).
//
// Model control: RepositoryModelLoad/Unload are allowed only with explicit_model_control
// (FAILED_PRECONDITION otherwise, saying how to start the server). They run on one control
// thread owned by the service, never on gRPC's callback threads, and finish their reactor
// from there.
//
// Threading: all methods are thread-safe. Lifetime: the repository outlives the service; the
// service outlives the grpc::Server it is registered with (destroy the server first).
#pragma once

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/support/message_allocator.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "proto/grpc_service.grpc.pb.h"
#include "server/model_repository.h"

namespace trt::server {

struct ServiceOptions {
  std::string server_name = "trtserve";
  std::string server_version = "0.1.0";
  // RepositoryModelLoad/Unload are served only in explicit mode (as in Triton).
  bool explicit_model_control = false;
};

class InferenceService final : public inference::GRPCInferenceService::CallbackService {
 public:
  // `repository` is borrowed and must outlive the service.
  InferenceService(ModelRepository* repository, ServiceOptions options);
  ~InferenceService() override;  // StopControl()

  // Health reporting (optional): `health` is the server's default health service, borrowed.
  // Sets the initial statuses.
  void AttachHealth(::grpc::HealthCheckServiceInterface* health);
  // Re-reads model readiness into the health service.
  void SyncHealth();
  // First step of a graceful stop: ServerReady answers false, every health entry becomes
  // NOT_SERVING (frozen), and new inference requests are refused with UNAVAILABLE. RPCs
  // already accepted continue. Idempotent.
  void BeginShutdown();
  // Refuses new control operations and waits for the running one. Idempotent; call after the
  // grpc::Server has shut down.
  void StopControl();

  // --- RPCs (called by gRPC) ---
  ::grpc::ServerUnaryReactor* ServerLive(::grpc::CallbackServerContext* ctx,
                                         const inference::ServerLiveRequest* request,
                                         inference::ServerLiveResponse* response) override;
  ::grpc::ServerUnaryReactor* ServerReady(::grpc::CallbackServerContext* ctx,
                                          const inference::ServerReadyRequest* request,
                                          inference::ServerReadyResponse* response) override;
  ::grpc::ServerUnaryReactor* ModelReady(::grpc::CallbackServerContext* ctx,
                                         const inference::ModelReadyRequest* request,
                                         inference::ModelReadyResponse* response) override;
  ::grpc::ServerUnaryReactor* ServerMetadata(::grpc::CallbackServerContext* ctx,
                                             const inference::ServerMetadataRequest* request,
                                             inference::ServerMetadataResponse* response) override;
  ::grpc::ServerUnaryReactor* ModelMetadata(::grpc::CallbackServerContext* ctx,
                                            const inference::ModelMetadataRequest* request,
                                            inference::ModelMetadataResponse* response) override;
  ::grpc::ServerUnaryReactor* ModelInfer(::grpc::CallbackServerContext* ctx,
                                         const inference::ModelInferRequest* request,
                                         inference::ModelInferResponse* response) override;
  ::grpc::ServerBidiReactor<inference::ModelInferRequest, inference::ModelStreamInferResponse>*
  ModelStreamInfer(::grpc::CallbackServerContext* ctx) override;
  ::grpc::ServerUnaryReactor* ModelConfig(::grpc::CallbackServerContext* ctx,
                                          const inference::ModelConfigRequest* request,
                                          inference::ModelConfigResponse* response) override;
  ::grpc::ServerUnaryReactor* ModelStatistics(
      ::grpc::CallbackServerContext* ctx, const inference::ModelStatisticsRequest* request,
      inference::ModelStatisticsResponse* response) override;
  ::grpc::ServerUnaryReactor* RepositoryIndex(
      ::grpc::CallbackServerContext* ctx, const inference::RepositoryIndexRequest* request,
      inference::RepositoryIndexResponse* response) override;
  ::grpc::ServerUnaryReactor* RepositoryModelLoad(
      ::grpc::CallbackServerContext* ctx, const inference::RepositoryModelLoadRequest* request,
      inference::RepositoryModelLoadResponse* response) override;
  ::grpc::ServerUnaryReactor* RepositoryModelUnload(
      ::grpc::CallbackServerContext* ctx, const inference::RepositoryModelUnloadRequest* request,
      inference::RepositoryModelUnloadResponse* response) override;

  // Converts and enqueues one inference request; on OK, `done` is called exactly once (from
  // a batcher/instance thread, or with `allow_inline` possibly from inside this call: see
  // InferRequest::allow_inline_execution) with the result. On error `done` is not called.
  // Used by both ModelInfer and ModelStreamInfer.
  Status Submit(std::shared_ptr<const inference::ModelInferRequest> message,
                std::function<void(InferResponse&&)> done, bool allow_inline = false);

 private:
  class InferAllocator;

  // Runs `op` on the control thread; false when stopped.
  bool PostControl(std::function<void()> op);
  void ControlLoop();
  ::grpc::ServerUnaryReactor* ModelControl(::grpc::CallbackServerContext* ctx, const char* rpc,
                                           const std::string& model_name, bool load,
                                           int parameter_count);

  ModelRepository* repository_;
  ServiceOptions options_;
  std::unique_ptr<InferAllocator> allocator_;
  std::atomic<bool> shutting_down_{false};

  std::mutex health_mu_;  // guards health_ and health_models_
  ::grpc::HealthCheckServiceInterface* health_ = nullptr;
  std::set<std::string> health_models_;  // model names ever reported

  std::mutex control_mu_;  // guards control_queue_ and control_stopped_
  std::condition_variable control_cv_;
  std::deque<std::function<void()>> control_queue_;
  bool control_stopped_ = false;
  std::thread control_thread_;
};

}  // namespace trt::server
