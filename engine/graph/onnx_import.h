// ONNX import: ModelProto (libonnx protobuf) -> graph::Model.
//
// What import does:
// - parses the file (malformed/truncated protobuf -> DATA_LOSS/INVALID_ARGUMENT naming the
//   file), checks opset imports (normalizing "ai.onnx" to ""), converts initializers
//   (raw_data, typed fields, external data files next to the model), folds `Constant` nodes
//   into constant Values, converts attributes (including If/Loop/Scan subgraphs, whose
//   references to enclosing values become outer-scope captures), reads value_info types and
//   symbolic shapes (dim_param -> named Dim, missing -> Dim::Unknown()), and sorts the nodes.
// - It does NOT check that ops are supported: the kernel registry does, so `inspect` can list
//   unsupported ops. Errors name the node, op type, domain and opset.
// Thread safety: pure functions.
#pragma once

#include <functional>
#include <string>

#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/graph/graph.h"

namespace onnx {
class ModelProto;
class TensorProto;
}  // namespace onnx

namespace trt::graph {

// Highest ai.onnx opset this build understands (ONNX 1.13's is 18).
inline constexpr int kMaxSupportedOnnxOpset = 18;
// Refuse protobuf files larger than this (protobuf's own hard limit is 2 GiB).
inline constexpr int64_t kMaxModelFileBytes = int64_t{2} << 30;

// Where external tensor data comes from: files in `base_dir` next to the model (ONNX's
// external-data convention), or, when `resolve` is set, a callback (plan files keep their
// weights in a section of their own and hand out zero-copy views of it).
struct ExternalDataSource {
  using Resolver = std::function<StatusOr<Tensor>(const std::string& location, int64_t offset,
                                                  int64_t length, DType dtype, const Shape& shape)>;
  ExternalDataSource() = default;
  ExternalDataSource(std::string dir) : base_dir(std::move(dir)) {}  // NOLINT: implicit on purpose
  ExternalDataSource(const char* dir) : base_dir(dir) {}             // NOLINT
  std::string base_dir;
  Resolver resolve;
};

// Loads a model from an .onnx file. External data is resolved relative to its folder.
StatusOr<Model> LoadOnnxModel(const std::string& path);
// Imports from bytes; `base_dir` resolves external data ("" disables external data).
StatusOr<Model> ImportOnnxModel(const std::string& bytes, const std::string& model_name,
                                const std::string& base_dir);
StatusOr<Model> ImportOnnxModel(const onnx::ModelProto& proto, const std::string& model_name,
                                const ExternalDataSource& external);

// Converts a TensorProto (as found in initializers, attributes and the ONNX test-data .pb
// files). `what` names the tensor in errors.
StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto, const ExternalDataSource& external,
                                 const std::string& what);
// Reads a serialized TensorProto file (e.g. test_data_set_0/input_0.pb); *name receives its
// name field (may be empty).
StatusOr<Tensor> LoadTensorProtoFile(const std::string& path, std::string* name = nullptr);

}  // namespace trt::graph
