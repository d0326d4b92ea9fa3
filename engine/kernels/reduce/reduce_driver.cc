// Non-template part of the Reduce* driver: attribute reading, axes resolution (attribute or
// optional input 1), and the reduction geometry (output shape, group base offsets and the
// relative offsets of one group's elements).
#include "engine/kernels/reduce/reduce_driver.h"

#include <algorithm>

namespace trt::kernels {

StatusOr<ReduceAttrs> ReadReduceAttrs(const KernelInfo& info, int axes_input_opset) {
  ReduceAttrs a;
  a.keepdims = info.GetInt("keepdims", 1) != 0;
  a.axes_from_input = info.opset() >= axes_input_opset;
  if (a.axes_from_input) {
    a.noop_with_empty_axes = info.GetInt("noop_with_empty_axes", 0) != 0;
    if (info.HasAttr("axes")) {
      return info.Invalid("attribute 'axes' is not allowed from opset " +
                          std::to_string(axes_input_opset) + "; pass axes as input 1");
    }
  } else {
    a.attr_axes = info.GetInts("axes");
  }
  return a;
}

StatusOr<ReducePlan> MakeReducePlan(KernelContext& ctx, const ReduceAttrs& attrs,
                                    const Shape& in_shape) {
  const int rank = in_shape.rank();
  std::vector<int64_t> axes = attrs.attr_axes;
  if (attrs.axes_from_input) {
    const Tensor* t = ctx.Input(1);
    if (t != nullptr) {
      if (t->dtype() != DType::kInt64) {
        return ctx.Invalid("input 1 (axes) must be int64, got " + t->Description());
      }
      if (t->rank() > 1) {
        return ctx.Invalid("input 1 (axes) must be 1-D, got shape " + t->shape().ToString());
      }
      axes.assign(t->data<int64_t>(), t->data<int64_t>() + t->NumElements());
    }
  }
  ReducePlan plan;
  if (axes.empty() && attrs.noop_with_empty_axes) {
    plan.identity = true;
    return plan;
  }
  std::vector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes) {
    int axis;
    if (!NormalizeAxis(a, rank, &axis)) {
      return ctx.Invalid("axis " + std::to_string(a) + " out of range [" + std::to_string(-rank) +
                         ", " + std::to_string(rank - 1) + "] for input 0 (data, shape " +
                         in_shape.ToString() + ")");
    }
    if (reduced[axis]) {
      return ctx.Invalid("axis " + std::to_string(a) + " is repeated in axes");
    }
    reduced[axis] = true;
  }

  const std::vector<int64_t> strides = in_shape.Strides();
  Shape kept_dims, kept_strides, red_dims, red_strides;
  for (int d = 0; d < rank; ++d) {
    if (reduced[d]) {
      red_dims.push_back(in_shape[d]);
      red_strides.push_back(strides[d]);
      if (attrs.keepdims) plan.out_shape.push_back(1);
    } else {
      kept_dims.push_back(in_shape[d]);
      kept_strides.push_back(strides[d]);
      plan.out_shape.push_back(in_shape[d]);
    }
  }
  // Offsets of all multi-indices over `dims` with `strides`, in row-major order.
  auto enumerate = [](const Shape& dims, const Shape& strd, std::vector<int64_t>* out) {
    const int64_t total = dims.NumElements();
    out->resize(total);
    std::vector<int64_t> idx(dims.rank(), 0);
    int64_t off = 0;
    for (int64_t i = 0; i < total; ++i) {
      (*out)[i] = off;
      for (int d = dims.rank() - 1; d >= 0; --d) {
        if (++idx[d] < dims[d]) {
          off += strd[d];
          break;
        }
        off -= strd[d] * (dims[d] - 1);
        idx[d] = 0;
      }
    }
  };
  enumerate(kept_dims, kept_strides, &plan.out_bases);
  enumerate(red_dims, red_strides, &plan.group_offs);
  return plan;
}

}  // namespace trt::kernels
