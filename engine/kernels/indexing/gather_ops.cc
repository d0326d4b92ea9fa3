// Gather (1-13), GatherElements (11-13) and GatherND (11-13, batch_dims from 12) reference
// kernels. All three are pure data movement: elements are copied by element size, so every
// dtype works. Indices may be negative and are bounds checked with a clear error.
#include <cstring>
#include <vector>

#include "engine/kernels/indexing/index_util.h"

namespace trt::kernels {
namespace {

class GatherKernel : public Kernel {
 public:
  explicit GatherKernel(int64_t axis) : axis_(axis) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* data = ctx.Input(0);
    const Tensor* ind = ctx.Input(1);
    if (!data || !ind) return ctx.Invalid("Gather needs inputs 0 (data) and 1 (indices)");
    TRT_RETURN_IF_ERROR(CheckIndexTensor(ctx, *ind, 1, "indices"));
    const Shape& ds = data->shape();
    int axis;
    if (!NormalizeAxis(axis_, ds.rank(), &axis)) {
      return AxisRangeError(ctx.info(), axis_, ds.rank());
    }
    Shape out_shape;
    for (int d = 0; d < axis; ++d) out_shape.push_back(ds[d]);
    for (int64_t d : ind->shape().dims()) out_shape.push_back(d);
    for (int d = axis + 1; d < ds.rank(); ++d) out_shape.push_back(ds[d]);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, data->dtype(), out_shape));

    const int64_t outer = ds.NumElements(0, axis);
    const int64_t dim = ds[axis];
    const size_t block =
        static_cast<size_t>(ds.NumElements(axis + 1, ds.rank())) * DTypeSize(data->dtype());
    const int64_t n = ind->NumElements();
    // Validate all indices first so the output is never half written on error.
    for (int64_t j = 0; j < n; ++j) {
      int64_t k;
      if (!WrapIndex(IndexAt(*ind, j), dim, &k)) {
        return IndexRangeError(ctx, IndexAt(*ind, j), dim, axis, "data", ds);
      }
    }
    const char* src = static_cast<const char*>(data->raw_data());
    char* dst = static_cast<char*>(y->raw_data());
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t j = 0; j < n; ++j) {
        int64_t k;
        WrapIndex(IndexAt(*ind, j), dim, &k);
        std::memcpy(dst, src + (o * dim + k) * block, block);
        dst += block;
      }
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
};

class GatherElementsKernel : public Kernel {
 public:
  explicit GatherElementsKernel(int64_t axis) : axis_(axis) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* data = ctx.Input(0);
    const Tensor* ind = ctx.Input(1);
    if (!data || !ind) return ctx.Invalid("needs inputs 0 (data) and 1 (indices)");
    TRT_RETURN_IF_ERROR(CheckIndexTensor(ctx, *ind, 1, "indices"));
    const Shape& ds = data->shape();
    const Shape& is = ind->shape();
    const int rank = ds.rank();
    if (is.rank() != rank || rank == 0) {
      return ctx.Invalid("input 1 (indices, shape " + is.ToString() +
                         ") must have the same rank >= 1 as input 0 (data, shape " + ds.ToString() +
                         ")");
    }
    int axis;
    if (!NormalizeAxis(axis_, rank, &axis)) return AxisRangeError(ctx.info(), axis_, rank);
    TRT_RETURN_IF_ERROR(CheckElementsIndexShape(ctx, is, ds, axis));
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, data->dtype(), is));
    const size_t es = DTypeSize(data->dtype());
    const char* src = static_cast<const char*>(data->raw_data());
    char* dst = static_cast<char*>(y->raw_data());
    return ForEachElementsIndex(ctx, *ind, ds, axis, [&](int64_t i, int64_t off) {
      std::memcpy(dst + i * es, src + off * es, es);
    });
  }

 private:
  int64_t axis_;
};

class GatherNDKernel : public Kernel {
 public:
  explicit GatherNDKernel(int64_t batch_dims) : batch_dims_(batch_dims) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* data = ctx.Input(0);
    const Tensor* ind = ctx.Input(1);
    if (!data || !ind) return ctx.Invalid("needs inputs 0 (data) and 1 (indices)");
    if (ind->dtype() != DType::kInt64) {
      return ctx.Invalid("input 1 (indices) must be int64, got " + ind->Description());
    }
    const Shape& ds = data->shape();
    const Shape& is = ind->shape();
    const int r = ds.rank(), q = is.rank();
    const int b = static_cast<int>(batch_dims_);
    if (q < 1 || r < 1 || b >= q || b >= r) {
      return ctx.Invalid("batch_dims " + std::to_string(b) +
                         " must be less than the ranks of data " + ds.ToString() + " and indices " +
                         is.ToString());
    }
    for (int d = 0; d < b; ++d) {
      if (ds[d] != is[d]) {
        return ctx.Invalid("batch dim " + std::to_string(d) + " differs: data " + ds.ToString() +
                           " vs indices " + is.ToString());
      }
    }
    const int64_t k = is[q - 1];
    if (k < 1 || b + k > r) {
      return ctx.Invalid("indices last dim " + std::to_string(k) + " must be in [1, " +
                         std::to_string(r - b) + "] (data " + ds.ToString() + ", batch_dims " +
                         std::to_string(b) + ")");
    }
    Shape out_shape;
    for (int d = 0; d < q - 1; ++d) out_shape.push_back(is[d]);
    for (int d = b + static_cast<int>(k); d < r; ++d) out_shape.push_back(ds[d]);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, data->dtype(), out_shape));

    const int64_t batches = ds.NumElements(0, b);
    const int64_t tuples = is.NumElements(b, q - 1);
    const int64_t batch_stride = ds.NumElements(b, r);
    const size_t es = DTypeSize(data->dtype());
    const int64_t slice = ds.NumElements(b + static_cast<int>(k), r);
    const std::vector<int64_t> strides = ds.Strides();
    const int64_t* iv = ind->data<int64_t>();
    const char* src = static_cast<const char*>(data->raw_data());
    char* dst = static_cast<char*>(y->raw_data());
    for (int64_t bi = 0; bi < batches; ++bi) {
      for (int64_t t = 0; t < tuples; ++t) {
        const int64_t* tuple = iv + (bi * tuples + t) * k;
        int64_t off = bi * batch_stride;
        for (int64_t j = 0; j < k; ++j) {
          const int axis = b + static_cast<int>(j);
          int64_t w;
          if (!WrapIndex(tuple[j], ds[axis], &w)) {
            return IndexRangeError(ctx, tuple[j], ds[axis], axis, "data", ds);
          }
          off += w * strides[axis];
        }
        std::memcpy(dst, src + off * es, slice * es);
        dst += slice * es;
      }
    }
    return Status::Ok();
  }

 private:
  int64_t batch_dims_;
};

}  // namespace

StatusOr<KernelPtr> CreateGather(const KernelInfo& info) {
  return MakeKernel<GatherKernel>(info.GetInt("axis", 0));
}

StatusOr<KernelPtr> CreateGatherElements(const KernelInfo& info) {
  return MakeKernel<GatherElementsKernel>(info.GetInt("axis", 0));
}

StatusOr<KernelPtr> CreateGatherND(const KernelInfo& info) {
  const int64_t b = info.GetInt("batch_dims", 0);
  if (b < 0) return info.Invalid("batch_dims must be >= 0, got " + std::to_string(b));
  return MakeKernel<GatherNDKernel>(b);
}

}  // namespace trt::kernels
