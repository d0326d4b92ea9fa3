// Resize (opset 10, 11-12, 13-17, 18+) and Upsample (opset 7-9) as an N-D separable
// reference: per axis, ComputeAxisTaps() gives each output index its source taps and
// weights; each output element is the weighted sum over the product of its axes' taps,
// accumulated in double. Integer outputs are rounded half-to-even and saturated.
#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/kernels/common/double_convert.h"
#include "engine/kernels/kernel.h"
#include "engine/kernels/tensor/resize_taps.h"
#include "engine/kernels/tensor/tensor_util.h"

namespace trt::kernels {
namespace {

using tensor::AxisSpec;
using tensor::AxisTaps;
using tensor::CoordMode;
using tensor::NearestMode;
using tensor::ResizeMode;
using tensor::ResizeOptions;

enum class KeepAspect { kStretch, kNotLarger, kNotSmaller };

// Converts an interpolated value to T: integers round to nearest and saturate (NaN -> 0).
template <typename T>
T RoundFromDouble(double v) {
  if constexpr (std::is_integral_v<T>) {
    if (std::isnan(v)) return T(0);
    v = std::nearbyint(v);
    v = std::clamp(v, static_cast<double>(std::numeric_limits<T>::lowest()),
                   static_cast<double>(std::numeric_limits<T>::max()));
    return static_cast<T>(v);
  } else if constexpr (std::is_same_v<T, double>) {
    return v;
  } else {
    return static_cast<T>(static_cast<float>(v));
  }
}

// Combines per-axis taps: y[o] = sum over tap tuples of prod(weights) * x[src].
template <typename T>
void Interpolate(const Tensor& x, const std::vector<AxisTaps>& taps, double extrapolation,
                 Tensor* y) {
  const int r = x.rank();
  const std::vector<int64_t> strides = x.shape().Strides();
  const T* src = x.data<T>();
  T* dst = y->data<T>();
  const int64_t total = y->NumElements();
  std::vector<int64_t> o(r, 0), k(r, 0);
  for (int64_t e = 0; e < total; ++e) {
    bool outside = false;
    bool empty = false;
    for (int d = 0; d < r; ++d) {
      outside = outside || taps[d].outside[o[d]];
      empty = empty || taps[d].first[o[d]] == taps[d].first[o[d] + 1];
      k[d] = taps[d].first[o[d]];
    }
    double sum = 0;
    if (outside) {
      sum = extrapolation;
    } else if (!empty) {
      while (true) {
        double w = 1;
        int64_t off = 0;
        for (int d = 0; d < r; ++d) {
          w *= taps[d].weight[k[d]];
          off += taps[d].index[k[d]] * strides[d];
        }
        sum += w * ToDouble(src[off]);
        int d = r - 1;
        for (; d >= 0; --d) {
          if (++k[d] < taps[d].first[o[d] + 1]) break;
          k[d] = taps[d].first[o[d]];
        }
        if (d < 0) break;
      }
    }
    dst[e] = RoundFromDouble<T>(sum);
    for (int d = r - 1; d >= 0; --d) {
      if (++o[d] < y->shape()[d]) break;
      o[d] = 0;
    }
  }
}

// Input layout and attributes by op version.
struct ResizeConfig {
  bool upsample = false;  // Upsample op
  int opset = 0;
  std::vector<float> attr_scales;  // Upsample-7/8 `scales`
  ResizeOptions opt;
  double extrapolation = 0;
  std::vector<int64_t> axes;  // opset 18
  KeepAspect keep = KeepAspect::kStretch;
};

class ResizeKernel : public Kernel {
 public:
  explicit ResizeKernel(ResizeConfig cfg) : cfg_(std::move(cfg)) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const int r = x->rank();
    const Tensor* roi = nullptr;
    const Tensor* scales_t = nullptr;
    const Tensor* sizes_t = nullptr;
    std::vector<double> scales;
    if (cfg_.upsample && cfg_.opset < 9) {
      scales.assign(cfg_.attr_scales.begin(), cfg_.attr_scales.end());
    } else if (cfg_.upsample || cfg_.opset == 10) {
      scales_t = ctx.Input(1);
    } else {
      roi = ctx.Input(1);
      scales_t = ctx.Input(2);
      sizes_t = ctx.Input(3);
    }
    if (scales_t && scales_t->NumElements() == 0) scales_t = nullptr;
    if (sizes_t && sizes_t->NumElements() == 0) sizes_t = nullptr;
    if (scales_t && sizes_t) return ctx.Invalid("only one of scales and sizes may be given");
    if (scales_t) {
      if (!IsFloatingPoint(scales_t->dtype()) || scales_t->rank() != 1) {
        return ctx.Invalid("scales must be a 1-D float tensor, got " + scales_t->Description());
      }
      for (int64_t i = 0; i < scales_t->NumElements(); ++i) {
        scales.push_back(scales_t->GetAsDouble(i));
      }
    }
    std::vector<int64_t> sizes;
    if (sizes_t) {
      TRT_ASSIGN_OR_RETURN(sizes, tensor::ReadInt64s(ctx, *sizes_t, "input 'sizes'"));
    }
    if (scales.empty() && sizes.empty()) return ctx.Invalid("one of scales and sizes is required");

    std::vector<int64_t> axes_in = cfg_.axes;
    if (axes_in.empty()) {
      for (int d = 0; d < r; ++d) axes_in.push_back(d);
    }
    TRT_ASSIGN_OR_RETURN(std::vector<int> axes,
                         tensor::NormalizeAxes(ctx, axes_in, r, true, "axes"));
    const size_t n = axes.size();
    if ((!scales.empty() && scales.size() != n) || (!sizes.empty() && sizes.size() != n)) {
      return ctx.Invalid("scales/sizes must have " + std::to_string(n) + " entries for input " +
                         x->shape().ToString());
    }
    std::vector<AxisSpec> spec(r);
    for (int d = 0; d < r; ++d) spec[d].in = spec[d].out = x->shape()[d];
    if (!scales.empty()) {
      for (size_t i = 0; i < n; ++i) {
        if (!(scales[i] > 0) || !std::isfinite(scales[i])) {
          return ctx.Invalid("scales must be positive, got " + std::to_string(scales[i]));
        }
        AxisSpec& a = spec[axes[i]];
        a.scale = scales[i];
        const double out = std::floor(static_cast<double>(a.in) * scales[i]);
        if (out > static_cast<double>(kMaxTensorBytes)) return ctx.Invalid("output is too large");
        a.out = static_cast<int64_t>(out);
      }
    } else {
      for (size_t i = 0; i < n; ++i) {
        if (sizes[i] < 0) return ctx.Invalid("sizes has a negative entry");
      }
      double keep_scale = 0;
      if (cfg_.keep != KeepAspect::kStretch) {
        for (size_t i = 0; i < n; ++i) {
          if (x->shape()[axes[i]] == 0) {
            return ctx.Invalid("keep_aspect_ratio_policy needs non-empty axes, got " +
                               x->shape().ToString());
          }
          const double s = static_cast<double>(sizes[i]) / static_cast<double>(x->shape()[axes[i]]);
          keep_scale = i == 0                                ? s
                       : cfg_.keep == KeepAspect::kNotLarger ? std::min(keep_scale, s)
                                                             : std::max(keep_scale, s);
        }
      }
      for (size_t i = 0; i < n; ++i) {
        AxisSpec& a = spec[axes[i]];
        if (cfg_.keep != KeepAspect::kStretch) {
          a.scale = keep_scale;
          const double out = std::floor(keep_scale * static_cast<double>(a.in) + 0.5);
          if (out > static_cast<double>(kMaxTensorBytes)) return ctx.Invalid("output is too large");
          a.out = static_cast<int64_t>(out);
        } else {
          a.out = sizes[i];
          a.scale = static_cast<double>(sizes[i]) / static_cast<double>(a.in);
        }
      }
    }
    for (int d = 0; d < r; ++d) {
      if (spec[d].in == 0 && spec[d].out > 0) {
        return ctx.Invalid("cannot resize empty axis " + std::to_string(d) + " of " +
                           x->shape().ToString());
      }
    }
    if (cfg_.opt.coord == CoordMode::kTfCropAndResize) {
      if (!roi || roi->NumElements() != static_cast<int64_t>(2 * n)) {
        return ctx.Invalid("tf_crop_and_resize needs roi with " + std::to_string(2 * n) +
                           " entries");
      }
      for (size_t i = 0; i < n; ++i) {
        spec[axes[i]].roi_start = roi->GetAsDouble(i);
        spec[axes[i]].roi_end = roi->GetAsDouble(i + n);
      }
    }
    Shape out;
    for (int d = 0; d < r; ++d) out.push_back(spec[d].out);
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, x->dtype(), out));
    if (y->NumElements() == 0) return Status::Ok();
    std::vector<AxisTaps> taps(r);
    for (int d = 0; d < r; ++d) taps[d] = tensor::ComputeAxisTaps(cfg_.opt, spec[d]);
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) Interpolate<T>(*x, taps, cfg_.extrapolation, y);
    });
    return Status::Ok();
  }

 private:
  ResizeConfig cfg_;
};

template <typename E>
bool ParseEnum(const std::string& s, std::initializer_list<std::pair<const char*, E>> names,
               E* out) {
  for (const auto& [name, value] : names) {
    if (s == name) {
      *out = value;
      return true;
    }
  }
  return false;
}

StatusOr<KernelPtr> CreateResizeLike(const KernelInfo& info, bool upsample) {
  ResizeConfig cfg;
  cfg.upsample = upsample;
  cfg.opset = info.opset();
  const bool legacy = upsample || cfg.opset < 11;
  TRT_RETURN_IF_ERROR(tensor::RequireInputs(info, upsample && cfg.opset < 9 ? 1 : legacy ? 2 : 1));
  const std::string mode = info.GetString("mode", "nearest");
  if (!ParseEnum<ResizeMode>(mode,
                             {{"nearest", ResizeMode::kNearest},
                              {"linear", ResizeMode::kLinear},
                              {"bilinear", ResizeMode::kLinear},
                              {"cubic", ResizeMode::kCubic}},
                             &cfg.opt.mode) ||
      (legacy && cfg.opt.mode == ResizeMode::kCubic) || (!upsample && mode == "bilinear")) {
    return info.Invalid("unsupported mode '" + mode + "'");
  }
  if (upsample && cfg.opset < 9) {
    if (!info.HasAttr("scales")) return info.Invalid("missing attribute 'scales'");
    cfg.attr_scales = info.GetFloats("scales");
  }
  if (legacy) {
    cfg.opt.coord = CoordMode::kAsymmetric;
    cfg.opt.nearest = NearestMode::kSimple;
    return MakeKernel<ResizeKernel>(std::move(cfg));
  }
  const std::string coord = info.GetString("coordinate_transformation_mode", "half_pixel");
  if (!ParseEnum<CoordMode>(coord,
                            {{"half_pixel", CoordMode::kHalfPixel},
                             {"pytorch_half_pixel", CoordMode::kPytorchHalfPixel},
                             {"align_corners", CoordMode::kAlignCorners},
                             {"asymmetric", CoordMode::kAsymmetric},
                             {"tf_half_pixel_for_nn", CoordMode::kTfHalfPixelForNn},
                             {"tf_crop_and_resize", CoordMode::kTfCropAndResize}},
                            &cfg.opt.coord) ||
      (coord == "tf_half_pixel_for_nn" && cfg.opset >= 13)) {
    return info.Invalid("unsupported coordinate_transformation_mode '" + coord + "'");
  }
  const std::string nearest = info.GetString("nearest_mode", "round_prefer_floor");
  if (!ParseEnum<NearestMode>(nearest,
                              {{"round_prefer_floor", NearestMode::kRoundPreferFloor},
                               {"round_prefer_ceil", NearestMode::kRoundPreferCeil},
                               {"floor", NearestMode::kFloor},
                               {"ceil", NearestMode::kCeil}},
                              &cfg.opt.nearest)) {
    return info.Invalid("unsupported nearest_mode '" + nearest + "'");
  }
  cfg.opt.cubic_a = info.GetFloat("cubic_coeff_a", -0.75f);
  cfg.opt.exclude_outside = info.GetInt("exclude_outside", 0) != 0;
  cfg.extrapolation = info.GetFloat("extrapolation_value", 0.0f);
  if (cfg.opset >= 18) {
    cfg.opt.antialias = info.GetInt("antialias", 0) != 0;
    cfg.axes = info.GetInts("axes");
    const std::string keep = info.GetString("keep_aspect_ratio_policy", "stretch");
    if (!ParseEnum<KeepAspect>(keep,
                               {{"stretch", KeepAspect::kStretch},
                                {"not_larger", KeepAspect::kNotLarger},
                                {"not_smaller", KeepAspect::kNotSmaller}},
                               &cfg.keep)) {
      return info.Invalid("unsupported keep_aspect_ratio_policy '" + keep + "'");
    }
  }
  return MakeKernel<ResizeKernel>(std::move(cfg));
}

}  // namespace

StatusOr<KernelPtr> CreateResize(const KernelInfo& info) { return CreateResizeLike(info, false); }

StatusOr<KernelPtr> CreateUpsample(const KernelInfo& info) { return CreateResizeLike(info, true); }

}  // namespace trt::kernels
