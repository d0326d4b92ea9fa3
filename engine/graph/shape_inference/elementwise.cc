// Shape inference for elementwise ops: unary/activation ops keep their input's type,
// binary/variadic ops broadcast (numpy rules), comparisons produce bool, and integer
// arithmetic on symbolic shape values (Add/Sub/Mul/Div/...) propagates sym_value.
#include "engine/graph/shape_inference.h"

namespace trt::graph {
namespace {

Status Unary(InferContext& ctx) {
  ctx.PassThrough(0, 0);
  return Status::Ok();
}

// Identity-like ops also forward symbolic contents.
Status IdentityLike(InferContext& ctx) {
  ctx.PassThrough(0, 0);
  if (auto v = ctx.InputSymInts(0)) ctx.SetOutputSymValue(0, *v);
  return Status::Ok();
}

Status ToBool(InferContext& ctx) {
  ctx.SetOutput(0, DType::kBool, ctx.input_shape(0));
  return Status::Ok();
}

// Broadcasts all present inputs from `first` on; nullopt if any rank is unknown.
StatusOr<std::optional<SymShape>> BroadcastInputs(const InferContext& ctx, int first) {
  SymShape out;
  for (int i = first; i < ctx.num_inputs(); ++i) {
    if (!ctx.has_input(i)) continue;
    auto s = ctx.input_shape(i);
    if (!s) return std::optional<SymShape>();
    auto b = BroadcastShapes(out, *s);
    if (!b.ok()) return ctx.Error(b.status().message());
    out = std::move(*b);
  }
  return std::optional<SymShape>(std::move(out));
}

// Elementwise integer op on symbolic contents (broadcasting scalars/length-1 vectors).
template <typename F>
void PropagateSym(InferContext& ctx, F op) {
  auto a = ctx.InputSymInts(0), b = ctx.InputSymInts(1);
  if (!a || !b || a->empty() || b->empty()) return;
  if (a->size() != b->size() && a->size() != 1 && b->size() != 1) return;
  const size_t n = std::max(a->size(), b->size());
  std::vector<Dim> out;
  for (size_t i = 0; i < n; ++i) {
    auto r = op((*a)[a->size() == 1 ? 0 : i], (*b)[b->size() == 1 ? 0 : i]);
    if (!r) return;
    out.push_back(*r);
  }
  ctx.SetOutputSymValue(0, std::move(out));
}

template <int kOp>
Status Arith(InferContext& ctx) {
  TRT_ASSIGN_OR_RETURN(auto shape, BroadcastInputs(ctx, 0));
  ctx.SetOutput(0, ctx.input_dtype(0), shape);
  PropagateSym(ctx, [](const Dim& a, const Dim& b) -> std::optional<Dim> {
    switch (kOp) {
      case 0:
        return a + b;
      case 1:
        return a - b;
      case 2:
        return a * b;
      case 3:
        if (b.is_known() && b.value() == 0) return std::nullopt;
        return FloorDiv(a, b);
      case 4:
        if (b.is_known() && b.value() == 0) return std::nullopt;
        return Mod(a, b);
      case 5:
        return Max(a, b);
      default:
        return Min(a, b);
    }
  });
  return Status::Ok();
}

Status Variadic(InferContext& ctx) {
  TRT_ASSIGN_OR_RETURN(auto shape, BroadcastInputs(ctx, 0));
  ctx.SetOutput(0, ctx.input_dtype(0), shape);
  return Status::Ok();
}

Status Compare(InferContext& ctx) {
  TRT_ASSIGN_OR_RETURN(auto shape, BroadcastInputs(ctx, 0));
  ctx.SetOutput(0, DType::kBool, shape);
  return Status::Ok();
}

Status Where(InferContext& ctx) {
  TRT_ASSIGN_OR_RETURN(auto shape, BroadcastInputs(ctx, 0));
  ctx.SetOutput(0, ctx.input_dtype(1), shape);
  return Status::Ok();
}

Status PRelu(InferContext& ctx) {
  auto x = ctx.input_shape(0), slope = ctx.input_shape(1);
  // Before opset 7 a 1-D slope applies along the channel axis (legacy broadcast), so only
  // numpy-style broadcasting from opset 7 on is checked.
  if (x && slope && ctx.opset() >= 7) {
    auto b = BroadcastShapes(*x, *slope);
    if (!b.ok()) return ctx.Error("slope does not broadcast to X: " + b.status().message());
  }
  ctx.PassThrough(0, 0);
  return Status::Ok();
}

Status Cast(InferContext& ctx) {
  const DType to = static_cast<DType>(ctx.AttrInt("to", 0));
  if (!IsSupportedDType(to)) return ctx.Error("Cast has unsupported 'to' type");
  ctx.SetOutput(0, to, ctx.input_shape(0));
  if (auto v = ctx.InputSymInts(0)) ctx.SetOutputSymValue(0, *v);
  return Status::Ok();
}

Status CastLike(InferContext& ctx) {
  ctx.SetOutput(0, ctx.input_dtype(1), ctx.input_shape(0));
  if (auto v = ctx.InputSymInts(0)) ctx.SetOutputSymValue(0, *v);
  return Status::Ok();
}

Status Neg(InferContext& ctx) {
  ctx.PassThrough(0, 0);
  if (auto v = ctx.InputSymInts(0)) {
    std::vector<Dim> out;
    for (const Dim& d : *v) out.push_back(Dim(0) - d);
    ctx.SetOutputSymValue(0, std::move(out));
  }
  return Status::Ok();
}

Status Dropout(InferContext& ctx) {
  ctx.PassThrough(0, 0);
  ctx.SetOutput(1, DType::kBool, ctx.input_shape(0));
  return Status::Ok();
}

// com.microsoft BiasGelu / FastGelu: X plus an optional broadcast bias.
Status BiasActivation(InferContext& ctx) {
  TRT_ASSIGN_OR_RETURN(auto shape, BroadcastInputs(ctx, 0));
  ctx.SetOutput(0, ctx.input_dtype(0), shape);
  return Status::Ok();
}

}  // namespace

void RegisterElementwiseInfer(InferTable& t) {
  for (const char* op : {"Abs",
                         "Acos",
                         "Acosh",
                         "Asin",
                         "Asinh",
                         "Atan",
                         "Atanh",
                         "Ceil",
                         "Celu",
                         "Clip",
                         "Cos",
                         "Cosh",
                         "Elu",
                         "Erf",
                         "Exp",
                         "Floor",
                         "Gelu",
                         "HardSigmoid",
                         "HardSwish",
                         "LeakyRelu",
                         "Log",
                         "Mish",
                         "Not",
                         "Reciprocal",
                         "Relu",
                         "Round",
                         "Selu",
                         "Shrink",
                         "Sigmoid",
                         "Sign",
                         "Sin",
                         "Sinh",
                         "Softplus",
                         "Softsign",
                         "Sqrt",
                         "Tan",
                         "Tanh",
                         "ThresholdedRelu",
                         "BitwiseNot",
                         "Trilu",
                         "ReverseSequence",
                         "CumSum"}) {
    t.emplace_back(std::string(":") + op, Unary);
  }
  for (const char* op : {"Gelu", "QuickGelu"})
    t.emplace_back(std::string("com.microsoft:") + op, Unary);
  for (const char* op : {"BiasGelu", "FastGelu"}) {
    t.emplace_back(std::string("com.microsoft:") + op, BiasActivation);
  }
  t.emplace_back(":Identity", IdentityLike);
  for (const char* op : {"IsNaN", "IsInf"}) t.emplace_back(std::string(":") + op, ToBool);
  t.emplace_back(":Add", Arith<0>);
  t.emplace_back(":Sub", Arith<1>);
  t.emplace_back(":Mul", Arith<2>);
  t.emplace_back(":Div", Arith<3>);
  t.emplace_back(":Mod", Arith<4>);
  t.emplace_back(":Max", Arith<5>);
  t.emplace_back(":Min", Arith<6>);
  for (const char* op :
       {"Pow", "Sum", "Mean", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor"}) {
    t.emplace_back(std::string(":") + op, Variadic);
  }
  for (const char* op :
       {"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"}) {
    t.emplace_back(std::string(":") + op, Compare);
  }
  t.emplace_back(":Where", Where);
  t.emplace_back(":PRelu", PRelu);
  t.emplace_back(":Cast", Cast);
  t.emplace_back(":CastLike", CastLike);
  t.emplace_back(":Neg", Neg);
  t.emplace_back(":Dropout", Dropout);
}

}  // namespace trt::graph
