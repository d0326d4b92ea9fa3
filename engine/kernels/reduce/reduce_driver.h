// Shared driver of the Reduce* reference kernels (ReduceSum, ReduceMean, ReduceMax, ...).
//
// Contract: ReduceKernel<Op> resolves the reduction axes (attribute `axes` before the opset
// where axes became input 1, the optional input from then on), applies `keepdims` and
// `noop_with_empty_axes`, and for every output element hands the op functor the input
// values of its reduction group through a ReduceGroup. Empty groups (a reduced dim of size
// 0) are legal: the functor returns the op's identity, as the ONNX reference does.
//
// An op functor is a struct with
//   template <typename T> static T Apply(const ReduceGroup<T>& g);
//   static constexpr const char* kName;
// Floating types are accumulated in double by the functors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/shape.h"
#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/kernels/kernel.h"

namespace trt::kernels {

// The values reduced into one output element: data[base + offsets[k]], k in [0, n).
template <typename T>
struct ReduceGroup {
  const T* data;
  int64_t base;
  const int64_t* offsets;
  int64_t n;
  T operator[](int64_t k) const { return data[base + offsets[k]]; }
};

// Reduction geometry computed from the input shape and the axes (non-template part).
struct ReducePlan {
  Shape out_shape;                  // with or without the kept 1-dims
  bool identity = false;            // noop_with_empty_axes with empty axes: Y = X
  std::vector<int64_t> out_bases;   // input offset of the first element of each group
  std::vector<int64_t> group_offs;  // offsets of a group's elements relative to its base
};

// Settings decided at load time.
struct ReduceAttrs {
  bool keepdims = true;
  bool noop_with_empty_axes = false;
  bool axes_from_input = false;    // opset >= the op's axes-as-input opset
  std::vector<int64_t> attr_axes;  // used when !axes_from_input
};

StatusOr<ReduceAttrs> ReadReduceAttrs(const KernelInfo& info, int axes_input_opset);
// Resolves axes (validating range and duplicates) and builds the plan.
StatusOr<ReducePlan> MakeReducePlan(KernelContext& ctx, const ReduceAttrs& attrs,
                                    const Shape& in_shape);

template <typename Op>
class ReduceKernel : public Kernel {
 public:
  explicit ReduceKernel(ReduceAttrs attrs) : attrs_(std::move(attrs)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (x == nullptr) return ctx.Invalid("missing required input 0 (data)");
    TRT_ASSIGN_OR_RETURN(ReducePlan plan, MakeReducePlan(ctx, attrs_, x->shape()));
    if (plan.identity) {
      ctx.SetOutput(0, *x);
      return Status::Ok();
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), plan.out_shape));
    return VisitDType(x->dtype(), [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, bool>) {
        return ctx.Unsupported(std::string(Op::kName) + " does not support bool input");
      } else {
        const T* in = x->data<T>();
        T* out = y->data<T>();
        const int64_t n_out = static_cast<int64_t>(plan.out_bases.size());
        const int64_t n = static_cast<int64_t>(plan.group_offs.size());
        for (int64_t o = 0; o < n_out; ++o) {
          out[o] = Op::template Apply<T>(
              ReduceGroup<T>{in, plan.out_bases[o], plan.group_offs.data(), n});
        }
        return Status::Ok();
      }
    });
  }

 private:
  ReduceAttrs attrs_;
};

}  // namespace trt::kernels
