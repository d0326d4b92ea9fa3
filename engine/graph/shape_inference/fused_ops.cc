// Shape inference for the ops the fusion passes introduce (domain ai.trtserve): FusedConv,
// FusedGemm, LayerNormalization and Gelu. Each has exactly the output types of the ai.onnx
// op it extends (the activation epilogue is elementwise), so it delegates to that op's
// inference function.
#include "engine/graph/shape_inference.h"

namespace trt::graph {
namespace {

template <const char* kOnnxOp>
Status SameAsOnnx(InferContext& ctx) {
  const InferFn fn = FindInferFn(kOnnxDomain, kOnnxOp);
  if (fn == nullptr) return ctx.Error(std::string("no inference for ai.onnx ") + kOnnxOp);
  return fn(ctx);
}

constexpr char kConv[] = "Conv";
constexpr char kGemm[] = "Gemm";
constexpr char kLayerNorm[] = "LayerNormalization";
constexpr char kGelu[] = "Gelu";

}  // namespace

void RegisterFusedOpsInfer(InferTable& t) {
  t.emplace_back("ai.trtserve:FusedConv", SameAsOnnx<kConv>);
  t.emplace_back("ai.trtserve:FusedGemm", SameAsOnnx<kGemm>);
  t.emplace_back("ai.trtserve:LayerNormalization", SameAsOnnx<kLayerNorm>);
  t.emplace_back("ai.trtserve:Gelu", SameAsOnnx<kGelu>);
}

}  // namespace trt::graph
