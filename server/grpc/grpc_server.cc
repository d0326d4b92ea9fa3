#include "server/grpc/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <algorithm>
#include <climits>

#include "server/grpc/address.h"

namespace trt::server {

StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(ModelRepository* repository,
                                                        GrpcServerOptions options) {
  std::string host;
  int requested_port = 0;
  TRT_RETURN_IF_ERROR(SplitHostPort(options.address, "--grpc-address", &host, &requested_port));
  if (options.max_message_bytes <= 0) {
    return InvalidArgument("--max-message-bytes must be > 0, got " +
                           std::to_string(options.max_message_bytes));
  }
  const int max_message = static_cast<int>(std::min<int64_t>(options.max_message_bytes, INT_MAX));

  std::unique_ptr<GrpcServer> server(new GrpcServer());
  server->service_ = std::make_unique<InferenceService>(repository, options.service);

  ::grpc::EnableDefaultHealthCheckService(true);
  ::grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  ::grpc::ServerBuilder builder;
  // Without this, Linux gRPC binds with SO_REUSEPORT and a second server on the same port
  // would "succeed" and steal half the connections.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(options.address, ::grpc::InsecureServerCredentials(), &server->port_);
  builder.SetMaxReceiveMessageSize(max_message);
  builder.SetMaxSendMessageSize(max_message);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    if (server->server_ != nullptr) server->server_->Shutdown();
    return Unavailable("cannot listen for gRPC on " + options.address +
                       ": the port is in use or the address is not local to this machine; stop "
                       "the other process or choose another address with --grpc-address (e.g. " +
                       host + ":" +
                       std::to_string(requested_port == 0 ? 8001 : requested_port + 10) + ")");
  }
  server->address_ = host + ":" + std::to_string(server->port_);
  server->service_->AttachHealth(server->server_->GetHealthCheckService());
  if (options.health_sync_interval_s > 0) {
    const int interval = options.health_sync_interval_s;
    GrpcServer* self = server.get();
    server->health_thread_ = std::thread([self, interval] { self->HealthSyncLoop(interval); });
  }
  return server;
}

void GrpcServer::HealthSyncLoop(int interval_s) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::seconds(interval_s), [this] { return stopped_; })) {
    lock.unlock();
    service_->SyncHealth();
    lock.lock();
  }
}

void GrpcServer::Shutdown(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
  }
  cv_.notify_all();
  if (health_thread_.joinable()) health_thread_.join();
  service_->BeginShutdown();
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
  service_->StopControl();
}

GrpcServer::~GrpcServer() {
  if (server_ != nullptr) Shutdown(std::chrono::milliseconds(0));
}

}  // namespace trt::server
