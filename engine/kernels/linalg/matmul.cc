// MatMul reference kernel (ai.onnx opsets 1+), numpy.matmul semantics: a 1-D A is promoted
// to [1, K] and a 1-D B to [K, 1] (the promoted dim is removed from the result); leading
// batch dims broadcast multidirectionally. Float and integer element types.
#include <string>
#include <vector>

#include "engine/kernels/common/broadcast.h"
#include "engine/kernels/kernel.h"
#include "engine/kernels/linalg/matmul_f32.h"
#include "engine/kernels/linalg/matmul_ref.h"

namespace trt::kernels {
namespace {

class MatMulKernel final : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor* a = ctx.Input(0);
    const Tensor* b = ctx.Input(1);
    if (!a || !b) return ctx.Invalid("inputs 0 (A) and 1 (B) are required");
    if (a->rank() < 1 || b->rank() < 1) {
      return ctx.Invalid("inputs must have rank >= 1, got A " + a->shape().ToString() + " and B " +
                         b->shape().ToString());
    }
    if (a->dtype() != b->dtype()) {
      return ctx.Invalid("inputs must share one dtype, got A " + a->Description() + " and B " +
                         b->Description());
    }
    if (a->dtype() == DType::kBool || !IsSupportedDType(a->dtype())) {
      return ctx.Unsupported("dtype " + std::string(DTypeName(a->dtype())) + " is not supported");
    }
    auto geo = linalg::ResolveMatMul(a->shape(), b->shape(), false, false);
    if (!geo.ok()) return ctx.Invalid(geo.status().message());
    const int64_t m = geo->m, k = geo->k, n = geo->n;
    const Broadcast* bc = &geo->batch;
    const Shape& out_shape = geo->out;
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, a->dtype(), out_shape));
    VisitDType(a->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) Run<T>(ctx, *a, *b, *bc, m, k, n, y);
    });
    return Status::Ok();
  }

 private:
  template <typename T>
  static void Run(KernelContext& ctx, const Tensor& a, const Tensor& b, const Broadcast& bc,
                  int64_t m, int64_t k, int64_t n, Tensor* y) {
    using Acc = linalg::MatMulAccT<T>;
    Acc* am = ScratchArray<Acc>(ctx, m * k);
    Acc* bm = ScratchArray<Acc>(ctx, k * n);
    Acc* prod = ScratchArray<Acc>(ctx, m * n);
    const T* ad = a.data<T>();
    const T* bd = b.data<T>();
    T* out = y->data<T>();
    const int64_t a_mat = m * k, b_mat = k * n, y_mat = m * n;
    bc.ForEach([&](int64_t batch, const int64_t* off) {
      linalg::ToAccMatrix(ad + off[0] * a_mat, m, k, false, am);
      linalg::ToAccMatrix(bd + off[1] * b_mat, k, n, false, bm);
      linalg::MatMulAccumulate(am, bm, m, k, n, prod);
      T* dst = out + batch * y_mat;
      for (int64_t i = 0; i < y_mat; ++i) dst[i] = linalg::FromAcc<T>(prod[i]);
    });
  }
};

}  // namespace

StatusOr<KernelPtr> CreateMatMul(const KernelInfo& info) {
  TRT_ASSIGN_OR_RETURN(KernelPtr fast,
                       linalg::CreateMatMulF32(info, false, false, 1.0f, fused::Activation{}));
  if (fast) return fast;
  return MakeKernel<MatMulKernel>();
}

}  // namespace trt::kernels
