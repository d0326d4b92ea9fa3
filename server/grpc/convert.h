// KServe v2 protobuf <-> server types. This is the ONLY place that sees both the generated
// `inference::` messages and server/engine types (InferRequest, Tensor, ModelConfig, ...);
// the batcher, repository and engine never include protobuf headers.
//
// Request conversion (InferRequestFromProto) checks that the request is self-consistent
// (known datatype strings, non-negative dims, byte sizes matching shape x element size,
// one source of data per input, parameter types); whether the tensors fit the MODEL (names,
// dtypes, ranks, profiles) is checked by DynamicBatcher::Enqueue. Every error is
// INVALID_ARGUMENT and names the model and tensor with expected and actual values, e.g.
// "model 'digits': input 'input': expected 256 bytes for FP32 [1, 1, 8, 8], got 255".
//
// Request parameters (ModelInferRequest.parameters):
//   priority  int64 >= 0 or uint64: 0 = the model's default level, 1 = highest.
//   timeout   int64 >= 0 or uint64: queue timeout in microseconds (0 = the policy default).
//   sequence_id / sequence_start / sequence_end: rejected (trtserve has no sequence batcher;
//             ignoring them would silently break stateful clients).
//   anything else: ignored (clients such as Triton's attach their own bookkeeping keys).
// Input parameter "shared_memory_region" and output parameter "classification" are
// rejected: trtserve implements neither extension, and ignoring them would return wrong data.
//
// Zero-copy: raw_input_contents bytes become input tensors through Tensor::Wrap when their
// address is aligned for the element type; the tensor's owner keeps the whole message alive.
// Otherwise the bytes are copied into a fresh 64-byte aligned tensor. (No kernel uses
// aligned SIMD loads or reads past an input's last element; if one ever does, TensorFromBytes
// is the one place to tighten.) Typed `contents` are always copied.
//
// Threading: free functions without shared state; safe from any thread.
#pragma once

#include <grpcpp/support/status.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "proto/grpc_service.pb.h"
#include "proto/model_config.pb.h"
#include "server/infer_request.h"
#include "server/model_config.h"
#include "server/model_repository.h"
#include "server/model_stats.h"

namespace trt::server {

// What ModelConfig and ModelMetadata report as `platform` and `backend`: trtserve serves its
// own compiled plans (built from ONNX), so it does not pretend to be onnxruntime or TensorRT.
inline constexpr std::string_view kPlatform = "trtserve_plan";
inline constexpr std::string_view kBackend = "trtserve";

// Status codes mirror gRPC's canonical codes one to one.
::grpc::Status ToGrpcStatus(const Status& status);
Status FromGrpcStatus(const ::grpc::Status& status);

// Builds an InferRequest from a KServe request. The tensors may alias `message`'s
// raw_input_contents and then share its ownership (see the file comment). model_version is
// left 0 (the repository resolves message->model_version()); on_complete is left empty.
StatusOr<std::unique_ptr<InferRequest>> InferRequestFromProto(
    std::shared_ptr<const inference::ModelInferRequest> message);

// A tensor of `dtype` and `shape` over `bytes` (bytes.size() must equal the tensor's nbytes;
// the caller checks). Wraps the bytes, keeping `owner` alive, when their address is a
// multiple of the element size; copies them into a fresh tensor otherwise.
Tensor TensorFromBytes(DType dtype, const Shape& shape, std::string_view bytes,
                       std::shared_ptr<const void> owner);

// Fills a KServe response from a successful InferResponse: model name, version, id, one
// output entry (name, datatype, shape) per tensor and one raw_output_contents entry per
// output in the same order. `response.status` must be OK (the caller maps failures).
void InferResponseToProto(const InferResponse& response, inference::ModelInferResponse* out);

// The streaming form of a failed request: error_message is "<CODE>: <message>", and
// infer_response carries the request's model name, version and id so that a client with
// several requests in flight can tell which one failed.
void StreamErrorToProto(const Status& status, const std::string& model_name,
                        const std::string& model_version, const std::string& id,
                        inference::ModelStreamInferResponse* out);

// The model's configuration as Triton reports it: platform kPlatform, backend kBackend,
// max_batch_size, inputs/outputs (dims without the batch dim when max_batch_size > 0, -1 for
// dynamic dims, format FORMAT_NONE), dynamic_batching (only when max_batch_size > 0), and one
// instance_group {name "<model>", kind KIND_CPU, count instance_count, profile = the profile
// names in plan order}.
void ModelConfigToProto(const ModelConfig& config, inference::ModelConfig* out);

// Model metadata: name, `versions` (ascending, as strings), platform, and tensor shapes with
// the batch dimension included as -1 when max_batch_size > 0.
void ModelMetadataToProto(const ModelConfig& config, const std::vector<int64_t>& versions,
                          inference::ModelMetadataResponse* out);

// Triton's ModelStatistics layout (durations in ns; batch_stats ascending by batch size).
void ModelStatsToProto(const ModelStatsSnapshot& stats, inference::ModelStatistics* out);

// RepositoryIndex rows.
void ModelIndexToProto(const std::vector<ModelIndexEntry>& entries,
                       inference::RepositoryIndexResponse* out);

// DType <-> the ModelConfig DataType enum (TYPE_INVALID for types KServe cannot name).
inference::DataType ToProtoDataType(DType dtype);

}  // namespace trt::server
