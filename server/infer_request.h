// InferRequest / InferResponse: one inference call as the server schedules it, free of
// protobuf (server/grpc/convert.cc is the only place that translates KServe messages).
//
// Ownership: the request owns its input tensors (they may wrap the bytes of the gRPC message
// through Tensor::Wrap's owner). The batcher owns queued requests; a response owns its output
// tensors (never aliases of an execution context's arena).
// Threading: a request is handed from the RPC thread to the batcher and then to an instance
// thread; only one thread touches it at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/runtime/bindings.h"
#include "server/clock.h"

namespace trt::server {

struct InferResponse {
  Status status;  // OK, or the reason the request failed (its gRPC code and message)
  std::string model_name;
  int64_t model_version = 0;
  std::string id;  // echoes InferRequest::id
  // Owned tensors in the order the request asked for them (all outputs in model order when
  // the request named none). With max_batch_size > 0, dim 0 equals the request's batch.
  runtime::NamedTensors outputs;
};

struct InferRequest {
  std::string model_name;
  int64_t model_version = 0;  // the resolved version (the repository fills it in)
  std::string id;             // client-chosen, echoed back
  // One tensor per model input, any order. With max_batch_size > 0, dim 0 of every input is
  // the batch dimension (all inputs agree on it).
  runtime::NamedTensors inputs;
  // Output names to return, in this order; empty = every output in model order.
  std::vector<std::string> requested_outputs;
  // 0 = the model's default_priority_level; 1 = highest. Values above the model's
  // priority_levels are rejected with INVALID_ARGUMENT.
  uint64_t priority = 0;
  // Queue timeout in microseconds; 0 = the level's policy default. Honoured only when the
  // level's policy has allow_timeout_override.
  uint64_t timeout_us = 0;
  // Set by the batcher on acceptance.
  TimePoint arrival{};
  // Called exactly once for every request the batcher accepted (Enqueue returned OK), from a
  // batcher or instance thread, with the result. Never called when Enqueue returns an error:
  // then the caller answers with that status. Must not block for long.
  std::function<void(InferResponse&&)> on_complete;
  // Lets Enqueue run the batch holding this request on the calling thread when an instance
  // is idle and that profile's batches are short (ModelConfig::inline_execution_max_us): no
  // hand-off to the worker thread. Then on_complete of this request (and of any other request in
  // that batch) may run inside Enqueue, before it returns, so set it only when the caller holds no
  // lock that a completion callback takes (the unary ModelInfer handler does).
  bool allow_inline_execution = false;
};

}  // namespace trt::server
