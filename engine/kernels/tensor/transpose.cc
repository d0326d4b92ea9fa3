// Axis permutations: Transpose, and DepthToSpace / SpaceToDepth expressed as a reshape to
// 6-D, a transpose and a reshape back (the formulation of the ONNX spec). Both move data with
// TransposeFast (row copies / tiled 2-D transposes, threaded); the element-by-element
// TransposeInto is the reference it is tested against and the fallback beyond its rank limit.
#include "engine/kernels/kernel.h"
#include "engine/kernels/tensor/tensor_util.h"
#include "engine/kernels/tensor/transpose_fast.h"

namespace trt::kernels {
namespace {

using tensor::RequireInputs;
using tensor::TransposeInto;

class TransposeKernel : public Kernel {
 public:
  explicit TransposeKernel(std::vector<int64_t> perm) : perm_(std::move(perm)) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const int r = x->rank();
    std::vector<int> perm(r);
    if (perm_.empty()) {
      for (int d = 0; d < r; ++d) perm[d] = r - 1 - d;
    } else {
      if (static_cast<int>(perm_.size()) != r) {
        return ctx.Invalid("perm " + tensor::VecToString(perm_) + " has " +
                           std::to_string(perm_.size()) + " entries but the input " +
                           x->shape().ToString() + " has rank " + std::to_string(r));
      }
      std::vector<bool> seen(r, false);
      for (int d = 0; d < r; ++d) {
        int a;
        if (!NormalizeAxis(perm_[d], r, &a) || perm_[d] < 0 || seen[a]) {
          return ctx.Invalid("perm " + tensor::VecToString(perm_) + " is not a permutation of 0.." +
                             std::to_string(r - 1));
        }
        seen[a] = true;
        perm[d] = a;
      }
    }
    Shape out;
    for (int d = 0; d < r; ++d) out.push_back(x->shape()[perm[d]]);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
    if (!tensor::TransposeFast(*x, perm, y, ctx.thread_pool())) TransposeInto(*x, perm, y);
    return Status::Ok();
  }

 private:
  std::vector<int64_t> perm_;
};

// DepthToSpace (to_space) or SpaceToDepth on a 4-D NCHW input.
class DepthSpaceKernel : public Kernel {
 public:
  DepthSpaceKernel(bool to_space, int64_t block, bool crd)
      : to_space_(to_space), block_(block), crd_(crd) {}
  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    if (x->rank() != 4) {
      return ctx.Invalid("input must be 4-D (NCHW), got shape " + x->shape().ToString());
    }
    const int64_t n = x->shape()[0], c = x->shape()[1], h = x->shape()[2], w = x->shape()[3];
    const int64_t b = block_;
    Shape six, out;
    std::vector<int> perm;
    if (to_space_) {
      if (c % b != 0 || (c / b) % b != 0) {
        return ctx.Invalid("channels " + std::to_string(c) + " are not divisible by blocksize^2 (" +
                           std::to_string(b) + "^2)");
      }
      const int64_t c2 = c / (b * b);
      if (crd_) {
        six = Shape{n, c2, b, b, h, w};
        perm = {0, 1, 4, 2, 5, 3};
      } else {
        six = Shape{n, b, b, c2, h, w};
        perm = {0, 3, 4, 1, 5, 2};
      }
      out = Shape{n, c2, h * b, w * b};
    } else {
      if (h % b != 0 || w % b != 0) {
        return ctx.Invalid("spatial dims " + std::to_string(h) + "x" + std::to_string(w) +
                           " are not divisible by blocksize " + std::to_string(b));
      }
      six = Shape{n, c, h / b, b, w / b, b};
      perm = {0, 3, 5, 1, 2, 4};
      out = Shape{n, c * b * b, h / b, w / b};
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
    Shape six_out;
    for (int d = 0; d < 6; ++d) six_out.push_back(six[perm[d]]);
    Tensor y6 = y->Reshaped(six_out);
    const Tensor x6 = x->Reshaped(six);
    if (!tensor::TransposeFast(x6, perm, &y6, ctx.thread_pool())) TransposeInto(x6, perm, &y6);
    return Status::Ok();
  }

 private:
  bool to_space_;
  int64_t block_;
  bool crd_;
};

StatusOr<KernelPtr> CreateDepthSpace(const KernelInfo& info, bool to_space) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  if (!info.HasAttr("blocksize")) return info.Invalid("missing attribute 'blocksize'");
  const int64_t b = info.GetInt("blocksize", 0);
  if (b <= 0) return info.Invalid("blocksize must be positive, got " + std::to_string(b));
  bool crd = false;
  if (to_space) {
    const std::string mode = info.GetString("mode", "DCR");
    if (mode != "DCR" && mode != "CRD") {
      return info.Invalid("mode must be DCR or CRD, got '" + mode + "'");
    }
    crd = mode == "CRD";
  }
  return MakeKernel<DepthSpaceKernel>(to_space, b, crd);
}

}  // namespace

StatusOr<KernelPtr> CreateTranspose(const KernelInfo& info) {
  TRT_RETURN_IF_ERROR(RequireInputs(info, 1));
  return MakeKernel<TransposeKernel>(info.GetInts("perm"));
}

StatusOr<KernelPtr> CreateDepthToSpace(const KernelInfo& info) {
  return CreateDepthSpace(info, true);
}

StatusOr<KernelPtr> CreateSpaceToDepth(const KernelInfo& info) {
  return CreateDepthSpace(info, false);
}

}  // namespace trt::kernels
