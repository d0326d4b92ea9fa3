// GridSample (ai.onnx 16): samples an [N, C, H, W] map at the normalized (x, y) positions of
// an [N, Ho, Wo, 2] grid with bilinear, nearest (round half to even) or bicubic (A = -0.75)
// interpolation and zeros/border/reflection padding, align_corners on or off. Computes in
// float (double for double), following the ONNX reference's coordinate handling.

#include <cmath>
#include <string>

#include "engine/kernels/kernel.h"

namespace trt::kernels {
namespace {

enum class Mode { kBilinear, kNearest, kBicubic };
enum class Padding { kZeros, kBorder, kReflection };

template <typename F>
F Reflect(F x, F lo, F hi) {
  const F range = hi - lo;
  if (x < lo) {
    const F d = lo - x;
    const int64_t n = static_cast<int64_t>(d / range);
    const F r = d - static_cast<F>(n) * range;
    return n % 2 == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const F d = x - hi;
    const int64_t n = static_cast<int64_t>(d / range);
    const F r = d - static_cast<F>(n) * range;
    return n % 2 == 0 ? hi - r : lo + r;
  }
  return x;
}

template <typename F>
void CubicCoeffs(F t, F* c) {
  const F a = F(-0.75);
  c[0] = ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a;
  c[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
  c[2] = ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1;
  c[3] = ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a;
}

class GridSampleKernel : public Kernel {
 public:
  GridSampleKernel(Mode mode, Padding padding, bool align_corners)
      : mode_(mode), padding_(padding), align_(align_corners) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* grid = ctx.Input(1);
    if (!x || !grid) return ctx.Invalid("inputs X and grid are required");
    if (x->rank() != 4) {
      return ctx.Invalid("input 0 (X) has shape " + x->shape().ToString() +
                         ", expected rank 4 [N, C, H, W]");
    }
    const Shape& gs = grid->shape();
    if (grid->dtype() != x->dtype() || gs.rank() != 4 || gs[0] != x->shape()[0] || gs[3] != 2) {
      return ctx.Invalid("input 1 (grid) is " + grid->Description() + ", expected " +
                         std::string(DTypeName(x->dtype())) + "[" + std::to_string(x->shape()[0]) +
                         ", H_out, W_out, 2]");
    }
    TRT_ASSIGN_OR_RETURN(
        Tensor * y,
        ctx.AllocateOutput(0, x->dtype(), {x->shape()[0], x->shape()[1], gs[1], gs[2]}));
    VisitDType(x->dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, Float16> ||
                    std::is_same_v<T, BFloat16>) {
        Run<T>(*x, *grid, y);
      }
    });
    return Status::Ok();
  }

 private:
  template <typename T>
  void Run(const Tensor& x, const Tensor& grid, Tensor* y) const {
    using F = std::conditional_t<std::is_same_v<T, double>, double, float>;
    const int64_t n_batch = x.shape()[0], channels = x.shape()[1];
    const int64_t h = x.shape()[2], w = x.shape()[3];
    const int64_t ho = grid.shape()[1], wo = grid.shape()[2];
    const T* xd = x.data<T>();
    const T* gd = grid.data<T>();
    T* yd = y->data<T>();
    // Valid coordinate range for border/reflection handling.
    const F x_lo = align_ ? F(0) : F(-0.5), x_hi = align_ ? F(w - 1) : F(w) - F(0.5);
    const F y_lo = align_ ? F(0) : F(-0.5), y_hi = align_ ? F(h - 1) : F(h) - F(0.5);
    for (int64_t n = 0; n < n_batch; ++n) {
      for (int64_t oy = 0; oy < ho; ++oy) {
        for (int64_t ox = 0; ox < wo; ++ox) {
          const T* g = gd + ((n * ho + oy) * wo + ox) * 2;
          F fx = Denormalize(static_cast<F>(g[0]), w);
          F fy = Denormalize(static_cast<F>(g[1]), h);
          if (fx < x_lo || fx > x_hi || fy < y_lo || fy > y_hi) {
            if (padding_ == Padding::kBorder) {
              fx = std::clamp(fx, F(0), F(w - 1));
              fy = std::clamp(fy, F(0), F(h - 1));
            } else if (padding_ == Padding::kReflection) {
              fx = Reflect(fx, x_lo, x_hi);
              fy = Reflect(fy, y_lo, y_hi);
            }
          }
          for (int64_t c = 0; c < channels; ++c) {
            const T* plane = xd + (n * channels + c) * h * w;
            auto px = [&](int64_t r, int64_t col) -> F {
              return Pixel<T, F>(plane, h, w, r, col, x_lo, x_hi, y_lo, y_hi);
            };
            F v = 0;
            if (mode_ == Mode::kNearest) {
              v = px(static_cast<int64_t>(std::nearbyint(fy)),
                     static_cast<int64_t>(std::nearbyint(fx)));
            } else if (mode_ == Mode::kBilinear) {
              const int64_t x0 = static_cast<int64_t>(std::floor(fx));
              const int64_t y0 = static_cast<int64_t>(std::floor(fy));
              const F dx1 = fx - x0, dx2 = x0 + 1 - fx, dy1 = fy - y0, dy2 = y0 + 1 - fy;
              v = dy2 * (dx2 * px(y0, x0) + dx1 * px(y0, x0 + 1)) +
                  dy1 * (dx2 * px(y0 + 1, x0) + dx1 * px(y0 + 1, x0 + 1));
            } else {
              const int64_t x0 = static_cast<int64_t>(std::floor(fx)) - 1;
              const int64_t y0 = static_cast<int64_t>(std::floor(fy)) - 1;
              F cx[4], cy[4];
              CubicCoeffs(fx - x0 - 1, cx);
              CubicCoeffs(fy - y0 - 1, cy);
              for (int i = 0; i < 4; ++i) {
                F row = 0;
                for (int j = 0; j < 4; ++j) row += cx[j] * px(y0 + i, x0 + j);
                v += cy[i] * row;
              }
            }
            yd[((n * channels + c) * ho + oy) * wo + ox] = static_cast<T>(v);
          }
        }
      }
    }
  }

  template <typename F>
  F Denormalize(F v, int64_t size) const {
    return align_ ? (v + 1) / 2 * F(size - 1) : ((v + 1) * F(size) - 1) / 2;
  }

  // Pixel (r, col) with the padding mode applied to out-of-range indices.
  template <typename T, typename F>
  F Pixel(const T* plane, int64_t h, int64_t w, int64_t r, int64_t col, F x_lo, F x_hi, F y_lo,
          F y_hi) const {
    switch (padding_) {
      case Padding::kZeros:
        if (r < 0 || r >= h || col < 0 || col >= w) return F(0);
        break;
      case Padding::kBorder:
        r = std::clamp<int64_t>(r, 0, h - 1);
        col = std::clamp<int64_t>(col, 0, w - 1);
        break;
      case Padding::kReflection:
        col = static_cast<int64_t>(Reflect(static_cast<F>(col), x_lo, x_hi));
        r = static_cast<int64_t>(Reflect(static_cast<F>(r), y_lo, y_hi));
        r = std::clamp<int64_t>(r, 0, h - 1);
        col = std::clamp<int64_t>(col, 0, w - 1);
        break;
    }
    return static_cast<F>(plane[r * w + col]);
  }

  Mode mode_;
  Padding padding_;
  bool align_;
};

}  // namespace

StatusOr<KernelPtr> CreateGridSample(const KernelInfo& info) {
  const std::string mode = info.GetString("mode", "bilinear");
  const std::string pad = info.GetString("padding_mode", "zeros");
  Mode m;
  if (mode == "bilinear" || mode == "linear") {
    m = Mode::kBilinear;
  } else if (mode == "nearest") {
    m = Mode::kNearest;
  } else if (mode == "bicubic" || mode == "cubic") {
    m = Mode::kBicubic;
  } else {
    return info.Invalid("attribute mode is '" + mode + "', expected bilinear, nearest or bicubic");
  }
  Padding p;
  if (pad == "zeros") {
    p = Padding::kZeros;
  } else if (pad == "border") {
    p = Padding::kBorder;
  } else if (pad == "reflection") {
    p = Padding::kReflection;
  } else {
    return info.Invalid("attribute padding_mode is '" + pad +
                        "', expected zeros, border or reflection");
  }
  return MakeKernel<GridSampleKernel>(m, p, info.GetInt("align_corners", 0) != 0);
}

}  // namespace trt::kernels
