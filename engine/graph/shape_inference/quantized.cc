// Shape inference for quantized ops: QuantizeLinear/DequantizeLinear, DynamicQuantizeLinear,
// QLinearConv/ConvInteger (via ConvShape), QLinearMatMul/MatMulInteger (via MatMulShape) and
// the com.microsoft QLinearAdd/QLinearMul/MatMulIntegerToFloat.
#include "engine/graph/shape_inference.h"

namespace trt::graph {
namespace {

Status Quantize(InferContext& ctx) {
  const DType dt = ctx.has_input(2) ? ctx.input_dtype(2) : DType::kUInt8;
  ctx.SetOutput(0, dt, ctx.input_shape(0));
  return Status::Ok();
}

Status Dequantize(InferContext& ctx) {
  ctx.SetOutput(0, ctx.input_dtype(1), ctx.input_shape(0));
  return Status::Ok();
}

Status DynamicQuantize(InferContext& ctx) {
  ctx.SetOutput(0, DType::kUInt8, ctx.input_shape(0));
  ctx.SetOutput(1, DType::kFloat32, SymShape{});
  ctx.SetOutput(2, DType::kUInt8, SymShape{});
  return Status::Ok();
}

// Conv over inputs x_at and w_at producing `dt`.
Status ConvLike(InferContext& ctx, int x_at, int w_at, DType dt) {
  auto x = ctx.input_shape(x_at), w = ctx.input_shape(w_at);
  std::optional<SymShape> out;
  if (x && w) {
    TRT_ASSIGN_OR_RETURN(out, ConvShape(ctx, *x, *w));
  } else if (x) {
    out = UnknownDims(x->size());
  }
  ctx.SetOutput(0, dt, out);
  return Status::Ok();
}

Status MatMulLike(InferContext& ctx, int a_at, int b_at, DType dt) {
  auto a = ctx.input_shape(a_at), b = ctx.input_shape(b_at);
  std::optional<SymShape> out;
  if (a && b) {
    TRT_ASSIGN_OR_RETURN(out, MatMulShape(ctx, *a, *b));
  }
  ctx.SetOutput(0, dt, out);
  return Status::Ok();
}

Status QLinearConv(InferContext& ctx) { return ConvLike(ctx, 0, 3, ctx.input_dtype(7)); }
Status ConvInteger(InferContext& ctx) { return ConvLike(ctx, 0, 1, DType::kInt32); }
Status QLinearMatMul(InferContext& ctx) { return MatMulLike(ctx, 0, 3, ctx.input_dtype(7)); }
Status MatMulInteger(InferContext& ctx) { return MatMulLike(ctx, 0, 1, DType::kInt32); }
Status MatMulIntegerToFloat(InferContext& ctx) { return MatMulLike(ctx, 0, 1, ctx.input_dtype(2)); }

// com.microsoft QLinearAdd/QLinearMul: (A, A_scale, A_zp, B, B_scale, B_zp, C_scale, C_zp).
Status QLinearBinary(InferContext& ctx) {
  auto a = ctx.input_shape(0), b = ctx.input_shape(3);
  std::optional<SymShape> out;
  if (a && b) {
    auto r = BroadcastShapes(*a, *b);
    if (!r.ok()) return ctx.Error(r.status().message());
    out = *r;
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  return Status::Ok();
}

}  // namespace

void RegisterQuantizedInfer(InferTable& t) {
  t.emplace_back(":QuantizeLinear", Quantize);
  t.emplace_back(":DequantizeLinear", Dequantize);
  t.emplace_back(":DynamicQuantizeLinear", DynamicQuantize);
  t.emplace_back(":QLinearConv", QLinearConv);
  t.emplace_back(":ConvInteger", ConvInteger);
  t.emplace_back(":QLinearMatMul", QLinearMatMul);
  t.emplace_back(":MatMulInteger", MatMulInteger);
  t.emplace_back("com.microsoft:MatMulIntegerToFloat", MatMulIntegerToFloat);
  t.emplace_back("com.microsoft:QLinearAdd", QLinearBinary);
  t.emplace_back("com.microsoft:QLinearMul", QLinearBinary);
  t.emplace_back("com.microsoft:QuantizeLinear", Quantize);
  t.emplace_back("com.microsoft:DequantizeLinear", Dequantize);
}

}  // namespace trt::graph
