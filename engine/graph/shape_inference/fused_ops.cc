// Shape inference for the ops the fusion passes introduce (domain ai.trtserve): FusedConv,
// FusedGemm, LayerNormalization and Gelu. Each has exactly the output types of the ai.onnx
// op it extends (the activation epilogue is elementwise), so it delegates to that op's
// inference function; FusedConv also checks its residual input Z against the output.
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

// FusedConv: Conv's output; the optional residual Z (input 3) must have that type.
Status FusedConv(InferContext& ctx) {
  TRT_RETURN_IF_ERROR(SameAsOnnx<kConv>(ctx));
  if (!ctx.has_input(3)) return Status::Ok();
  const Value* y = ctx.node().outputs.empty() ? nullptr : ctx.node().outputs[0];
  if (y == nullptr) return Status::Ok();
  if (ctx.input_dtype(3) != y->dtype) {
    return ctx.Error("input Z is " + std::string(DTypeName(ctx.input_dtype(3))) +
                     ", the convolution output is " + std::string(DTypeName(y->dtype)));
  }
  const auto z = ctx.input_shape(3);
  if (!z || !y->shape) return Status::Ok();
  bool mismatch = z->size() != y->shape->size();
  for (size_t i = 0; !mismatch && i < z->size(); ++i) {
    mismatch = (*z)[i].is_known() && (*y->shape)[i].is_known() && (*z)[i] != (*y->shape)[i];
  }
  if (mismatch) return ctx.Error("input Z must have the convolution output's shape");
  return Status::Ok();
}
constexpr char kGemm[] = "Gemm";
constexpr char kLayerNorm[] = "LayerNormalization";
constexpr char kGelu[] = "Gelu";

}  // namespace

void RegisterFusedOpsInfer(InferTable& t) {
  t.emplace_back("ai.trtserve:FusedConv", FusedConv);
  t.emplace_back("ai.trtserve:FusedGemm", SameAsOnnx<kGemm>);
  t.emplace_back("ai.trtserve:LayerNormalization", SameAsOnnx<kLayerNorm>);
  t.emplace_back("ai.trtserve:Gelu", SameAsOnnx<kGelu>);
}

}  // namespace trt::graph
