// Det reference kernel (ai.onnx opsets 11+): determinant of each trailing [M, M] matrix of
// a [*, M, M] input, by LU decomposition with partial pivoting in double precision.
#include <cmath>
#include <string>
#include <vector>

#include "engine/kernels/kernel.h"
#include "engine/kernels/linalg/matmul_ref.h"

namespace trt::kernels {
namespace {

// Determinant of the row-major n x n matrix `a` (destroyed).
double LuDeterminant(double* a, int64_t n) {
  double det = 1.0;
  for (int64_t col = 0; col < n; ++col) {
    int64_t pivot = col;
    for (int64_t r = col + 1; r < n; ++r) {
      if (std::fabs(a[r * n + col]) > std::fabs(a[pivot * n + col])) pivot = r;
    }
    if (a[pivot * n + col] == 0.0) return 0.0;
    if (pivot != col) {
      for (int64_t c = 0; c < n; ++c) std::swap(a[pivot * n + c], a[col * n + c]);
      det = -det;
    }
    const double p = a[col * n + col];
    det *= p;
    for (int64_t r = col + 1; r < n; ++r) {
      const double f = a[r * n + col] / p;
      if (f == 0.0) continue;
      for (int64_t c = col + 1; c < n; ++c) a[r * n + c] -= f * a[col * n + c];
    }
  }
  return det;
}

class DetKernel final : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (!x) return ctx.Invalid("input 0 (X) is required");
    const Shape& s = x->shape();
    if (s.rank() < 2 || s[s.rank() - 1] != s[s.rank() - 2]) {
      return ctx.Invalid("input 0 (X) has shape " + s.ToString() +
                         ", expected [*, M, M] (rank >= 2, square trailing matrices)");
    }
    if (!IsFloatingPoint(x->dtype())) {
      return ctx.Unsupported("dtype " + std::string(DTypeName(x->dtype())) +
                             " is not supported (float types only)");
    }
    const int64_t n = s[s.rank() - 1];
    const Shape out_shape(std::span<const int64_t>(s.data(), s.size() - 2));
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out_shape));
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_integral_v<T>) {
        std::vector<double> mat(static_cast<size_t>(n * n));
        const T* src = x->data<T>();
        T* dst = y->data<T>();
        for (int64_t b = 0; b < out_shape.NumElements(); ++b) {
          for (int64_t i = 0; i < n * n; ++i) {
            mat[i] = static_cast<double>(linalg::ToCompute(src[b * n * n + i]));
          }
          dst[b] = linalg::FromAcc<T>(LuDeterminant(mat.data(), n));
        }
      }
    });
    return Status::Ok();
  }
};

}  // namespace

StatusOr<KernelPtr> CreateDet(const KernelInfo& info) {
  (void)info;
  return MakeKernel<DetKernel>();
}

}  // namespace trt::kernels
