// Fast float32 Softmax over the last axis (see norm_f32.h).
#include <string>

#include "engine/kernels/norm/f32_norm_rows.h"
#include "engine/kernels/norm/norm_f32.h"

namespace trt::kernels::norm {
namespace {

class SoftmaxF32Kernel final : public Kernel {
 public:
  SoftmaxF32Kernel(const F32NormRows& rows, KernelPtr ref, bool coerce_2d, int64_t axis)
      : rows_(rows), ref_(std::move(ref)), coerce_2d_(coerce_2d), axis_(axis) {}

  std::string_view Name() const override { return rows_.softmax_name; }

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (x == nullptr || x->dtype() != DType::kFloat32) return ref_->Compute(ctx);
    const Shape& s = x->shape();
    const int r = s.rank();
    const int hi = coerce_2d_ ? r : r - 1;  // as the reference: legacy allows axis == rank
    if (axis_ < -r || axis_ > hi) return ref_->Compute(ctx);
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + r : axis_);
    const int64_t rows = s.NumElements(0, axis);
    const int64_t n = coerce_2d_ ? s.NumElements(axis, r) : s[axis];
    if (!coerce_2d_ && s.NumElements(axis + 1, r) != 1) return ref_->Compute(ctx);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, s));
    if (n == 0 || rows == 0) return Status::Ok();
    const float* xd = x->data<float>();
    float* yd = y->data<float>();
    auto softmax = rows_.softmax;
    ParallelRows(rows, n, ctx.thread_pool(), [=](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) softmax(xd + i * n, yd + i * n, n);
    });
    return Status::Ok();
  }

 private:
  const F32NormRows& rows_;
  KernelPtr ref_;
  bool coerce_2d_;
  int64_t axis_;
};

}  // namespace

KernelPtr SoftmaxF32OrRef(const KernelInfo& info, bool coerce_2d, int64_t axis, KernelPtr ref) {
  const F32NormRows* rows = SelectF32NormRows(info.isa());
  if (rows == nullptr || info.InputDType(0) != DType::kFloat32) return ref;
  const graph::Value* in = info.node().inputs.empty() ? nullptr : info.node().inputs[0];
  if (!coerce_2d && in != nullptr && in->shape.has_value()) {
    const int64_t rank = static_cast<int64_t>(in->shape->size());
    if (axis != -1 && axis != rank - 1) return ref;  // not the last axis: strided rows
  }
  return std::make_unique<SoftmaxF32Kernel>(*rows, std::move(ref), coerce_2d, axis);
}

}  // namespace trt::kernels::norm
