// TopK (1-11: k attribute before 10, input from 10; largest/sorted from 11) and ArgMax /
// ArgMin (1-13: keepdims, select_last_index from 12) reference kernels. Ties go to the lower
// index (TopK always, Arg* unless select_last_index). NaN ranks above every number, as in
// numpy's argmax/argmin (which return the first NaN) and ORT's TopK.
#include <algorithm>
#include <vector>

#include "engine/kernels/indexing/index_util.h"

namespace trt::kernels {
namespace {

// Strict "a ranks above b" for TopK largest / ArgMax: NaN above numbers.
template <typename T>
bool Greater(T a, T b) {
  if (IsNaN(a)) return !IsNaN(b);
  if (IsNaN(b)) return false;
  return ToCompute(a) > ToCompute(b);
}

// Strict "a ranks below b" for TopK smallest: NaN after numbers.
template <typename T>
bool Less(T a, T b) {
  if (IsNaN(a)) return false;
  if (IsNaN(b)) return true;
  return ToCompute(a) < ToCompute(b);
}

class TopKKernel : public Kernel {
 public:
  TopKKernel(int64_t axis, bool largest, int64_t attr_k)
      : axis_(axis), largest_(largest), attr_k_(attr_k) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (!x) return ctx.Invalid("missing input 0 (X)");
    int64_t k = attr_k_;
    if (attr_k_ < 0) {
      const Tensor* kt = ctx.Input(1);
      if (!kt || kt->dtype() != DType::kInt64 || kt->NumElements() != 1) {
        return ctx.Invalid("input 1 (K) must be a one-element int64 tensor");
      }
      k = kt->data<int64_t>()[0];
    }
    const Shape& s = x->shape();
    int axis;
    if (!NormalizeAxis(axis_, s.rank(), &axis)) return AxisRangeError(ctx.info(), axis_, s.rank());
    const int64_t dim = s[axis];
    if (k < 0 || k > dim) {
      return ctx.Invalid("k " + std::to_string(k) + " out of range [0, " + std::to_string(dim) +
                         "] for axis " + std::to_string(axis) + " of input 0 (shape " +
                         s.ToString() + ")");
    }
    Shape out_shape = s;
    out_shape[axis] = k;
    TRT_ASSIGN_OR_RETURN(Tensor * values, ctx.AllocateOutput(0, x->dtype(), out_shape));
    TRT_ASSIGN_OR_RETURN(Tensor * indices, ctx.AllocateOutput(1, DType::kInt64, out_shape));
    const int64_t outer = s.NumElements(0, axis);
    const int64_t inner = s.NumElements(axis + 1, s.rank());
    return VisitDType(x->dtype(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, bool>) {
        return ctx.Unsupported("TopK does not support bool input");
      } else {
        const T* in = x->data<T>();
        T* vo = values->data<T>();
        int64_t* io = indices->data<int64_t>();
        std::vector<int64_t> order(dim);
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t i = 0; i < inner; ++i) {
            const T* row = in + o * dim * inner + i;
            for (int64_t j = 0; j < dim; ++j) order[j] = j;
            auto before = [&](int64_t a, int64_t b) {
              const T va = row[a * inner], vb = row[b * inner];
              if (largest_ ? Greater(va, vb) : Less(va, vb)) return true;
              if (largest_ ? Greater(vb, va) : Less(vb, va)) return false;
              return a < b;
            };
            std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
            for (int64_t j = 0; j < k; ++j) {
              const int64_t dst = (o * k + j) * inner + i;
              vo[dst] = row[order[j] * inner];
              io[dst] = order[j];
            }
          }
        }
        return Status::Ok();
      }
    });
  }

 private:
  int64_t axis_;
  bool largest_;
  int64_t attr_k_;  // -1: k comes from input 1
};

template <bool kMax>
class ArgKernel : public Kernel {
 public:
  ArgKernel(int64_t axis, bool keepdims, bool select_last)
      : axis_(axis), keepdims_(keepdims), select_last_(select_last) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (!x) return ctx.Invalid("missing input 0 (data)");
    const Shape& s = x->shape();
    int axis;
    if (!NormalizeAxis(axis_, s.rank(), &axis)) return AxisRangeError(ctx.info(), axis_, s.rank());
    const int64_t dim = s[axis];
    Shape out_shape = s;
    if (keepdims_) {
      out_shape[axis] = 1;
    } else {
      out_shape.erase(axis);
    }
    if (dim == 0 && out_shape.NumElements() > 0) {
      return ctx.Invalid("cannot take Arg" + std::string(kMax ? "Max" : "Min") + " over axis " +
                         std::to_string(axis) + " of size 0 (shape " + s.ToString() + ")");
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kInt64, out_shape));
    const int64_t outer = s.NumElements(0, axis);
    const int64_t inner = s.NumElements(axis + 1, s.rank());
    return VisitDType(x->dtype(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      const T* in = x->data<T>();
      int64_t* out = y->data<int64_t>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) {
          const T* row = in + o * dim * inner + i;
          int64_t best = 0;
          for (int64_t j = 1; j < dim; ++j) {
            const T v = row[j * inner], b = row[best * inner];
            // NaN wins over numbers for both ArgMax and ArgMin (numpy semantics).
            bool better;
            if (IsNaN(v) || IsNaN(b)) {
              better = IsNaN(v) && (!IsNaN(b) || select_last_);
            } else {
              const auto cv = ToCompute(v), cb = ToCompute(b);
              better = (kMax ? cv > cb : cv < cb) || (select_last_ && cv == cb);
            }
            if (better) best = j;
          }
          out[o * inner + i] = best;
        }
      }
      return Status::Ok();
    });
  }

 private:
  int64_t axis_;
  bool keepdims_;
  bool select_last_;
};

template <bool kMax>
StatusOr<KernelPtr> CreateArg(const KernelInfo& info) {
  return MakeKernel<ArgKernel<kMax>>(info.GetInt("axis", 0), info.GetInt("keepdims", 1) != 0,
                                     info.GetInt("select_last_index", 0) != 0);
}

}  // namespace

StatusOr<KernelPtr> CreateTopK(const KernelInfo& info) {
  int64_t attr_k = -1;
  if (info.opset() < 10) {
    attr_k = info.GetInt("k", -1);
    if (attr_k < 0) return info.Invalid("attribute 'k' is required and must be >= 0");
  }
  return MakeKernel<TopKKernel>(info.GetInt("axis", -1), info.GetInt("largest", 1) != 0, attr_k);
}

StatusOr<KernelPtr> CreateArgMax(const KernelInfo& info) { return CreateArg<true>(info); }
StatusOr<KernelPtr> CreateArgMin(const KernelInfo& info) { return CreateArg<false>(info); }

}  // namespace trt::kernels
