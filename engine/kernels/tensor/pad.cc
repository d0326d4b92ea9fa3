// Pad (opset 1 `paddings` / opset 2-10 `pads` attributes; opset 11+ pads and constant_value
// inputs; opset 18 axes input; modes constant, reflect, edge and wrap; negative pads crop)
// and CenterCropPad (opset 18), which is a centered pad-or-crop with zero fill.
#include <cstdlib>
#include <cstring>

#include "engine/kernels/kernel.h"
#include "engine/kernels/tensor/tensor_util.h"

namespace trt::kernels {
namespace {

using tensor::ReadInt64s;
using tensor::RequireInputs;
using tensor::VecToString;

enum class PadMode { kConstant, kReflect, kEdge, kWrap };

// Maps output index i of an axis (begin = leading pad, may be negative) to the source index,
// or kOutside for constant padding.
int64_t SourceIndex(int64_t i, int64_t begin, int64_t dim, PadMode mode) {
  int64_t s = i - begin;
  if (s >= 0 && s < dim) return s;
  switch (mode) {
    case PadMode::kConstant:
      return tensor::kOutside;
    case PadMode::kEdge:
      return s < 0 ? 0 : dim - 1;
    case PadMode::kWrap:
      return ((s % dim) + dim) % dim;
    case PadMode::kReflect: {
      if (dim == 1) return 0;
      const int64_t period = 2 * (dim - 1);
      int64_t m = ((s % period) + period) % period;
      return m < dim ? m : period - m;
    }
  }
  return tensor::kOutside;
}

// Writes y = pad(x) given per-axis leading pads and the output shape; `fill` holds one element.
Status PadInto(const KernelContext& ctx, const Tensor& x, const std::vector<int64_t>& begins,
               const Shape& out, PadMode mode, const void* fill, Tensor* y) {
  const int r = x.rank();
  if (y->NumElements() == 0) return Status::Ok();
  const std::vector<int64_t> strides = x.shape().Strides();
  std::vector<std::vector<int64_t>> tables(r);
  for (int d = 0; d < r; ++d) {
    const int64_t dim = x.shape()[d];
    if (dim == 0 && out[d] > 0 && mode != PadMode::kConstant) {
      return ctx.Invalid("cannot pad empty axis " + std::to_string(d) + " in non-constant mode");
    }
    tables[d].resize(out[d]);
    for (int64_t i = 0; i < out[d]; ++i) {
      const int64_t s = SourceIndex(i, begins[d], dim, mode);
      tables[d][i] = s == tensor::kOutside ? s : s * strides[d];
    }
  }
  tensor::GatherByAxisTables(x, tables, fill, y);
  return Status::Ok();
}

class PadKernel : public Kernel {
 public:
  // opset < 11: pads/value come from the attributes.
  PadKernel(int opset, PadMode mode, std::vector<int64_t> pads, float value)
      : opset_(opset), mode_(mode), pads_(std::move(pads)), value_(value) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const int r = x->rank();
    std::vector<int64_t> pads = pads_;
    std::vector<uint8_t> fill(DTypeSize(x->dtype()), 0);
    if (opset_ >= 11) {
      TRT_ASSIGN_OR_RETURN(pads, ReadInt64s(ctx, *ctx.Input(1), "input 'pads'"));
      if (const Tensor* v = ctx.Input(2); v && mode_ == PadMode::kConstant) {
        if (v->dtype() != x->dtype() || v->NumElements() != 1) {
          return ctx.Invalid("constant_value must be one " + std::string(DTypeName(x->dtype())) +
                             " element, got " + v->Description());
        }
        std::memcpy(fill.data(), v->raw_data(), fill.size());
      }
    } else {
      VisitDType(x->dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T v = static_cast<T>(value_);
        std::memcpy(fill.data(), &v, sizeof(T));
      });
    }
    std::vector<int64_t> axes;
    if (const Tensor* a = opset_ >= 18 ? ctx.Input(3) : nullptr) {
      TRT_ASSIGN_OR_RETURN(axes, ReadInt64s(ctx, *a, "input 'axes'"));
    } else {
      for (int d = 0; d < r; ++d) axes.push_back(d);
    }
    TRT_ASSIGN_OR_RETURN(std::vector<int> norm, tensor::NormalizeAxes(ctx, axes, r, true, "axes"));
    const size_t n = norm.size();
    if (pads.size() != 2 * n) {
      return ctx.Invalid("pads " + VecToString(pads) + " must have " + std::to_string(2 * n) +
                         " entries for input " + x->shape().ToString());
    }
    std::vector<int64_t> begins(r, 0);
    Shape out = x->shape();
    for (size_t i = 0; i < n; ++i) {
      const int d = norm[i];
      if (std::abs(pads[i]) > kMaxTensorBytes || std::abs(pads[i + n]) > kMaxTensorBytes) {
        return ctx.Invalid("pads " + VecToString(pads) + " are out of range");
      }
      begins[d] = pads[i];
      out[d] = x->shape()[d] + pads[i] + pads[i + n];
      if (out[d] < 0) {
        return ctx.Invalid("pads " + VecToString(pads) + " crop axis " + std::to_string(d) +
                           " of " + x->shape().ToString() + " below zero");
      }
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
    return PadInto(ctx, *x, begins, out, mode_, fill.data(), y);
  }

 private:
  int opset_;
  PadMode mode_;
  std::vector<int64_t> pads_;
  float value_;
};

class CenterCropPadKernel : public Kernel {
 public:
  explicit CenterCropPadKernel(std::vector<int64_t> axes) : axes_(std::move(axes)) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const int r = x->rank();
    TRT_ASSIGN_OR_RETURN(std::vector<int64_t> shape,
                         ReadInt64s(ctx, *ctx.Input(1), "input 'shape'"));
    std::vector<int64_t> axes = axes_;
    if (axes.empty()) {
      for (int d = 0; d < r; ++d) axes.push_back(d);
    }
    TRT_ASSIGN_OR_RETURN(std::vector<int> norm, tensor::NormalizeAxes(ctx, axes, r, true, "axes"));
    if (shape.size() != norm.size()) {
      return ctx.Invalid("shape " + VecToString(shape) + " must have one entry per axis " +
                         VecToString(axes));
    }
    std::vector<int64_t> begins(r, 0);
    Shape out = x->shape();
    for (size_t i = 0; i < norm.size(); ++i) {
      if (shape[i] < 0 || shape[i] > kMaxTensorBytes) {
        return ctx.Invalid("shape " + VecToString(shape) + " is out of range");
      }
      // Centered: the extra element of an odd difference goes to the end (crop or pad).
      begins[norm[i]] = (shape[i] - x->shape()[norm[i]]) / 2;
      out[norm[i]] = shape[i];
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
    std::vector<uint8_t> zero(DTypeSize(x->dtype()), 0);
    return PadInto(ctx, *x, begins, out, PadMode::kConstant, zero.data(), y);
  }

 private:
  std::vector<int64_t> axes_;
};

}  // namespace

StatusOr<KernelPtr> CreatePad(const KernelInfo& info) {
  const int opset = info.opset();
  TRT_RETURN_IF_ERROR(RequireInputs(info, opset >= 11 ? 2 : 1));
  const std::string m = info.GetString("mode", "constant");
  PadMode mode;
  if (m == "constant") {
    mode = PadMode::kConstant;
  } else if (m == "reflect") {
    mode = PadMode::kReflect;
  } else if (m == "edge") {
    mode = PadMode::kEdge;
  } else if (m == "wrap" && opset >= 19) {
    mode = PadMode::kWrap;
  } else {
    return info.Invalid("unknown mode '" + m + "' (expected constant, reflect or edge)");
  }
  std::vector<int64_t> pads;
  if (opset < 11) {
    const char* name = opset < 2 ? "paddings" : "pads";
    if (!info.HasAttr(name)) return info.Invalid(std::string("missing attribute '") + name + "'");
    pads = info.GetInts(name);
  }
  return MakeKernel<PadKernel>(opset, mode, pads, info.GetFloat("value", 0.0f));
}

StatusOr<KernelPtr> CreateCenterCropPad(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 2));
  return MakeKernel<CenterCropPadKernel>(info.GetInts("axes"));
}

}  // namespace trt::kernels
