// ScatterND (11-18), ScatterElements (11-18) and the deprecated Scatter (9-10, identical to
// ScatterElements) reference kernels. The output starts as a copy of data; updates are then
// applied in index order with the `reduction` attribute (none; add/mul from opset 16;
// max/min from opset 18). Indices may be negative and are bounds checked.
#include <cstring>
#include <vector>

#include "engine/kernels/indexing/index_util.h"

namespace trt::kernels {
namespace {

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

StatusOr<Reduction> ParseReduction(const KernelInfo& info) {
  const std::string r = info.GetString("reduction", "none");
  if (r == "none") return Reduction::kNone;
  if (r == "add" && info.opset() >= 16) return Reduction::kAdd;
  if (r == "mul" && info.opset() >= 16) return Reduction::kMul;
  if (r == "max" && info.opset() >= 18) return Reduction::kMax;
  if (r == "min" && info.opset() >= 18) return Reduction::kMin;
  return info.Invalid("reduction '" + r + "' is not supported at opset " +
                      std::to_string(info.opset()) + " (none; add, mul from 16; max, min from 18)");
}

// Applies `update` to *dst with reduction `red`.
template <typename T>
void Combine(Reduction red, T* dst, T update) {
  if constexpr (std::is_same_v<T, bool>) {
    switch (red) {
      case Reduction::kAdd:
      case Reduction::kMax:
        *dst = *dst || update;
        return;
      case Reduction::kMul:
      case Reduction::kMin:
        *dst = *dst && update;
        return;
      case Reduction::kNone:
        *dst = update;
        return;
    }
  } else {
    const ComputeType<T> a = ToCompute(*dst), b = ToCompute(update);
    switch (red) {
      case Reduction::kNone:
        *dst = update;
        return;
      case Reduction::kAdd:
        *dst = FromCompute<T>(a + b);
        return;
      case Reduction::kMul:
        *dst = FromCompute<T>(a * b);
        return;
      case Reduction::kMax:
        *dst = b > a ? update : *dst;
        return;
      case Reduction::kMin:
        *dst = b < a ? update : *dst;
        return;
    }
  }
}

// Copies data into output 0 and returns it.
StatusOr<Tensor*> CopyDataToOutput(KernelContext& ctx, const Tensor& data) {
  TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, data.dtype(), data.shape()));
  if (data.nbytes() > 0) std::memcpy(y->raw_data(), data.raw_data(), data.nbytes());
  return y;
}

class ScatterNDKernel : public Kernel {
 public:
  explicit ScatterNDKernel(Reduction red) : red_(red) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* data = ctx.Input(0);
    const Tensor* ind = ctx.Input(1);
    const Tensor* upd = ctx.Input(2);
    if (!data || !ind || !upd) return ctx.Invalid("needs inputs data, indices and updates");
    if (ind->dtype() != DType::kInt64) {
      return ctx.Invalid("input 1 (indices) must be int64, got " + ind->Description());
    }
    if (upd->dtype() != data->dtype()) {
      return ctx.Invalid("updates dtype " + upd->Description() + " differs from data " +
                         data->Description());
    }
    const Shape& ds = data->shape();
    const Shape& is = ind->shape();
    const int r = ds.rank(), q = is.rank();
    if (q < 1 || r < 1 || is[q - 1] > r || is[q - 1] < 1) {
      return ctx.Invalid("indices " + is.ToString() +
                         " must have rank >= 1 and a last dim in [1, rank of data " +
                         ds.ToString() + "]");
    }
    const int k = static_cast<int>(is[q - 1]);
    Shape expect;
    for (int d = 0; d < q - 1; ++d) expect.push_back(is[d]);
    for (int d = k; d < r; ++d) expect.push_back(ds[d]);
    if (upd->shape() != expect) {
      return ctx.Invalid("updates shape " + upd->shape().ToString() + " must be " +
                         expect.ToString() + " (indices.shape[:-1] + data.shape[k:])");
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, CopyDataToOutput(ctx, *data));
    const int64_t tuples = is.NumElements(0, q - 1);
    const int64_t slice = ds.NumElements(k, r);
    const std::vector<int64_t> strides = ds.Strides();
    const int64_t* iv = ind->data<int64_t>();
    return VisitDType(data->dtype(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      T* out = y->data<T>();
      const T* u = upd->data<T>();
      for (int64_t t = 0; t < tuples; ++t) {
        int64_t off = 0;
        for (int j = 0; j < k; ++j) {
          int64_t w;
          if (!WrapIndex(iv[t * k + j], ds[j], &w)) {
            return IndexRangeError(ctx, iv[t * k + j], ds[j], j, "data", ds);
          }
          off += w * strides[j];
        }
        for (int64_t e = 0; e < slice; ++e) Combine(red_, out + off + e, u[t * slice + e]);
      }
      return Status::Ok();
    });
  }

 private:
  Reduction red_;
};

class ScatterElementsKernel : public Kernel {
 public:
  ScatterElementsKernel(int64_t axis, Reduction red) : axis_(axis), red_(red) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* data = ctx.Input(0);
    const Tensor* ind = ctx.Input(1);
    const Tensor* upd = ctx.Input(2);
    if (!data || !ind || !upd) return ctx.Invalid("needs inputs data, indices and updates");
    TRT_RETURN_IF_ERROR(CheckIndexTensor(ctx, *ind, 1, "indices"));
    if (upd->dtype() != data->dtype()) {
      return ctx.Invalid("updates dtype " + upd->Description() + " differs from data " +
                         data->Description());
    }
    const Shape& ds = data->shape();
    const Shape& is = ind->shape();
    const int rank = ds.rank();
    if (upd->shape() != is) {
      return ctx.Invalid("updates shape " + upd->shape().ToString() + " must equal indices shape " +
                         is.ToString());
    }
    if (is.rank() != rank || rank == 0) {
      return ctx.Invalid("indices shape " + is.ToString() +
                         " must have the same rank >= 1 as data shape " + ds.ToString());
    }
    int axis;
    if (!NormalizeAxis(axis_, rank, &axis)) return AxisRangeError(ctx.info(), axis_, rank);
    TRT_RETURN_IF_ERROR(CheckElementsIndexShape(ctx, is, ds, axis));
    TRT_ASSIGN_OR_RETURN(Tensor * y, CopyDataToOutput(ctx, *data));
    return VisitDType(data->dtype(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      T* out = y->data<T>();
      const T* u = upd->data<T>();
      return ForEachElementsIndex(ctx, *ind, ds, axis,
                                  [&](int64_t i, int64_t off) { Combine(red_, out + off, u[i]); });
    });
  }

 private:
  int64_t axis_;
  Reduction red_;
};

}  // namespace

StatusOr<KernelPtr> CreateScatterND(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(Reduction red, ParseReduction(info));
  return MakeKernel<ScatterNDKernel>(red);
}

StatusOr<KernelPtr> CreateScatterElements(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(Reduction red, ParseReduction(info));
  return MakeKernel<ScatterElementsKernel>(info.GetInt("axis", 0), red);
}

}  // namespace trt::kernels
