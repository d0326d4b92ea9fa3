// Concat and Split along one axis. Both view the tensor as [outer, axis_dim * inner] rows
// and copy contiguous byte runs per row; zero-size inputs and outputs are allowed.
#include <algorithm>
#include <cstring>

#include "engine/kernels/kernel.h"
#include "engine/kernels/tensor/tensor_util.h"

namespace trt::kernels {
namespace {

using tensor::RequireInputs;
using tensor::VecToString;

class ConcatKernel : public Kernel {
 public:
  ConcatKernel(int64_t axis, bool allow_negative) : axis_(axis), allow_negative_(allow_negative) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor* first = ctx.Input(0);
    const int r = first->rank();
    int axis;
    if (!NormalizeAxis(axis_, r, &axis) || (!allow_negative_ && axis_ < 0)) {
      return ctx.Invalid("axis " + std::to_string(axis_) + " is out of range for rank " +
                         std::to_string(r));
    }
    Shape out = first->shape();
    out[axis] = 0;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor* t = ctx.Input(i);
      if (!t) return ctx.Invalid("input " + std::to_string(i) + " is missing");
      bool ok = t->dtype() == first->dtype() && t->rank() == r;
      for (int d = 0; ok && d < r; ++d) ok = d == axis || t->shape()[d] == first->shape()[d];
      if (!ok) {
        return ctx.Invalid("input " + std::to_string(i) + " " + t->Description() +
                           " does not match input 0 " + first->Description() + " outside axis " +
                           std::to_string(axis));
      }
      out[axis] += t->shape()[axis];
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, first->dtype(), out));
    const size_t esize = DTypeSize(first->dtype());
    const int64_t outer = out.NumElements(0, axis);
    const int64_t inner = out.NumElements(axis + 1, r);
    const size_t out_row = static_cast<size_t>(out[axis] * inner) * esize;
    auto* dst = static_cast<uint8_t*>(y->raw_data());
    size_t col = 0;
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      const Tensor* t = ctx.Input(i);
      const size_t row = static_cast<size_t>(t->shape()[axis] * inner) * esize;
      const auto* src = static_cast<const uint8_t*>(t->raw_data());
      for (int64_t o = 0; o < outer && row > 0; ++o) {
        std::memcpy(dst + o * out_row + col, src + o * row, row);
      }
      col += row;
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
  bool allow_negative_;
};

// Split: sizes come from the `split` attribute (opset < 13), the `split` input (opset 1 and
// 13+), or are equal parts over the number of outputs (or num_outputs in opset 18, where
// the last chunk may be smaller).
class SplitKernel : public Kernel {
 public:
  SplitKernel(int64_t axis, std::vector<int64_t> split, bool split_from_input, int64_t num_outputs,
              bool uneven_last)
      : axis_(axis),
        split_(std::move(split)),
        split_from_input_(split_from_input),
        num_outputs_(num_outputs),
        uneven_last_(uneven_last) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const int r = x->rank();
    int axis;
    if (!NormalizeAxis(axis_, r, &axis)) {
      return ctx.Invalid("axis " + std::to_string(axis_) + " is out of range for rank " +
                         std::to_string(r));
    }
    const int64_t dim = x->shape()[axis];
    const int n_out = ctx.num_outputs();
    std::vector<int64_t> sizes = split_;
    if (split_from_input_ && ctx.Input(1)) {
      TRT_ASSIGN_OR_RETURN(sizes, tensor::ReadInt64s(ctx, *ctx.Input(1), "input 'split'"));
    }
    if (sizes.empty()) {
      const int64_t parts = num_outputs_ > 0 ? num_outputs_ : n_out;
      if (uneven_last_) {
        const int64_t chunk = (dim + parts - 1) / parts;
        for (int64_t k = 0, left = dim; k < parts; ++k, left -= chunk) {
          sizes.push_back(std::max<int64_t>(std::min(chunk, left), 0));
        }
      } else {
        if (dim % parts != 0) {
          return ctx.Invalid("axis " + std::to_string(axis) + " of size " + std::to_string(dim) +
                             " cannot be split evenly into " + std::to_string(parts) + " parts");
        }
        sizes.assign(parts, dim / parts);
      }
    }
    int64_t sum = 0;
    for (int64_t s : sizes) {
      if (s < 0 || s > dim) {
        return ctx.Invalid("split " + VecToString(sizes) + " has a size outside [0, " +
                           std::to_string(dim) + "]");
      }
      sum += s;
    }
    if (static_cast<int>(sizes.size()) != n_out || sum != dim) {
      return ctx.Invalid("split " + VecToString(sizes) + " must have " + std::to_string(n_out) +
                         " entries summing to the axis size " + std::to_string(dim));
    }
    const size_t esize = DTypeSize(x->dtype());
    const int64_t outer = x->shape().NumElements(0, axis);
    const int64_t inner = x->shape().NumElements(axis + 1, r);
    const size_t in_row = static_cast<size_t>(dim * inner) * esize;
    const auto* src = static_cast<const uint8_t*>(x->raw_data());
    size_t col = 0;
    for (int k = 0; k < n_out; ++k) {
      const size_t row = static_cast<size_t>(sizes[k] * inner) * esize;
      if (ctx.OutputRequested(k)) {
        Shape out = x->shape();
        out[axis] = sizes[k];
        TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(k, x->dtype(), out));
        auto* dst = static_cast<uint8_t*>(y->raw_data());
        for (int64_t o = 0; o < outer && row > 0; ++o) {
          std::memcpy(dst + o * row, src + o * in_row + col, row);
        }
      }
      col += row;
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
  std::vector<int64_t> split_;
  bool split_from_input_;
  int64_t num_outputs_;
  bool uneven_last_;
};

}  // namespace

StatusOr<KernelPtr> CreateConcat(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  if (info.opset() >= 4 && !info.HasAttr("axis")) return info.Invalid("missing attribute 'axis'");
  return MakeKernel<ConcatKernel>(info.GetInt("axis", 1), info.opset() >= 11);
}

StatusOr<KernelPtr> CreateSplit(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  const int opset = info.opset();
  const bool split_from_input = opset == 1 || opset >= 13;
  const std::vector<int64_t> split = opset < 13 ? info.GetInts("split") : std::vector<int64_t>{};
  int64_t num_outputs = 0;
  if (opset >= 18 && info.HasAttr("num_outputs")) {
    num_outputs = info.GetInt("num_outputs", 0);
    if (num_outputs <= 0 || num_outputs != info.num_outputs()) {
      return info.Invalid("num_outputs " + std::to_string(num_outputs) +
                          " must be positive and equal the number of outputs " +
                          std::to_string(info.num_outputs()));
    }
    if (info.HasInput(1)) return info.Invalid("num_outputs and the split input are exclusive");
  }
  return MakeKernel<SplitKernel>(info.GetInt("axis", 0), split, split_from_input, num_outputs,
                                 opset >= 18);
}

}  // namespace trt::kernels
