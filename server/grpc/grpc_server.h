// GrpcServer: a running grpc::Server with the InferenceService, the standard health service
// (grpc.health.v1.Health) and server reflection, on one listening address.
//
// Start() enables gRPC's default health service and the reflection plugin, binds the
// address WITHOUT SO_REUSEPORT (so a port already in use is an error, not a silently shared
// port), and applies max_message_bytes to both directions (an oversized request is refused
// by gRPC with RESOURCE_EXHAUSTED before it reaches us).
//
// Shutdown(grace) is the graceful stop: the service turns not-ready (health NOT_SERVING,
// new inference requests UNAVAILABLE), gRPC stops accepting RPCs and waits up to `grace`
// for in-flight ones (inference RPCs complete when their batcher answers, so the repository
// must keep running until Shutdown returns), then cancels whatever is left; finally the
// service's control thread is joined. The destructor calls Shutdown with no grace.
//
// Threading: Shutdown is thread-safe and idempotent; accessors are read-only after Start.
#pragma once

#include <grpcpp/server.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "engine/base/status.h"
#include "server/grpc/service.h"
#include "server/model_repository.h"

namespace trt::server {

struct GrpcServerOptions {
  // host:port; port 0 picks a free port (see GrpcServer::port()).
  std::string address = "127.0.0.1:8001";
  // Largest request or response message, in bytes.
  int64_t max_message_bytes = int64_t{64} << 20;
  ServiceOptions service;
  // > 0: refresh per-model health every this many seconds (for a polling repository).
  int health_sync_interval_s = 0;
};

class GrpcServer {
 public:
  // `repository` is borrowed and must outlive the server. UNAVAILABLE when the address cannot
  // be bound (the message names it and the flag to change).
  static StatusOr<std::unique_ptr<GrpcServer>> Start(ModelRepository* repository,
                                                     GrpcServerOptions options);
  ~GrpcServer();

  int port() const { return port_; }
  // The address actually bound (with the chosen port when 0 was asked for).
  const std::string& address() const { return address_; }
  InferenceService& service() { return *service_; }

  void Shutdown(std::chrono::milliseconds grace);

 private:
  GrpcServer() = default;
  void HealthSyncLoop(int interval_s);

  std::unique_ptr<InferenceService> service_;
  std::unique_ptr<::grpc::Server> server_;
  int port_ = 0;
  std::string address_;

  std::mutex mu_;  // guards stopped_
  std::condition_variable cv_;
  bool stopped_ = false;
  std::thread health_thread_;
};

}  // namespace trt::server
