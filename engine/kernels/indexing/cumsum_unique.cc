// CumSum (11-14: exclusive, reverse, axis as input 1) and Unique (11: sorted, optional axis,
// outputs Y, indices, inverse_indices, counts) reference kernels. CumSum accumulates floats
// in double and rounds each prefix to T.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "engine/kernels/indexing/index_util.h"

namespace trt::kernels {
namespace {

class CumSumKernel : public Kernel {
 public:
  CumSumKernel(bool exclusive, bool reverse) : exclusive_(exclusive), reverse_(reverse) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* axis_t = ctx.Input(1);
    if (!x || !axis_t) return ctx.Invalid("needs inputs 0 (x) and 1 (axis)");
    TRT_RETURN_IF_ERROR(CheckIndexTensor(ctx, *axis_t, 1, "axis"));
    if (axis_t->NumElements() != 1 || axis_t->rank() > 1) {
      return ctx.Invalid("input 1 (axis) must be a scalar, got " + axis_t->Description());
    }
    const Shape& s = x->shape();
    int axis;
    if (!NormalizeAxis(IndexAt(*axis_t, 0), s.rank(), &axis)) {
      return AxisRangeError(ctx.info(), IndexAt(*axis_t, 0), s.rank());
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), s));
    const int64_t outer = s.NumElements(0, axis);
    const int64_t dim = s[axis];
    const int64_t inner = s.NumElements(axis + 1, s.rank());
    return VisitDType(x->dtype(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, bool>) {
        return ctx.Unsupported("CumSum does not support bool input");
      } else {
        using A = std::conditional_t<std::is_floating_point_v<ComputeType<T>>, double, T>;
        const T* in = x->data<T>();
        T* out = y->data<T>();
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t i = 0; i < inner; ++i) {
            const int64_t base = o * dim * inner + i;
            A acc = 0;
            for (int64_t step = 0; step < dim; ++step) {
              const int64_t j = reverse_ ? dim - 1 - step : step;
              const A v = static_cast<A>(ToCompute(in[base + j * inner]));
              if (!exclusive_) acc += v;
              out[base + j * inner] = FromCompute<T>(static_cast<ComputeType<T>>(acc));
              if (exclusive_) acc += v;
            }
          }
        }
        return Status::Ok();
      }
    });
  }

 private:
  bool exclusive_;
  bool reverse_;
};

class UniqueKernel : public Kernel {
 public:
  UniqueKernel(bool sorted, bool has_axis, int64_t axis)
      : sorted_(sorted), has_axis_(has_axis), axis_(axis) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (!x) return ctx.Invalid("missing input 0 (X)");
    // Without axis the input is flattened; slices are then single elements.
    const Shape shape = has_axis_ ? x->shape() : Shape{x->NumElements()};
    int axis = 0;
    if (has_axis_ && !NormalizeAxis(axis_, shape.rank(), &axis)) {
      return AxisRangeError(ctx.info(), axis_, shape.rank());
    }
    const int64_t outer = shape.NumElements(0, axis);
    const int64_t n = shape[axis];
    const int64_t inner = shape.NumElements(axis + 1, shape.rank());
    return VisitDType(x->dtype(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      const T* in = x->data<T>();
      // Compares slices a and b (indices along axis) lexicographically: <0, 0, >0.
      auto cmp = [&](int64_t a, int64_t b) {
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t i = 0; i < inner; ++i) {
            const T ta = in[(o * n + a) * inner + i], tb = in[(o * n + b) * inner + i];
            // NaNs sort after numbers and compare equal to each other (numpy).
            if (IsNaN(ta) || IsNaN(tb)) {
              if (IsNaN(ta) != IsNaN(tb)) return IsNaN(ta) ? 1 : -1;
              continue;
            }
            const auto va = ToCompute(ta), vb = ToCompute(tb);
            if (va < vb) return -1;
            if (vb < va) return 1;
          }
        }
        return 0;
      };
      std::vector<int64_t> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(),
                       [&](int64_t a, int64_t b) { return cmp(a, b) < 0; });
      // Groups of equal slices in sorted order; first[g] is the group's first occurrence.
      std::vector<int64_t> group_of(n), first, counts;
      for (int64_t j = 0; j < n; ++j) {
        if (j == 0 || cmp(order[j - 1], order[j]) != 0) {
          first.push_back(order[j]);
          counts.push_back(0);
        }
        group_of[order[j]] = static_cast<int64_t>(first.size()) - 1;
        ++counts.back();
      }
      const int64_t u = static_cast<int64_t>(first.size());
      // out_pos[g] = position of group g in the output.
      std::vector<int64_t> out_pos(u), groups(u);
      std::iota(groups.begin(), groups.end(), 0);
      if (!sorted_) {
        std::sort(groups.begin(), groups.end(),
                  [&](int64_t a, int64_t b) { return first[a] < first[b]; });
      }
      for (int64_t p = 0; p < u; ++p) out_pos[groups[p]] = p;

      Shape y_shape = shape;
      y_shape[axis] = u;
      TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), y_shape));
      T* yv = y->data<T>();
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t p = 0; p < u; ++p) {
          std::memcpy(yv + (o * u + p) * inner, in + (o * n + first[groups[p]]) * inner,
                      inner * sizeof(T));
        }
      }
      auto write = [&](int idx, int64_t len, auto value_of) -> Status {
        if (!ctx.OutputRequested(idx)) return Status::Ok();
        TRT_ASSIGN_OR_RETURN(Tensor * t, ctx.AllocateOutput(idx, DType::kInt64, Shape{len}));
        for (int64_t j = 0; j < len; ++j) t->data<int64_t>()[j] = value_of(j);
        return Status::Ok();
      };
      TRT_RETURN_IF_ERROR(write(1, u, [&](int64_t p) { return first[groups[p]]; }));
      TRT_RETURN_IF_ERROR(write(2, n, [&](int64_t j) { return out_pos[group_of[j]]; }));
      return write(3, u, [&](int64_t p) { return counts[groups[p]]; });
    });
  }

 private:
  bool sorted_;
  bool has_axis_;
  int64_t axis_;
};

}  // namespace

StatusOr<KernelPtr> CreateCumSum(const KernelInfo& info) {
  return MakeKernel<CumSumKernel>(info.GetInt("exclusive", 0) != 0, info.GetInt("reverse", 0) != 0);
}

StatusOr<KernelPtr> CreateUnique(const KernelInfo& info) {
  return MakeKernel<UniqueKernel>(info.GetInt("sorted", 1) != 0, info.HasAttr("axis"),
                                  info.GetInt("axis", 0));
}

}  // namespace trt::kernels
