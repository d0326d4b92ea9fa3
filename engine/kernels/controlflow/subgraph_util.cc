// Control-flow helpers: scalar reads, axis slicing and iteration stacking (see
// subgraph_util.h).
#include "engine/kernels/controlflow/subgraph_util.h"

#include <cstring>

namespace trt::kernels::controlflow {

StatusOr<bool> ReadBoolScalar(const KernelContext& ctx, const Tensor& t, const std::string& what) {
  if (t.dtype() != DType::kBool || t.NumElements() != 1) {
    return ctx.Invalid(what + " must be a bool tensor with one element, got " + t.Description());
  }
  return *t.data<bool>();
}

Tensor SliceAxis(const Tensor& t, int axis, int64_t index) {
  const Shape& s = t.shape();
  const int64_t outer = s.NumElements(0, axis);
  const int64_t n = s[axis];
  const size_t inner =
      static_cast<size_t>(s.NumElements(axis + 1, s.rank())) * DTypeSize(t.dtype());
  Shape out_shape = s;
  out_shape.erase(axis);
  Tensor out(t.dtype(), out_shape);
  const char* src = static_cast<const char*>(t.raw_data());
  char* dst = static_cast<char*>(out.raw_data());
  for (int64_t o = 0; o < outer; ++o) {
    std::memcpy(dst + o * inner, src + (o * n + index) * inner, inner);
  }
  return out;
}

StatusOr<Tensor> StackSlices(const KernelContext& ctx, const std::vector<Tensor>& slices, int axis,
                             bool reverse, const std::string& what) {
  const Tensor& first = slices.front();
  const int64_t count = static_cast<int64_t>(slices.size());
  for (size_t i = 1; i < slices.size(); ++i) {
    if (slices[i].dtype() != first.dtype() || slices[i].shape() != first.shape()) {
      return ctx.Invalid(what + ": iteration " + std::to_string(i) + " produced " +
                         slices[i].Description() + " but iteration 0 produced " +
                         first.Description() + "; per-iteration values must agree");
    }
  }
  Shape out_shape = first.shape();
  out_shape.insert(axis, count);
  TRT_ASSIGN_OR_RETURN(Tensor out, Tensor::Allocate(first.dtype(), out_shape));
  const int64_t outer = first.shape().NumElements(0, axis);
  const size_t inner =
      static_cast<size_t>(first.shape().NumElements(axis, first.rank())) * DTypeSize(first.dtype());
  char* dst = static_cast<char*>(out.raw_data());
  for (int64_t i = 0; i < count; ++i) {
    const int64_t pos = reverse ? count - 1 - i : i;
    const char* src = static_cast<const char*>(slices[i].raw_data());
    for (int64_t o = 0; o < outer; ++o) {
      std::memcpy(dst + (o * count + pos) * inner, src + o * inner, inner);
    }
  }
  return out;
}

StatusOr<Tensor> EmptyStack(const KernelContext& ctx, const graph::Value& v, int axis,
                            const std::string& what) {
  if (v.dtype == DType::kUndefined || !v.shape) {
    return ctx.Invalid(what + ": zero iterations ran and the body output '" + v.name +
                       "' has no static type to build an empty result from");
  }
  Shape shape;
  for (const graph::Dim& d : *v.shape) shape.push_back(d.is_known() ? d.value() : 0);
  if (axis > shape.rank()) axis = shape.rank();
  shape.insert(axis, 0);
  return Tensor::Allocate(v.dtype, shape);
}

}  // namespace trt::kernels::controlflow
