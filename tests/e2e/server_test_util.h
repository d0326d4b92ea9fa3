// Helpers for tests that talk KServe v2 to trtserve: building ModelInferRequests from tensors,
// reading tensors back out of responses (client side, independent of server/grpc/convert.cc
// so that tests check the server against an independent reading of the wire format).
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/sync_stream.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>

#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/runtime/bindings.h"
#include "proto/grpc_service.pb.h"
#include "server/model_config.h"

namespace trt::e2e {

// Appends `t` as input `name` with its bytes in raw_input_contents.
inline void AddRawInput(inference::ModelInferRequest* req, const std::string& name,
                        const Tensor& t) {
  auto* in = req->add_inputs();
  in->set_name(name);
  in->set_datatype(std::string(server::KServeDatatype(t.dtype())));
  for (int64_t d : t.shape()) in->add_shape(d);
  req->add_raw_input_contents()->assign(static_cast<const char*>(t.raw_data()), t.nbytes());
}

inline inference::ModelInferRequest MakeRawRequest(const std::string& model,
                                                   const runtime::NamedTensors& inputs,
                                                   const std::string& id = "") {
  inference::ModelInferRequest req;
  req.set_model_name(model);
  req.set_id(id);
  for (const auto& [name, t] : inputs) AddRawInput(&req, name, t);
  return req;
}

// The response's outputs as tensors (copies), checking that datatype, shape and byte size
// agree with each other.
inline StatusOr<runtime::NamedTensors> OutputsFromResponse(
    const inference::ModelInferResponse& resp) {
  if (resp.raw_output_contents_size() != resp.outputs_size()) {
    return Internal("response has " + std::to_string(resp.outputs_size()) + " outputs but " +
                    std::to_string(resp.raw_output_contents_size()) + " raw_output_contents");
  }
  runtime::NamedTensors out;
  for (int i = 0; i < resp.outputs_size(); ++i) {
    const auto& o = resp.outputs(i);
    std::optional<DType> dtype = server::DTypeFromKServe(o.datatype());
    if (!dtype) return Internal("output '" + o.name() + "' has datatype '" + o.datatype() + "'");
    Shape shape{std::span<const int64_t>(o.shape().data(), o.shape().size())};
    TRT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(*dtype, shape));
    const std::string& bytes = resp.raw_output_contents(i);
    if (bytes.size() != t.nbytes()) {
      return Internal("output '" + o.name() + "': " + std::to_string(bytes.size()) + " bytes for " +
                      t.Description());
    }
    if (!bytes.empty()) std::memcpy(t.raw_data(), bytes.data(), bytes.size());
    out.emplace_back(o.name(), std::move(t));
  }
  return out;
}

// A float32 tensor of `shape` filled with start, start + step, ...
inline Tensor Iota(Shape shape, float start = 0.f, float step = 1.f) {
  Tensor t(DType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.NumElements(); ++i) t.data<float>()[i] = start + step * i;
  return t;
}

// --- Calls by method name with raw bytes (for services we have no generated stubs for:
// grpc.health.v1, reflection, and methods our proto does not define).

inline grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

inline std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return "";
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

inline void SetDeadline(grpc::ClientContext* ctx, int seconds = 30) {
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

// A unary call to "/package.Service/Method" with serialized request bytes.
inline grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& method, const std::string& request,
                                 std::string* response) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  grpc::internal::RpcMethod rpc(method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::ByteBuffer out;
  grpc::Status s = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      channel.get(), rpc, &ctx, ToByteBuffer(request), &out);
  if (response != nullptr) *response = FromByteBuffer(out);
  return s;
}

// grpc.health.v1.Health/Check for `service`: the ServingStatus number (1 SERVING,
// 2 NOT_SERVING) or -code for an RPC error (e.g. -5 NOT_FOUND for an unknown service).
inline int HealthStatus(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  // HealthCheckRequest{service = 1: string}
  std::string request;
  if (!service.empty()) {
    request.push_back(0x0a);
    request.push_back(static_cast<char>(service.size()));  // services here are < 128 bytes
    request += service;
  }
  std::string response;
  grpc::Status s = RawUnaryCall(channel, "/grpc.health.v1.Health/Check", request, &response);
  if (!s.ok()) return -static_cast<int>(s.error_code());
  // HealthCheckResponse{status = 1: enum}; an empty message means UNKNOWN (0).
  if (response.size() == 2 && response[0] == 0x08) return response[1];
  return response.empty() ? 0 : -100;
}

// The service names listed by server reflection (grpc.reflection.v1alpha), as raw response
// bytes (tests search them for service names).
inline std::string ReflectionListServices(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  grpc::internal::RpcMethod rpc("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), rpc, &ctx));
  // ServerReflectionRequest{list_services = 7: string ""}
  const std::string list_services("\x3a\x00", 2);
  if (!stream->Write(ToByteBuffer(list_services))) return "";
  stream->WritesDone();
  grpc::ByteBuffer reply;
  std::string out;
  while (stream->Read(&reply)) out += FromByteBuffer(reply);
  stream->Finish();
  return out;
}

}  // namespace trt::e2e
