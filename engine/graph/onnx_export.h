// graph::Model -> ONNX ModelProto (the inverse of onnx_import for everything the IR holds).
//
// Used by plan files (the optimized graph is stored as an ONNX model, readable by any ONNX
// tool) and by `trtserve build --save-onnx`. Internal fused ops keep their domain
// ("ai.trtserve") and an opset import is added for it. Symbolic dims are written as
// dim_param names; anonymous dims as empty dims. Values without a name get a unique one.
//
// Constants: by default written inline as raw_data. With a WeightSink, every constant of at
// least `min_external_bytes` is handed to the sink, which returns (location, offset) and the
// tensor is written as ONNX external data pointing there (plan files put weights in their
// own, mmap-able section; identical storage is written once).
// Unnamed values are given names in place (the only change made to the graph).
// Thread safety: pure function.
#pragma once

#include <functional>
#include <string>

#include "engine/base/status.h"
#include "engine/graph/graph.h"

namespace onnx {
class ModelProto;
}  // namespace onnx

namespace trt::graph {

struct WeightSink {
  // Stores the bytes of `t` and returns their offset in the sink's blob.
  std::function<int64_t(const Tensor& t)> store;
  std::string location = "weights";  // written as the external-data location
  int64_t min_external_bytes = 1024;
};

Status ExportOnnxModel(const Model& model, onnx::ModelProto* out, const WeightSink* sink = nullptr);

}  // namespace trt::graph
