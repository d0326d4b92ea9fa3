#include "engine/kernels/elementwise/plan.h"

#include <vector>

#include "engine/kernels/common/broadcast.h"

namespace trt::kernels::elementwise {

StatusOr<ElementwisePlan> MakeElementwisePlan(const Shape* shapes, int num_shapes) {
  TRT_CHECK(num_shapes >= 1 && num_shapes <= ElementwisePlan::kMaxInputs);
  TRT_ASSIGN_OR_RETURN(Broadcast b, MakeBroadcast(std::vector<Shape>(shapes, shapes + num_shapes)));
  ElementwisePlan p;
  p.num_inputs = num_shapes;
  p.total = b.out.NumElements();
  p.out_shape = b.out;

  // Merge dims from the innermost outwards. `dims` collects merged dims innermost-first.
  std::vector<int64_t> dims;
  std::vector<int64_t> strides[ElementwisePlan::kMaxInputs];
  for (int d = b.out.rank() - 1; d >= 0; --d) {
    const int64_t n = b.out[d];
    if (n == 1) continue;  // size-1 dims contribute nothing to any offset
    bool merge = !dims.empty();
    for (int k = 0; k < num_shapes && merge; ++k) {
      merge = b.strides[k][d] == strides[k].back() * dims.back();
    }
    if (merge) {
      dims.back() *= n;
      continue;
    }
    dims.push_back(n);
    for (int k = 0; k < num_shapes; ++k) strides[k].push_back(b.strides[k][d]);
  }
  if (dims.empty()) return p;  // a single element (or rank 0): one run of length 1
  p.row_len = dims.front();
  for (int k = 0; k < num_shapes; ++k) p.row_contiguous[k] = strides[k].front() != 0;
  // Outer dims, outermost first.
  for (size_t i = dims.size(); i-- > 1;) {
    p.outer_dims.push_back(dims[i]);
    for (int k = 0; k < num_shapes; ++k) p.outer_strides[k].push_back(strides[k][i]);
  }
  return p;
}

StatusOr<Shape> LegacyBroadcastShape(const Shape& a, const Shape& b, int64_t axis, bool has_axis) {
  const int64_t start = has_axis ? (axis < 0 ? axis + a.rank() : axis) : a.rank() - b.rank();
  if (start < 0 || start + b.rank() > a.rank()) {
    return InvalidArgument("legacy broadcast of " + b.ToString() + " into " + a.ToString() +
                           " at axis " + std::to_string(axis) + " does not fit");
  }
  Shape out;
  out.resize(a.rank(), 1);
  for (int d = 0; d < b.rank(); ++d) out[start + d] = b[d];
  return out;
}

}  // namespace trt::kernels::elementwise
