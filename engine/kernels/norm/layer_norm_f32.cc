// Fast float32 LayerNormalization over the contiguous dims [axis, rank) (see norm_f32.h).
#include "engine/kernels/norm/f32_norm_rows.h"
#include "engine/kernels/norm/norm_f32.h"

namespace trt::kernels::norm {
namespace {

// True if `p` (Scale or B) holds one float32 value per element of x's dims [axis, rank),
// laid out like them: right-aligned, every dim before `axis` 1.
bool PerElement(const Tensor* p, const Shape& x, int axis) {
  if (p == nullptr) return true;
  const Shape& s = p->shape();
  const int k = s.rank(), r = x.rank();
  if (p->dtype() != DType::kFloat32 || k > r || p->NumElements() != x.NumElements(axis, r)) {
    return false;
  }
  for (int j = 0; j < k; ++j) {
    const int d = r - k + j;
    if (s[j] != (d < axis ? 1 : x[d])) return false;
  }
  return true;
}

class LayerNormF32Kernel final : public Kernel {
 public:
  LayerNormF32Kernel(const F32NormRows& rows, KernelPtr ref, int64_t axis, float epsilon)
      : rows_(rows), ref_(std::move(ref)), axis_(axis), epsilon_(epsilon) {}

  std::string_view Name() const override { return rows_.layer_norm_name; }

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* scale = ctx.Input(1);
    const Tensor* bias = ctx.Input(2);
    if (x == nullptr || scale == nullptr || x->dtype() != DType::kFloat32) {
      return ref_->Compute(ctx);
    }
    const Shape& s = x->shape();
    const int r = s.rank();
    if (axis_ < -r || axis_ >= r) return ref_->Compute(ctx);
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + r : axis_);
    const int64_t rows = s.NumElements(0, axis), n = s.NumElements(axis, r);
    if (n == 0 || !PerElement(scale, s, axis) || !PerElement(bias, s, axis)) {
      return ref_->Compute(ctx);
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, s));
    // Mean and InvStdDev (float32 here, see the factory): dims[:axis] followed by ones.
    Shape stat_shape = s;
    for (int d = axis; d < r; ++d) stat_shape[d] = 1;
    float* stats[2] = {nullptr, nullptr};
    for (int k = 1; k <= 2; ++k) {
      if (k >= ctx.num_outputs() || !ctx.OutputRequested(k)) continue;
      TRT_ASSIGN_OR_RETURN(Tensor * t, ctx.AllocateOutput(k, DType::kFloat32, stat_shape));
      stats[k - 1] = t->data<float>();
    }
    if (rows == 0) return Status::Ok();
    const float* xd = x->data<float>();
    const float* sd = scale->data<float>();
    const float* bd = bias != nullptr ? bias->data<float>() : nullptr;
    float* yd = y->data<float>();
    float* mean = stats[0];
    float* inv_std = stats[1];
    const float eps = epsilon_;
    auto layer_norm = rows_.layer_norm;
    ParallelRows(rows, n, ctx.thread_pool(), [=](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        float m, is;
        layer_norm(xd + i * n, sd, bd, eps, yd + i * n, n, &m, &is);
        if (mean != nullptr) mean[i] = m;
        if (inv_std != nullptr) inv_std[i] = is;
      }
    });
    return Status::Ok();
  }

 private:
  const F32NormRows& rows_;
  KernelPtr ref_;
  int64_t axis_;
  float epsilon_;
};

}  // namespace

KernelPtr LayerNormF32OrRef(const KernelInfo& info, int64_t axis, float epsilon, DType stash,
                            KernelPtr ref) {
  const F32NormRows* rows = SelectF32NormRows(info.isa());
  if (rows == nullptr || info.InputDType(0) != DType::kFloat32) return ref;
  if ((info.HasOutput(1) || info.HasOutput(2)) && stash != DType::kFloat32) return ref;
  return std::make_unique<LayerNormF32Kernel>(*rows, std::move(ref), axis, epsilon);
}

}  // namespace trt::kernels::norm
