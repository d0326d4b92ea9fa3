// Per-axis Resize sampling: coordinate transforms, nearest/linear/cubic coefficients (with
// the opset-18 antialias variants) and the neighbour window, as in the ONNX reference.
#include "engine/kernels/tensor/resize_taps.h"

#include <algorithm>
#include <cmath>

namespace trt::kernels::tensor {
namespace {

std::vector<double> NearestCoeffs(double ratio, NearestMode mode, double scale) {
  if (ratio == 1.0) return {0, 1};  // on a sample: take it
  switch (mode) {
    case NearestMode::kRoundPreferFloor:
      return {ratio <= 0.5 ? 1.0 : 0.0, ratio > 0.5 ? 1.0 : 0.0};
    case NearestMode::kRoundPreferCeil:
      return {ratio < 0.5 ? 1.0 : 0.0, ratio >= 0.5 ? 1.0 : 0.0};
    case NearestMode::kFloor:
      return {1, 0};
    case NearestMode::kCeil:
      return {0, 1};
    case NearestMode::kSimple:
      return scale < 1.0 ? std::vector<double>{0, 1} : std::vector<double>{1, 0};
  }
  return {1, 0};
}

double CubicKernel(double x, double a) {
  x = std::abs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

std::vector<double> CubicCoeffs(double r, double a) {
  return {CubicKernel(r + 1, a), CubicKernel(r, a), CubicKernel(1 - r, a), CubicKernel(2 - r, a)};
}

// Antialiased filters sample the kernel at (i - ratio) * scale for every integer i within
// the widened support, then normalize to sum 1.
std::vector<double> AntialiasCoeffs(double ratio, double scale, ResizeMode mode, double a) {
  scale = std::min(scale, 1.0);
  const double support = mode == ResizeMode::kCubic ? 2.0 : 1.0;
  const int64_t start = static_cast<int64_t>(std::floor(-support / scale)) + 1;
  const int64_t n = 2 - 2 * start;
  std::vector<double> c(n);
  double sum = 0;
  for (int64_t k = 0; k < n; ++k) {
    const double x = (static_cast<double>(start + k) - ratio) * scale;
    c[k] = mode == ResizeMode::kCubic ? CubicKernel(x, a) : std::clamp(1 - std::abs(x), 0.0, 1.0);
    sum += c[k];
  }
  for (double& v : c) v /= sum;
  return c;
}

}  // namespace

double SourceCoordinate(const ResizeOptions& opt, const AxisSpec& axis, int64_t x) {
  const double xd = static_cast<double>(x);
  const double in = static_cast<double>(axis.in);
  const double out_width = axis.scale * in;  // the reference uses the unrounded width
  switch (opt.coord) {
    case CoordMode::kHalfPixel:
      return (xd + 0.5) / axis.scale - 0.5;
    case CoordMode::kPytorchHalfPixel:
      return out_width == 1 ? -0.5 : (xd + 0.5) / axis.scale - 0.5;
    case CoordMode::kAlignCorners:
      return out_width == 1 ? 0.0 : xd * (in - 1) / (out_width - 1);
    case CoordMode::kAsymmetric:
      return xd / axis.scale;
    case CoordMode::kTfHalfPixelForNn:
      return (xd + 0.5) / axis.scale;
    case CoordMode::kTfCropAndResize: {
      const double roi = axis.roi_end - axis.roi_start;
      const double c = out_width == 1 ? roi * (in - 1) / 2 : xd * roi * (in - 1) / (out_width - 1);
      return c + axis.roi_start * (in - 1);
    }
  }
  return 0;
}

AxisTaps ComputeAxisTaps(const ResizeOptions& opt, const AxisSpec& axis) {
  AxisTaps t;
  t.first.push_back(0);
  t.outside.assign(axis.out, false);
  for (int64_t o = 0; o < axis.out; ++o) {
    const double x = SourceCoordinate(opt, axis, o);
    if (opt.coord == CoordMode::kTfCropAndResize &&
        (x < 0 || x > static_cast<double>(axis.in - 1))) {
      t.outside[o] = true;
      t.first.push_back(static_cast<int64_t>(t.index.size()));
      continue;
    }
    // base + ratio == x with ratio in (0, 1].
    const double fl = std::floor(x);
    const bool on_sample = x == fl;
    const int64_t base = static_cast<int64_t>(fl) - (on_sample ? 1 : 0);
    const double ratio = on_sample ? 1.0 : x - fl;
    std::vector<double> c;
    if (opt.mode == ResizeMode::kNearest) {
      c = NearestCoeffs(ratio, opt.nearest, axis.scale);
    } else if (opt.antialias && axis.scale < 1.0) {
      c = AntialiasCoeffs(ratio, axis.scale, opt.mode, opt.cubic_a);
    } else if (opt.mode == ResizeMode::kLinear) {
      c = {1 - ratio, ratio};
    } else {
      c = CubicCoeffs(ratio, opt.cubic_a);
    }
    // The n nearest samples of the axis edge-padded by n/2 on both sides.
    const int64_t n = static_cast<int64_t>(c.size());
    const int64_t pad = (n + 1) / 2;
    int64_t start = base - n / 2 + 1;
    start = std::max(start, -pad);
    start = std::min(start, axis.in + pad - n);
    if (opt.exclude_outside) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) {
        const int64_t i = start + k;
        if (i < 0 || i >= axis.in) c[k] = 0;
        sum += c[k];
      }
      for (double& v : c) v /= sum;
    }
    for (int64_t k = 0; k < n; ++k) {
      if (c[k] == 0) continue;
      t.index.push_back(std::clamp<int64_t>(start + k, 0, axis.in - 1));
      t.weight.push_back(c[k]);
    }
    t.first.push_back(static_cast<int64_t>(t.index.size()));
  }
  return t;
}

}  // namespace trt::kernels::tensor
