// Shape inference for the internal fused ops that graph passes introduce (domain
// ai.trtserve, see graph/passes/pass.h): FusedMatMul = MatMul on op(A), op(B), where op()
// swaps the last two dims when transA/transB is set.
#include <utility>

#include "engine/graph/shape_inference.h"

namespace trt::graph {
namespace {

Status FusedMatMul(InferContext& ctx) {
  auto a = ctx.input_shape(0), b = ctx.input_shape(1);
  std::optional<SymShape> out;
  if (a && b) {
    const bool ta = ctx.AttrInt("transA", 0) != 0, tb = ctx.AttrInt("transB", 0) != 0;
    if ((ta && a->size() < 2) || (tb && b->size() < 2)) {
      return ctx.Error("transA/transB need operands of rank >= 2");
    }
    if (ta) std::swap((*a)[a->size() - 1], (*a)[a->size() - 2]);
    if (tb) std::swap((*b)[b->size() - 1], (*b)[b->size() - 2]);
    TRT_ASSIGN_OR_RETURN(out, MatMulShape(ctx, *a, *b));
  }
  ctx.SetOutput(0, ctx.input_dtype(0), out);
  return Status::Ok();
}

}  // namespace

void RegisterFusedInfer(InferTable& t) { t.emplace_back("ai.trtserve:FusedMatMul", FusedMatMul); }

}  // namespace trt::graph
