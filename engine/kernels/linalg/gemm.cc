// Gemm reference kernel (ai.onnx opsets 1+): Y = alpha * A' * B' + beta * C, where A' and
// B' are optionally transposed and C (optional from opset 11) broadcasts unidirectionally
// to [M, N]. Before opset 7 broadcasting of C requires the `broadcast` attribute.
#include <string>
#include <vector>

#include "engine/kernels/kernel.h"
#include "engine/kernels/linalg/matmul_f32.h"
#include "engine/kernels/linalg/matmul_ref.h"

namespace trt::kernels {
namespace {

class GemmKernel final : public Kernel {
 public:
  GemmKernel(bool trans_a, bool trans_b, float alpha, float beta, bool legacy_no_broadcast)
      : trans_a_(trans_a),
        trans_b_(trans_b),
        alpha_(alpha),
        beta_(beta),
        legacy_no_broadcast_(legacy_no_broadcast) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* a = ctx.Input(0);
    const Tensor* b = ctx.Input(1);
    const Tensor* c = ctx.Input(2);
    if (!a || !b) return ctx.Invalid("inputs 0 (A) and 1 (B) are required");
    if (a->rank() != 2) {
      return ctx.Invalid("input 0 (A) has shape " + a->shape().ToString() + ", expected rank 2");
    }
    if (b->rank() != 2) {
      return ctx.Invalid("input 1 (B) has shape " + b->shape().ToString() + ", expected rank 2");
    }
    if (b->dtype() != a->dtype() || (c && c->dtype() != a->dtype())) {
      return ctx.Invalid("inputs must share one dtype, got A " + a->Description() + ", B " +
                         b->Description() + (c ? ", C " + c->Description() : std::string()));
    }
    if (!IsSupportedDType(a->dtype()) || a->dtype() == DType::kBool) {
      return ctx.Unsupported("dtype " + std::string(DTypeName(a->dtype())) + " is not supported");
    }
    const int64_t m = trans_a_ ? a->shape()[1] : a->shape()[0];
    const int64_t k = trans_a_ ? a->shape()[0] : a->shape()[1];
    const int64_t kb = trans_b_ ? b->shape()[1] : b->shape()[0];
    const int64_t n = trans_b_ ? b->shape()[0] : b->shape()[1];
    if (k != kb) {
      return ctx.Invalid("input 1 (B) has shape " + b->shape().ToString() + ", expected " +
                         (trans_b_ ? "[N, K]" : "[K, N]") + " with K matching A " +
                         a->shape().ToString() + " (K: " + std::to_string(k) + " vs " +
                         std::to_string(kb) + ")");
    }
    const Shape out_shape{m, n};
    // Strides of C over the output's [M, N] (0 where C is broadcast).
    int64_t c_row_stride = 0, c_col_stride = 0;
    if (c) {
      const Shape& cs = c->shape();
      const bool exact = cs == out_shape;
      bool ok = cs.rank() <= 2 && !(legacy_no_broadcast_ && !exact);
      const int64_t c_rows = cs.rank() == 2 ? cs[0] : 1;
      const int64_t c_cols = cs.rank() >= 1 ? cs[cs.rank() - 1] : 1;
      ok = ok && (c_rows == m || c_rows == 1) && (c_cols == n || c_cols == 1);
      if (!ok) {
        return ctx.Invalid("input 2 (C) has shape " + cs.ToString() +
                           ", expected it to broadcast to " + out_shape.ToString() +
                           (legacy_no_broadcast_ ? " without broadcasting (broadcast=0)" : ""));
      }
      c_row_stride = c_rows == 1 ? 0 : c_cols;
      c_col_stride = c_cols == 1 ? 0 : 1;
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, a->dtype(), out_shape));
    VisitDType(a->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) {
        Run<T>(ctx, *a, *b, c, m, k, n, c_row_stride, c_col_stride, y);
      }
    });
    return Status::Ok();
  }

 private:
  template <typename T>
  void Run(KernelContext& ctx, const Tensor& a, const Tensor& b, const Tensor* c, int64_t m,
           int64_t k, int64_t n, int64_t c_row_stride, int64_t c_col_stride, Tensor* y) const {
    using Acc = linalg::MatMulAccT<T>;
    Acc* am = ScratchArray<Acc>(ctx, m * k);
    Acc* bm = ScratchArray<Acc>(ctx, k * n);
    Acc* prod = ScratchArray<Acc>(ctx, m * n);
    linalg::ToAccMatrix(a.data<T>(), m, k, trans_a_, am);
    linalg::ToAccMatrix(b.data<T>(), k, n, trans_b_, bm);
    linalg::MatMulAccumulate(am, bm, m, k, n, prod);
    T* out = y->data<T>();
    const T* cd = c ? c->data<T>() : nullptr;
    const bool unit_scales = alpha_ == 1.0f && beta_ == 1.0f;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        const Acc p = prod[i * n + j];
        if constexpr (std::is_integral_v<T>) {
          if (unit_scales) {
            const Acc cv = cd ? static_cast<Acc>(cd[i * c_row_stride + j * c_col_stride]) : Acc{0};
            out[i * n + j] = static_cast<T>(p + cv);
            continue;
          }
        }
        double v = static_cast<double>(alpha_) * static_cast<double>(p);
        if (cd) {
          v += static_cast<double>(beta_) *
               static_cast<double>(linalg::ToCompute(cd[i * c_row_stride + j * c_col_stride]));
        }
        out[i * n + j] = linalg::FromAcc<T>(v);
      }
    }
  }

  bool trans_a_, trans_b_;
  float alpha_, beta_;
  bool legacy_no_broadcast_;
};

}  // namespace

StatusOr<KernelPtr> CreateGemm(const KernelInfo& info) {
  const int64_t trans_a = info.GetInt("transA", 0);
  const int64_t trans_b = info.GetInt("transB", 0);
  if ((trans_a != 0 && trans_a != 1) || (trans_b != 0 && trans_b != 1)) {
    return info.Invalid("attributes transA/transB must be 0 or 1, got " + std::to_string(trans_a) +
                        "/" + std::to_string(trans_b));
  }
  const bool legacy_no_broadcast = info.opset() < 7 && info.GetInt("broadcast", 0) == 0;
  if (info.opset() < 11 && !info.HasInput(2)) {
    return info.Invalid("input 2 (C) is required before opset 11");
  }
  TRT_ASSIGN_OR_RETURN(KernelPtr fast, linalg::CreateGemmF32(info, fused::Activation{}));
  if (fast) return fast;
  return MakeKernel<GemmKernel>(trans_a == 1, trans_b == 1, info.GetFloat("alpha", 1.0f),
                                info.GetFloat("beta", 1.0f), legacy_no_broadcast);
}

}  // namespace trt::kernels
