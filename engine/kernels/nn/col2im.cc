// Col2Im (ai.onnx 18): rearranges the sliding-block columns [N, C * prod(block), L] back into
// an image [N, C, image_shape...], summing overlapping blocks (any number of spatial dims,
// with dilations, pads and strides). Float16/BFloat16 accumulate in float.

#include <string>
#include <vector>

#include "engine/kernels/nn/conv_common.h"

namespace trt::kernels {
namespace {

class Col2ImKernel : public Kernel {
 public:
  Col2ImKernel(std::vector<int64_t> dilations, std::vector<int64_t> pads,
               std::vector<int64_t> strides)
      : dilations_(std::move(dilations)), pads_(std::move(pads)), strides_(std::move(strides)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* image = ctx.Input(1);
    const Tensor* block = ctx.Input(2);
    if (!x || !image || !block) {
      return ctx.Invalid("inputs input, image_shape and block_shape are required");
    }
    if (image->dtype() != DType::kInt64 || block->dtype() != DType::kInt64 || image->rank() != 1 ||
        block->shape() != image->shape()) {
      return ctx.Invalid("image_shape " + image->Description() + " and block_shape " +
                         block->Description() + " must be int64 vectors of equal length");
    }
    const size_t rank = static_cast<size_t>(image->NumElements());
    auto len_ok = [&](const std::vector<int64_t>& v, size_t n) {
      return v.empty() || v.size() == n;
    };
    if (rank == 0 || !len_ok(dilations_, rank) || !len_ok(strides_, rank) ||
        !len_ok(pads_, 2 * rank)) {
      return ctx.Invalid("attributes dilations/strides/pads do not match " + std::to_string(rank) +
                         " spatial dims");
    }
    std::vector<int64_t> img(rank), blk(rank), nblocks(rank), dil(rank), str(rank), pb(rank);
    int64_t block_size = 1, total_blocks = 1;
    for (size_t d = 0; d < rank; ++d) {
      img[d] = image->data<int64_t>()[d];
      blk[d] = block->data<int64_t>()[d];
      dil[d] = dilations_.empty() ? 1 : dilations_[d];
      str[d] = strides_.empty() ? 1 : strides_[d];
      pb[d] = pads_.empty() ? 0 : pads_[d];
      const int64_t pe = pads_.empty() ? 0 : pads_[rank + d];
      if (img[d] <= 0 || blk[d] <= 0) {
        return ctx.Invalid("image_shape and block_shape must be positive, got " +
                           nn::DimsToString(img) + " and " + nn::DimsToString(blk));
      }
      const int64_t avail = img[d] + pb[d] + pe - (dil[d] * (blk[d] - 1) + 1);
      nblocks[d] = avail < 0 ? 0 : avail / str[d] + 1;
      block_size *= blk[d];
      total_blocks *= nblocks[d];
    }
    const Shape& xs = x->shape();
    if (xs.rank() != 3 || xs[1] % block_size != 0 || xs[2] != total_blocks) {
      return ctx.Invalid("input 0 has shape " + xs.ToString() + ", expected [N, C * " +
                         std::to_string(block_size) + ", " + std::to_string(total_blocks) + "]");
    }
    const int64_t channels = xs[1] / block_size;
    Shape ys{xs[0], channels};
    int64_t img_size = 1;
    for (int64_t d : img) {
      ys.push_back(d);
      img_size *= d;
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), ys));
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) {
        using Acc =
            std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;
        std::vector<Acc> acc(static_cast<size_t>(y->NumElements()), Acc(0));
        const T* xd = x->data<T>();
        std::vector<int64_t> k(rank, 0), l(rank, 0);
        for (int64_t plane = 0; plane < xs[0] * channels; ++plane) {
          Acc* out = acc.data() + plane * img_size;
          for (int64_t kb = 0; kb < block_size; ++kb) {
            Unravel(kb, blk, &k);
            const T* col = xd + (plane * block_size + kb) * total_blocks;
            for (int64_t lb = 0; lb < total_blocks; ++lb) {
              Unravel(lb, nblocks, &l);
              int64_t pos = 0;
              bool inside = true;
              for (size_t d = 0; d < rank && inside; ++d) {
                const int64_t p = l[d] * str[d] - pb[d] + k[d] * dil[d];
                inside = p >= 0 && p < img[d];
                pos = pos * img[d] + p;
              }
              if (inside) out[pos] += static_cast<Acc>(col[lb]);
            }
          }
        }
        T* yd = y->data<T>();
        for (size_t i = 0; i < acc.size(); ++i) yd[i] = static_cast<T>(acc[i]);
      }
    });
    return Status::Ok();
  }

 private:
  static void Unravel(int64_t i, const std::vector<int64_t>& dims, std::vector<int64_t>* idx) {
    for (size_t d = dims.size(); d-- > 0;) {
      (*idx)[d] = i % dims[d];
      i /= dims[d];
    }
  }

  std::vector<int64_t> dilations_, pads_, strides_;
};

}  // namespace

StatusOr<KernelPtr> CreateCol2Im(const KernelInfo& info) {
  std::vector<int64_t> dilations = info.GetInts("dilations");
  std::vector<int64_t> pads = info.GetInts("pads");
  std::vector<int64_t> strides = info.GetInts("strides");
  for (int64_t v : dilations) {
    if (v <= 0) return info.Invalid("attribute dilations has a non-positive value");
  }
  for (int64_t v : strides) {
    if (v <= 0) return info.Invalid("attribute strides has a non-positive value");
  }
  for (int64_t v : pads) {
    if (v < 0) return info.Invalid("attribute pads has a negative value");
  }
  return MakeKernel<Col2ImKernel>(std::move(dilations), std::move(pads), std::move(strides));
}

}  // namespace trt::kernels
