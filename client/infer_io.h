// Conversion between HostTensor and KServe ModelInfer messages, and what the client knows
// about a model's tensors (ModelInfo, from ModelMetadata + ModelConfig).
//
// Requests always carry data in raw_input_contents (one entry per input, in input order).
// Responses are read from raw_output_contents, or from the typed `contents` fields when a
// server sends those instead (allowed by the protocol).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "client/host_tensor.h"
#include "client/kserve_client.h"
#include "client/status.h"
#include "proto/grpc_service.pb.h"

namespace trt::client {

// Builds a request for `model` (`version` may be empty = server's choice) with `inputs` in
// raw_input_contents. `outputs` lists requested outputs; empty = all.
inference::ModelInferRequest BuildInferRequest(const std::string& model, const std::string& version,
                                               const std::vector<HostTensor>& inputs,
                                               const std::vector<std::string>& outputs = {});

// Extracts every output of `response` (in response order). Errors name the model and the
// output (missing data, size that does not match dtype x shape, unknown dtype).
StatusOr<std::vector<HostTensor>> ParseInferResponse(const inference::ModelInferResponse& response);

struct TensorSpec {
  std::string name;
  std::string datatype;        // KServe wire name
  std::vector<int64_t> shape;  // as in ModelMetadata: batch dim included, -1 = variable
};

struct ModelInfo {
  std::string name;
  std::string version;  // requested version ("" = server's default)
  std::string platform;
  std::vector<std::string> versions;
  std::vector<TensorSpec> inputs, outputs;
  // From ModelConfig: > 0 means dim 0 of every input is the batch dim. 0 when the model does
  // not batch, or when the server has no ModelConfig RPC (config_known = false).
  int64_t max_batch_size = 0;
  bool config_known = false;

  bool batches() const { return max_batch_size > 0; }
  const TensorSpec* FindInput(const std::string& name) const;
};

// Fetches ModelMetadata and (if the server serves it) ModelConfig.
StatusOr<ModelInfo> FetchModelInfo(KServeClient& client, const std::string& model,
                                   const std::string& version);
ModelInfo ModelInfoFromProtos(const inference::ModelMetadataResponse& metadata,
                              const inference::ModelConfigResponse* config,
                              const std::string& version);

// "--shape NAME:DIMS" -> (NAME, dims). NAME may itself contain ':' (the last ':' splits).
StatusOr<std::pair<std::string, std::vector<int64_t>>> ParseShapeOption(std::string_view text);

// The concrete shape to send for `input`:
// - with `user_dims` (from --shape): either the full shape (same rank as the metadata), or,
//   for a batching model, the shape without the batch dim (rank - 1, as perf_analyzer's
//   --shape), to which `batch` is prepended;
// - without: the metadata shape with the batch dim set to `batch` (batching models, or an
//   unknown config whose dim 0 is variable).
// `batch` <= 0 means 1 (or the batch given in a full --shape). Every fixed dim must match the
// metadata and no -1 may remain; errors name the model, input, expected and actual shape and
// show a --shape example.
StatusOr<std::vector<int64_t>> ResolveShape(const ModelInfo& model, const TensorSpec& input,
                                            int64_t batch, const std::vector<int64_t>* user_dims);

// Fits data read from a file to `input`: converts the dtype (ConvertForInput), checks the
// shape against the metadata, and, for a batching model whose data lacks the batch dim,
// prepends it and repeats the data `batch` times (batch <= 0 means 1). Sets the tensor name.
StatusOr<HostTensor> FitTensorToInput(HostTensor t, const ModelInfo& model, const TensorSpec& input,
                                      int64_t batch);

}  // namespace trt::client
