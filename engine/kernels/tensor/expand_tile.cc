// Replicating ops: Expand (numpy broadcast of the input with a shape) and Tile (repeats per
// axis; opset 1-5 took scalar tiles/axis inputs, opset 6+ a repeats vector).
#include "engine/kernels/common/broadcast.h"
#include "engine/kernels/kernel.h"
#include "engine/kernels/tensor/tensor_util.h"

namespace trt::kernels {
namespace {

using tensor::ReadInt64s;
using tensor::RequireInputs;
using tensor::VecToString;

class ExpandKernel : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    TRT_ASSIGN_OR_RETURN(std::vector<int64_t> dims,
                         ReadInt64s(ctx, *ctx.Input(1), "input 'shape'"));
    for (int64_t d : dims) {
      if (d < 0) return ctx.Invalid("shape " + VecToString(dims) + " has a negative dim");
    }
    auto out = BroadcastShape({x->shape(), Shape(dims)});
    if (!out.ok()) return ctx.Invalid(out.status().message());
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), *out));
    if (y->NumElements() == 0) return Status::Ok();
    const int r = out->rank();
    const int lead = r - x->rank();
    const std::vector<int64_t> strides = x->shape().Strides();
    std::vector<std::vector<int64_t>> tables(r);
    for (int d = 0; d < r; ++d) {
      tables[d].resize((*out)[d]);
      const bool broadcast = d < lead || x->shape()[d - lead] == 1;
      for (int64_t i = 0; i < (*out)[d]; ++i) tables[d][i] = broadcast ? 0 : i * strides[d - lead];
    }
    tensor::GatherByAxisTables(*x, tables, nullptr, y);
    return Status::Ok();
  }
};

class TileKernel : public Kernel {
 public:
  explicit TileKernel(bool legacy) : legacy_(legacy) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const int r = x->rank();
    std::vector<int64_t> repeats;
    if (legacy_) {
      const Tensor* tiles = ctx.Input(1);
      const Tensor* axis_t = ctx.Input(2);
      if (tiles->NumElements() != 1 || axis_t->NumElements() != 1) {
        return ctx.Invalid("tiles and axis must be scalars");
      }
      int axis;
      if (!NormalizeAxis(axis_t->GetAsInt64(0), r, &axis)) {
        return ctx.Invalid("axis " + std::to_string(axis_t->GetAsInt64(0)) +
                           " is out of range for rank " + std::to_string(r));
      }
      repeats.assign(r, 1);
      repeats[axis] = tiles->GetAsInt64(0);
    } else {
      TRT_ASSIGN_OR_RETURN(repeats, ReadInt64s(ctx, *ctx.Input(1), "input 'repeats'"));
    }
    if (static_cast<int>(repeats.size()) != r) {
      return ctx.Invalid("repeats " + VecToString(repeats) + " must have one entry per dim of " +
                         x->shape().ToString());
    }
    Shape out = x->shape();
    for (int d = 0; d < r; ++d) {
      if (repeats[d] < 0) return ctx.Invalid("repeats " + VecToString(repeats) + " is negative");
      if (__builtin_mul_overflow(out[d], repeats[d], &out[d])) {
        return ctx.Invalid("repeats " + VecToString(repeats) + " overflow the output size");
      }
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
    if (y->NumElements() == 0) return Status::Ok();
    const std::vector<int64_t> strides = x->shape().Strides();
    std::vector<std::vector<int64_t>> tables(r);
    for (int d = 0; d < r; ++d) {
      tables[d].resize(out[d]);
      for (int64_t i = 0; i < out[d]; ++i) tables[d][i] = (i % x->shape()[d]) * strides[d];
    }
    tensor::GatherByAxisTables(*x, tables, nullptr, y);
    return Status::Ok();
  }

 private:
  bool legacy_;
};

}  // namespace

StatusOr<KernelPtr> CreateExpand(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 2));
  return MakeKernel<ExpandKernel>();
}

StatusOr<KernelPtr> CreateTile(const KernelInfo& info) {
  const bool legacy = info.opset() < 6;
  TRT_RETURN_IF_ERROR(RequireInputs(info, legacy ? 3 : 2));
  return MakeKernel<TileKernel>(legacy);
}

}  // namespace trt::kernels
