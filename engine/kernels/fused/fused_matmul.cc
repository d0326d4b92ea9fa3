// ai.trtserve::FusedMatMul reference kernel (opset 1+, float types):
//   Y = act(alpha * op(A) @ op(B) + bias)
// with numpy.matmul semantics (1-D promotion, batch broadcast), op() swapping the last two
// dims when transA/transB is set, an optional bias broadcast along the last output dim
// (N or 1 elements) and an optional activation applied in the accumulation type.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernels/common/broadcast.h"
#include "engine/kernels/fused/activation.h"
#include "engine/kernels/kernel.h"
#include "engine/kernels/linalg/matmul_f32.h"
#include "engine/kernels/linalg/matmul_ref.h"

namespace trt::kernels {
namespace {

using fused::Activation;

class FusedMatMulKernel final : public Kernel {
 public:
  FusedMatMulKernel(bool trans_a, bool trans_b, float alpha, Activation act)
      : trans_a_(trans_a), trans_b_(trans_b), alpha_(alpha), act_(act) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* a = ctx.Input(0);
    const Tensor* b = ctx.Input(1);
    const Tensor* bias = ctx.Input(2);
    if (!a || !b) return ctx.Invalid("inputs 0 (A) and 1 (B) are required");
    if (a->dtype() != b->dtype() || (bias && bias->dtype() != a->dtype())) {
      return ctx.Invalid("inputs must share one dtype, got A " + a->Description() + ", B " +
                         b->Description() + (bias ? ", bias " + bias->Description() : ""));
    }
    if (!IsFloatingPoint(a->dtype())) {
      return ctx.Unsupported("dtype " + std::string(DTypeName(a->dtype())) +
                             " is not supported (float types only)");
    }
    auto geo = linalg::ResolveMatMul(a->shape(), b->shape(), trans_a_, trans_b_);
    if (!geo.ok()) return ctx.Invalid(geo.status().message());
    const int64_t m = geo->m, k = geo->k, n = geo->n;
    const Broadcast* bc = &geo->batch;
    const Shape& out_shape = geo->out;
    if (bias && bias->NumElements() != n && bias->NumElements() != 1) {
      return ctx.Invalid("bias " + bias->shape().ToString() +
                         " must have N = " + std::to_string(n) + " or 1 elements");
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, a->dtype(), out_shape));
    VisitDType(a->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, Float16> ||
                    std::is_same_v<T, BFloat16>) {
        Run<T>(ctx, *a, *b, bias, *bc, m, k, n, y);
      }
    });
    return Status::Ok();
  }

 private:
  template <typename T>
  void Run(KernelContext& ctx, const Tensor& a, const Tensor& b, const Tensor* bias,
           const Broadcast& bc, int64_t m, int64_t k, int64_t n, Tensor* y) const {
    using Acc = linalg::MatMulAccT<T>;
    Acc* am = ScratchArray<Acc>(ctx, m * k);
    Acc* bm = ScratchArray<Acc>(ctx, k * n);
    Acc* prod = ScratchArray<Acc>(ctx, m * n);
    Acc* bias_row = ScratchArray<Acc>(ctx, n);
    std::fill(bias_row, bias_row + n, Acc{0});
    if (bias) {
      const T* bd = bias->data<T>();
      for (int64_t j = 0; j < n; ++j)
        bias_row[j] = linalg::ToCompute(bd[bias->NumElements() == 1 ? 0 : j]);
    }
    const T* ad = a.data<T>();
    const T* bd = b.data<T>();
    T* out = y->data<T>();
    const int64_t a_mat = m * k, b_mat = k * n, y_mat = m * n;
    const Acc alpha = static_cast<Acc>(alpha_);
    bc.ForEach([&](int64_t batch, const int64_t* off) {
      linalg::ToAccMatrix(ad + off[0] * a_mat, m, k, trans_a_, am);
      linalg::ToAccMatrix(bd + off[1] * b_mat, k, n, trans_b_, bm);
      linalg::MatMulAccumulate(am, bm, m, k, n, prod);
      T* dst = out + batch * y_mat;
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          const Acc v = alpha * prod[i * n + j] + bias_row[j];
          dst[i * n + j] = linalg::FromAcc<T>(fused::Apply(act_, v));
        }
      }
    });
  }

  bool trans_a_, trans_b_;
  float alpha_;
  Activation act_;
};

}  // namespace

StatusOr<KernelPtr> CreateFusedMatMul(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(Activation act, fused::ParseActivation(info));
  const bool ta = info.GetInt("transA", 0) != 0, tb = info.GetInt("transB", 0) != 0;
  const float alpha = info.GetFloat("alpha", 1.0f);
  TRT_ASSIGN_OR_RETURN(KernelPtr fast, linalg::CreateMatMulF32(info, ta, tb, alpha, act));
  if (fast) return fast;
  return MakeKernel<FusedMatMulKernel>(ta, tb, alpha, act);
}

}  // namespace trt::kernels
