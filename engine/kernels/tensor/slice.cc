// Slice (attributes in opset 1-9; starts/ends/axes/steps inputs from opset 10, with
// negative steps and the spec's clamping of out-of-range starts/ends) and ReverseSequence.
#include <algorithm>
#include <cstring>

#include "engine/kernels/kernel.h"
#include "engine/kernels/tensor/tensor_util.h"

namespace trt::kernels {
namespace {

using tensor::ReadInt64s;
using tensor::RequireInputs;
using tensor::VecToString;

class SliceKernel : public Kernel {
 public:
  // For opset < 10 the attribute values are used; otherwise inputs 1-4.
  SliceKernel(bool from_inputs, std::vector<int64_t> starts, std::vector<int64_t> ends,
              std::vector<int64_t> axes)
      : from_inputs_(from_inputs),
        starts_(std::move(starts)),
        ends_(std::move(ends)),
        axes_(std::move(axes)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const int r = x->rank();
    std::vector<int64_t> starts = starts_, ends = ends_, axes = axes_, steps;
    if (from_inputs_) {
      TRT_ASSIGN_OR_RETURN(starts, ReadInt64s(ctx, *ctx.Input(1), "input 'starts'"));
      TRT_ASSIGN_OR_RETURN(ends, ReadInt64s(ctx, *ctx.Input(2), "input 'ends'"));
      if (ctx.Input(3)) {
        TRT_ASSIGN_OR_RETURN(axes, ReadInt64s(ctx, *ctx.Input(3), "input 'axes'"));
      }
      if (ctx.Input(4)) {
        TRT_ASSIGN_OR_RETURN(steps, ReadInt64s(ctx, *ctx.Input(4), "input 'steps'"));
      }
    }
    const size_t n = starts.size();
    if (axes.empty()) {
      for (size_t i = 0; i < n; ++i) axes.push_back(static_cast<int64_t>(i));
    }
    if (steps.empty()) steps.assign(n, 1);
    if (ends.size() != n || axes.size() != n || steps.size() != n) {
      return ctx.Invalid("starts " + VecToString(starts) + ", ends " + VecToString(ends) +
                         ", axes " + VecToString(axes) + " and steps " + VecToString(steps) +
                         " must have the same length");
    }
    TRT_ASSIGN_OR_RETURN(std::vector<int> norm, tensor::NormalizeAxes(ctx, axes, r, true, "axes"));
    // Per input axis: first index and step (defaults: the whole axis).
    std::vector<int64_t> first(r, 0), step(r, 1);
    Shape out = x->shape();
    for (size_t i = 0; i < n; ++i) {
      const int a = norm[i];
      const int64_t dim = x->shape()[a];
      const int64_t s = steps[i];
      if (s == 0) return ctx.Invalid("steps " + VecToString(steps) + " contains 0");
      int64_t b = starts[i] < 0 ? starts[i] + dim : starts[i];
      int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
      int64_t len;
      if (s > 0) {
        b = std::clamp<int64_t>(b, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        len = e > b ? (e - b + s - 1) / s : 0;
      } else {
        b = std::clamp<int64_t>(b, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        len = b > e ? (b - e + (-s) - 1) / (-s) : 0;
      }
      first[a] = b;
      step[a] = s;
      out[a] = len;
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
    const std::vector<int64_t> strides = x->shape().Strides();
    std::vector<std::vector<int64_t>> tables(r);
    for (int d = 0; d < r; ++d) {
      tables[d].resize(out[d]);
      for (int64_t i = 0; i < out[d]; ++i) tables[d][i] = (first[d] + i * step[d]) * strides[d];
    }
    tensor::GatherByAxisTables(*x, tables, nullptr, y);
    return Status::Ok();
  }

 private:
  bool from_inputs_;
  std::vector<int64_t> starts_, ends_, axes_;
};

// Reverses the first seq_lens[b] elements along time_axis for each batch b.
class ReverseSequenceKernel : public Kernel {
 public:
  ReverseSequenceKernel(int64_t batch_axis, int64_t time_axis)
      : batch_axis_(batch_axis), time_axis_(time_axis) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (x->rank() < 2) {
      return ctx.Invalid("input must have rank >= 2, got shape " + x->shape().ToString());
    }
    const int64_t batch = x->shape()[batch_axis_], time = x->shape()[time_axis_];
    TRT_ASSIGN_OR_RETURN(std::vector<int64_t> lens,
                         ReadInt64s(ctx, *ctx.Input(1), "input 'sequence_lens'"));
    if (static_cast<int64_t>(lens.size()) != batch) {
      return ctx.Invalid("sequence_lens has " + std::to_string(lens.size()) +
                         " entries, expected batch size " + std::to_string(batch));
    }
    for (int64_t l : lens) {
      if (l < 0 || l > time) {
        return ctx.Invalid("sequence_lens " + VecToString(lens) + " has a length outside [0, " +
                           std::to_string(time) + "]");
      }
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), x->shape()));
    const size_t esize = DTypeSize(x->dtype());
    const std::vector<int64_t> strides = x->shape().Strides();
    const int64_t total = x->NumElements();
    const auto* src = static_cast<const uint8_t*>(x->raw_data());
    auto* dst = static_cast<uint8_t*>(y->raw_data());
    for (int64_t i = 0; i < total; ++i) {
      const int64_t b = (i / strides[batch_axis_]) % batch;
      const int64_t t = (i / strides[time_axis_]) % time;
      int64_t src_i = i;
      if (t < lens[b]) src_i = i + (lens[b] - 1 - 2 * t) * strides[time_axis_];
      std::memcpy(dst + i * esize, src + src_i * esize, esize);
    }
    return Status::Ok();
  }

 private:
  int64_t batch_axis_, time_axis_;
};

}  // namespace

StatusOr<KernelPtr> CreateSlice(const KernelInfo& info) {
  if (info.opset() < 10) {
    TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
    if (!info.HasAttr("starts") || !info.HasAttr("ends")) {
      return info.Invalid("missing attribute 'starts' or 'ends'");
    }
    return MakeKernel<SliceKernel>(false, info.GetInts("starts"), info.GetInts("ends"),
                                   info.GetInts("axes"));
  }
  TRT_RETURN_IF_ERROR(RequireInputs(info, 3));
  return MakeKernel<SliceKernel>(true, std::vector<int64_t>{}, std::vector<int64_t>{},
                                 std::vector<int64_t>{});
}

StatusOr<KernelPtr> CreateReverseSequence(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 2));
  const int64_t batch_axis = info.GetInt("batch_axis", 1);
  const int64_t time_axis = info.GetInt("time_axis", 0);
  if (!((batch_axis == 0 && time_axis == 1) || (batch_axis == 1 && time_axis == 0))) {
    return info.Invalid("batch_axis/time_axis must be 0/1 or 1/0, got " +
                        std::to_string(batch_axis) + "/" + std::to_string(time_axis));
  }
  return MakeKernel<ReverseSequenceKernel>(batch_axis, time_axis);
}

}  // namespace trt::kernels
