// OneHot (9-11), NonZero (9-13) and Compress (9-11) reference kernels. NonZero and Compress
// have data-dependent output shapes, computed in Compute() from the input values.
#include <cmath>
#include <cstring>
#include <vector>

#include "engine/kernels/indexing/index_util.h"

namespace trt::kernels {
namespace {

// True if element i of t is nonzero (any numeric dtype or bool).
bool IsNonZero(const Tensor& t, int64_t i) {
  return VisitDType(t.dtype(), [&](auto tag) -> bool {
    using T = typename decltype(tag)::type;
    return ToCompute(t.data<T>()[i]) != ComputeType<T>{0};
  });
}

class OneHotKernel : public Kernel {
 public:
  OneHotKernel(int64_t axis, bool negative_indices)
      : axis_(axis), negative_indices_(negative_indices) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* ind = ctx.Input(0);
    const Tensor* depth_t = ctx.Input(1);
    const Tensor* values = ctx.Input(2);
    if (!ind || !depth_t || !values) return ctx.Invalid("needs indices, depth and values");
    if (depth_t->NumElements() != 1) {
      return ctx.Invalid("input 1 (depth) must have one element, got " + depth_t->Description());
    }
    if (values->NumElements() != 2) {
      return ctx.Invalid("input 2 (values) must have two elements [off, on], got " +
                         values->Description());
    }
    const double depth_d = depth_t->GetAsDouble(0);
    if (!(depth_d >= 1) || depth_d > 1e12) {
      return ctx.Invalid("depth must be >= 1, got " + std::to_string(depth_d));
    }
    const int64_t depth = static_cast<int64_t>(depth_d);
    const Shape& is = ind->shape();
    const int out_rank = is.rank() + 1;
    int axis;
    if (!NormalizeAxis(axis_, out_rank, &axis)) {
      return ctx.Invalid("axis " + std::to_string(axis_) + " out of range [" +
                         std::to_string(-out_rank) + ", " + std::to_string(out_rank - 1) +
                         "] for output rank " + std::to_string(out_rank));
    }
    Shape out_shape = is;
    out_shape.insert(axis, depth);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, values->dtype(), out_shape));
    const int64_t outer = is.NumElements(0, axis);
    const int64_t inner = is.NumElements(axis, is.rank());
    const size_t es = DTypeSize(values->dtype());
    const char* off_v = static_cast<const char*>(values->raw_data());
    const char* on_v = off_v + es;
    char* dst = static_cast<char*>(y->raw_data());
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t d = 0; d < depth; ++d) {
        for (int64_t i = 0; i < inner; ++i) {
          const double raw = ind->GetAsDouble(o * inner + i);
          int64_t v = static_cast<int64_t>(std::isfinite(raw) ? raw : -depth - 1);
          if (negative_indices_ && v < 0) v += depth;
          std::memcpy(dst, v == d ? on_v : off_v, es);
          dst += es;
        }
      }
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
  bool negative_indices_;
};

class NonZeroKernel : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (!x) return ctx.Invalid("missing input 0 (X)");
    const Shape& s = x->shape();
    const int64_t n = x->NumElements();
    int64_t nnz = 0;
    for (int64_t i = 0; i < n; ++i) nnz += IsNonZero(*x, i) ? 1 : 0;
    // A scalar is treated as a 1-element vector (numpy's behaviour).
    const int rank = std::max(s.rank(), 1);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kInt64, Shape{rank, nnz}));
    int64_t* out = y->data<int64_t>();
    std::vector<int64_t> idx(rank, 0);
    int64_t col = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (!IsNonZero(*x, i)) continue;
      if (s.rank() > 0) Unravel(i, s, idx.data());
      for (int d = 0; d < rank; ++d) out[d * nnz + col] = idx[d];
      ++col;
    }
    return Status::Ok();
  }
};

class CompressKernel : public Kernel {
 public:
  CompressKernel(bool has_axis, int64_t axis) : has_axis_(has_axis), axis_(axis) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* cond = ctx.Input(1);
    if (!x || !cond) return ctx.Invalid("needs inputs 0 (input) and 1 (condition)");
    if (cond->dtype() != DType::kBool || cond->rank() != 1) {
      return ctx.Invalid("input 1 (condition) must be a 1-D bool tensor, got " +
                         cond->Description());
    }
    // Without axis the input is flattened.
    const Shape shape = has_axis_ ? x->shape() : Shape{x->NumElements()};
    int axis = 0;
    if (has_axis_ && !NormalizeAxis(axis_, shape.rank(), &axis)) {
      return AxisRangeError(ctx.info(), axis_, shape.rank());
    }
    const int64_t dim = shape[axis];
    const bool* c = cond->data<bool>();
    std::vector<int64_t> kept;
    for (int64_t i = 0; i < cond->NumElements(); ++i) {
      if (!c[i]) continue;
      if (i >= dim) {
        return ctx.Invalid("condition selects index " + std::to_string(i) + " but axis " +
                           std::to_string(axis) + " of input 0 (shape " + shape.ToString() +
                           ") has size " + std::to_string(dim));
      }
      kept.push_back(i);
    }
    Shape out_shape = shape;
    out_shape[axis] = static_cast<int64_t>(kept.size());
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out_shape));
    const int64_t outer = shape.NumElements(0, axis);
    const size_t block =
        static_cast<size_t>(shape.NumElements(axis + 1, shape.rank())) * DTypeSize(x->dtype());
    const char* src = static_cast<const char*>(x->raw_data());
    char* dst = static_cast<char*>(y->raw_data());
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t k : kept) {
        std::memcpy(dst, src + (o * dim + k) * block, block);
        dst += block;
      }
    }
    return Status::Ok();
  }

 private:
  bool has_axis_;
  int64_t axis_;
};

}  // namespace

StatusOr<KernelPtr> CreateOneHot(const KernelInfo& info) {
  return MakeKernel<OneHotKernel>(info.GetInt("axis", -1), info.opset() >= 11);
}

StatusOr<KernelPtr> CreateNonZero(const KernelInfo&) { return MakeKernel<NonZeroKernel>(); }

StatusOr<KernelPtr> CreateCompress(const KernelInfo& info) {
  return MakeKernel<CompressKernel>(info.HasAttr("axis"), info.GetInt("axis", 0));
}

}  // namespace trt::kernels
