// RoiAlign (ai.onnx 10 and 16): bilinear-sampled average or max pooling of regions of
// interest of an [N, C, H, W] map into [num_rois, C, output_height, output_width].
// Opset 10 behaves as coordinate_transformation_mode "output_half_pixel" (no -0.5 offset,
// regions at least 1x1); opset 16 defaults to "half_pixel". Computes in float (double for
// double), sample-point arithmetic as in the ONNX reference.

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/kernels/kernel.h"

namespace trt::kernels {
namespace {

class RoiAlignKernel : public Kernel {
 public:
  RoiAlignKernel(bool max_mode, bool half_pixel, int64_t out_h, int64_t out_w, int64_t ratio,
                 float scale)
      : max_mode_(max_mode),
        half_pixel_(half_pixel),
        out_h_(out_h),
        out_w_(out_w),
        ratio_(ratio),
        scale_(scale) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* rois = ctx.Input(1);
    const Tensor* bi = ctx.Input(2);
    if (!x || !rois || !bi) return ctx.Invalid("inputs X, rois and batch_indices are required");
    if (x->rank() != 4) {
      return ctx.Invalid("input 0 (X) has shape " + x->shape().ToString() + ", expected rank 4");
    }
    if (rois->dtype() != x->dtype() || rois->rank() != 2 || rois->shape()[1] != 4) {
      return ctx.Invalid("input 1 (rois) is " + rois->Description() + ", expected " +
                         std::string(DTypeName(x->dtype())) + "[num_rois, 4]");
    }
    const int64_t num_rois = rois->shape()[0];
    if (bi->dtype() != DType::kInt64 || bi->rank() != 1 || bi->shape()[0] != num_rois) {
      return ctx.Invalid("input 2 (batch_indices) is " + bi->Description() + ", expected int64[" +
                         std::to_string(num_rois) + "]");
    }
    const int64_t n = x->shape()[0];
    for (int64_t r = 0; r < num_rois; ++r) {
      const int64_t b = bi->data<int64_t>()[r];
      if (b < 0 || b >= n) {
        return ctx.Invalid("input 2 (batch_indices) element " + std::to_string(r) + " is " +
                           std::to_string(b) + ", out of range [0, " + std::to_string(n) + ")");
      }
    }
    TRT_ASSIGN_OR_RETURN(
        Tensor * y, ctx.AllocateOutput(0, x->dtype(), {num_rois, x->shape()[1], out_h_, out_w_}));
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, Float16> ||
                    std::is_same_v<T, BFloat16>) {
        Run<T>(*x, *rois, bi->data<int64_t>(), y);
      }
    });
    return Status::Ok();
  }

 private:
  template <typename T>
  void Run(const Tensor& x, const Tensor& rois, const int64_t* batch, Tensor* y) const {
    using F = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const int64_t channels = x.shape()[1], height = x.shape()[2], width = x.shape()[3];
    const T* xd = x.data<T>();
    const T* rd = rois.data<T>();
    T* yd = y->data<T>();
    const F offset = half_pixel_ ? F(0.5) : F(0);
    for (int64_t r = 0; r < rois.shape()[0]; ++r) {
      const F x1 = static_cast<F>(rd[r * 4 + 0]) * scale_ - offset;
      const F y1 = static_cast<F>(rd[r * 4 + 1]) * scale_ - offset;
      F roi_w = static_cast<F>(rd[r * 4 + 2]) * scale_ - offset - x1;
      F roi_h = static_cast<F>(rd[r * 4 + 3]) * scale_ - offset - y1;
      if (!half_pixel_) {
        roi_w = std::max(roi_w, F(1));
        roi_h = std::max(roi_h, F(1));
      }
      const F bin_h = roi_h / static_cast<F>(out_h_);
      const F bin_w = roi_w / static_cast<F>(out_w_);
      const int64_t grid_h = ratio_ > 0 ? ratio_ : static_cast<int64_t>(std::ceil(roi_h / out_h_));
      const int64_t grid_w = ratio_ > 0 ? ratio_ : static_cast<int64_t>(std::ceil(roi_w / out_w_));
      const F count = static_cast<F>(std::max<int64_t>(grid_h * grid_w, 1));
      for (int64_t c = 0; c < channels; ++c) {
        const T* plane = xd + (batch[r] * channels + c) * height * width;
        for (int64_t ph = 0; ph < out_h_; ++ph) {
          for (int64_t pw = 0; pw < out_w_; ++pw) {
            F acc = 0;
            bool first = true;
            for (int64_t iy = 0; iy < grid_h; ++iy) {
              const F yy = y1 + ph * bin_h + (iy + F(0.5)) * bin_h / static_cast<F>(grid_h);
              for (int64_t ix = 0; ix < grid_w; ++ix) {
                const F xx = x1 + pw * bin_w + (ix + F(0.5)) * bin_w / static_cast<F>(grid_w);
                F terms[4] = {0, 0, 0, 0};
                Bilinear(plane, height, width, yy, xx, terms);
                if (max_mode_) {
                  const F v = std::max(std::max(terms[0], terms[1]), std::max(terms[2], terms[3]));
                  acc = first ? v : std::max(acc, v);
                } else {
                  acc += terms[0] + terms[1] + terms[2] + terms[3];
                }
                first = false;
              }
            }
            yd[((r * channels + c) * out_h_ + ph) * out_w_ + pw] =
                static_cast<T>(max_mode_ ? acc : acc / count);
          }
        }
      }
    }
  }

  // The four weighted corner values of a bilinear sample at (y, x); zeros when the point
  // lies more than one pixel outside the map.
  template <typename T, typename F>
  static void Bilinear(const T* plane, int64_t h, int64_t w, F y, F x, F* terms) {
    if (y < -1 || y > h || x < -1 || x > w) return;
    y = std::max(y, F(0));
    x = std::max(x, F(0));
    int64_t y_lo = static_cast<int64_t>(y), x_lo = static_cast<int64_t>(x);
    int64_t y_hi, x_hi;
    if (y_lo >= h - 1) {
      y_hi = y_lo = h - 1;
      y = static_cast<F>(y_lo);
    } else {
      y_hi = y_lo + 1;
    }
    if (x_lo >= w - 1) {
      x_hi = x_lo = w - 1;
      x = static_cast<F>(x_lo);
    } else {
      x_hi = x_lo + 1;
    }
    const F ly = y - y_lo, lx = x - x_lo, hy = 1 - ly, hx = 1 - lx;
    terms[0] = hy * hx * static_cast<F>(plane[y_lo * w + x_lo]);
    terms[1] = hy * lx * static_cast<F>(plane[y_lo * w + x_hi]);
    terms[2] = ly * hx * static_cast<F>(plane[y_hi * w + x_lo]);
    terms[3] = ly * lx * static_cast<F>(plane[y_hi * w + x_hi]);
  }

  bool max_mode_;
  bool half_pixel_;
  int64_t out_h_, out_w_, ratio_;
  float scale_;
};

}  // namespace

StatusOr<KernelPtr> CreateRoiAlign(const KernelInfo& info) {
  const std::string mode = info.GetString("mode", "avg");
  if (mode != "avg" && mode != "max") {
    return info.Invalid("attribute mode is '" + mode + "', expected 'avg' or 'max'");
  }
  const std::string ctm = info.GetString("coordinate_transformation_mode",
                                         info.opset() >= 16 ? "half_pixel" : "output_half_pixel");
  if (ctm != "half_pixel" && ctm != "output_half_pixel") {
    return info.Invalid("attribute coordinate_transformation_mode is '" + ctm +
                        "', expected 'half_pixel' or 'output_half_pixel'");
  }
  const int64_t out_h = info.GetInt("output_height", 1);
  const int64_t out_w = info.GetInt("output_width", 1);
  const int64_t ratio = info.GetInt("sampling_ratio", 0);
  if (out_h <= 0 || out_w <= 0 || ratio < 0) {
    return info.Invalid("attributes output_height " + std::to_string(out_h) + ", output_width " +
                        std::to_string(out_w) + " must be >= 1 and sampling_ratio " +
                        std::to_string(ratio) + " >= 0");
  }
  return MakeKernel<RoiAlignKernel>(mode == "max", ctm == "half_pixel", out_h, out_w, ratio,
                                    info.GetFloat("spatial_scale", 1.0f));
}

}  // namespace trt::kernels
