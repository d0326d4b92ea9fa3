#include "engine/runtime/model_loader.h"

#include "engine/graph/onnx_import.h"
#include "engine/graph/shape_inference.h"
#include "engine/graph/verify.h"

namespace trt::runtime {

Status PrepareModel(graph::Model& model) {
  Status v = graph::VerifyGraph(*model.graph);
  if (!v.ok()) return v.WithContext("model '" + model.name + "'");
  return graph::InferShapes(model);
}

StatusOr<std::shared_ptr<graph::Model>> LoadModel(const std::string& path) {
  TRT_ASSIGN_OR_RETURN(graph::Model m, graph::LoadOnnxModel(path));
  auto model = std::make_shared<graph::Model>(std::move(m));
  TRT_RETURN_IF_ERROR(PrepareModel(*model));
  return model;
}

}  // namespace trt::runtime
