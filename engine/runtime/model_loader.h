// Loading a model for execution: ONNX import, IR verification and symbolic shape inference.
//
// LoadModel() is what every entry point (CLI, conformance runner, later the plan builder and
// the server) uses, so a model is always checked the same way: malformed files, dangling
// names and provably inconsistent shapes are reported here, before any kernel is created.
// Thread safety: pure function; the returned Model is immutable by convention.
#pragma once

#include <memory>
#include <string>

#include "engine/base/status.h"
#include "engine/graph/graph.h"

namespace trt::runtime {

// Imports `path`, verifies the IR and runs shape inference.
StatusOr<std::shared_ptr<graph::Model>> LoadModel(const std::string& path);
// Same for a model already imported (e.g. built in code).
Status PrepareModel(graph::Model& model);

}  // namespace trt::runtime
