// KServeClient: a typed client for one KServe v2 / Triton gRPC endpoint, plus EndpointPool
// for spreading requests over several endpoints round-robin.
//
// Works against any server speaking inference.GRPCInferenceService (trtserve, Triton, KServe
// runtimes); it depends only on the generated proto code.
//
// Errors: every helper returns the RPC's grpc::Status, code unchanged, with the RPC, endpoint
// and code name prepended to the message ("ModelMetadata 'digits' at 127.0.0.1:8001:
// NOT_FOUND: <server's message>"), so the message alone is a complete error line.
// Threading: all methods are thread-safe (gRPC channels and stubs are); a client may be shared
// by every thread of a load test. Channels connect lazily, on the first RPC.
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/status.h"
#include "proto/grpc_service.grpc.pb.h"

namespace trt::client {

inline constexpr char kDefaultEndpoint[] = "127.0.0.1:8001";

struct ClientOptions {
  int64_t timeout_ms = 30000;  // deadline of each RPC; 0 = no deadline
};

class KServeClient {
 public:
  // `address` is "HOST:PORT" (or any gRPC target such as "unix:/path").
  explicit KServeClient(std::string address, ClientOptions options = {});

  const std::string& address() const { return address_; }
  const ClientOptions& options() const { return options_; }

  // Sends ServerLive with a deadline of `timeout`. OK when the server answered at all;
  // otherwise UNAVAILABLE with the user-facing UnreachableMessage().
  Status CheckReachable(std::chrono::milliseconds timeout);

  StatusOr<bool> ServerLive();
  StatusOr<bool> ServerReady();
  StatusOr<bool> ModelReady(const std::string& model, const std::string& version);
  StatusOr<inference::ServerMetadataResponse> ServerMetadata();
  StatusOr<inference::ModelMetadataResponse> ModelMetadata(const std::string& model,
                                                           const std::string& version);
  StatusOr<inference::ModelConfigResponse> ModelConfig(const std::string& model,
                                                       const std::string& version);
  // Empty `model`: statistics of every model.
  StatusOr<inference::ModelStatisticsResponse> ModelStatistics(const std::string& model,
                                                               const std::string& version);
  StatusOr<inference::RepositoryIndexResponse> RepositoryIndex(bool ready_only);
  Status LoadModel(const std::string& model);
  Status UnloadModel(const std::string& model);
  StatusOr<inference::ModelInferResponse> Infer(const inference::ModelInferRequest& request);
  // ModelStreamInfer: sends `requests` on one bidirectional stream (responses are read
  // concurrently, so large exchanges cannot stall on flow control), half-closes, and returns
  // every response in arrival order; a failed request's response carries error_message. The
  // status is the stream's own (transport or server failure).
  StatusOr<std::vector<inference::ModelStreamInferResponse>> StreamInfer(
      const std::vector<inference::ModelInferRequest>& requests);

  // The load tester's hot path: ModelInfer with an already serialized ModelInferRequest on
  // gRPC's completion-queue API. Starts the call and asks for its completion: `tag` comes out
  // of `cq->Next()` once `*response` and `*status` are written. `context`, `request`,
  // `response` and `status` must stay alive until then. The caller sets the deadline on
  // `context` (see SetDeadline). The returned reader lives in the call's arena and must be
  // released before `context` is destroyed.
  // Why not the callback API: its completions run on gRPC's own executor threads, one more
  // thread hop per request (20-60 us at concurrency 1 on a 2-vCPU VM). A thread that polls its
  // own completion queue reads the response where it waits, as the sync API does.
  std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::ByteBuffer>> StartInferSerialized(
      grpc::ClientContext* context, const grpc::ByteBuffer& request, grpc::CompletionQueue* cq,
      grpc::ByteBuffer* response, grpc::Status* status, void* tag);

  // Applies options().timeout_ms to `context` (no-op for 0).
  void SetDeadline(grpc::ClientContext* context) const;

 private:
  // Runs one unary RPC with the deadline and prefixes errors with "<what> at <address>".
  template <typename Request, typename Response, typename Method>
  StatusOr<Response> Call(Method method, const Request& request, const std::string& what);

  std::string address_;
  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
  std::unique_ptr<grpc::GenericStub> generic_;
};

// "cannot reach KServe server at ADDRESS (REASON): start it with `trtserve serve
// --model-repository DIR` or pass -u HOST:PORT". REASON comes from the failed probe:
// "connection refused", "host not found", "no answer within 5 s", or gRPC's own text.
std::string UnreachableMessage(const std::string& address, const Status& probe,
                               std::chrono::milliseconds timeout);

// Splits "-u" values: "HOST:PORT[,HOST:PORT...]". Each entry needs a port (1..65535) unless
// it is a "unix:" target; the error shows the bad entry and the expected form.
StatusOr<std::vector<std::string>> ParseEndpoints(std::string_view list);

// Several endpoints, handed out round-robin (one per request). Thread-safe.
class EndpointPool {
 public:
  EndpointPool(const std::vector<std::string>& addresses, ClientOptions options);

  size_t size() const { return clients_.size(); }
  KServeClient& at(size_t i) { return *clients_[i]; }
  // The next endpoint in round-robin order, with its index.
  KServeClient& Next(size_t* index = nullptr);
  // CheckReachable on every endpoint; the first failure is returned.
  Status CheckReachable(std::chrono::milliseconds timeout);

 private:
  std::vector<std::unique_ptr<KServeClient>> clients_;
  std::atomic<uint64_t> next_{0};
};

}  // namespace trt::client
