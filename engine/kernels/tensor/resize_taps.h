// Per-axis sampling plan for Resize/Upsample: the separable building block.
//
// For one axis, ComputeAxisTaps() maps every output index to the source coordinate given by
// the coordinate transformation mode and to the interpolation taps around it: a list of
// (source index, weight) pairs. Source indices are clamped into [0, in) (edge padding) and
// zero-weight taps are dropped. An N-D output element is then the sum over the Cartesian
// product of its per-axis taps of (product of weights) * input value.
//
// The arithmetic follows the ONNX reference implementation (onnx/reference/ops/op_resize.py)
// in double precision: ratio in (0, 1] (a coordinate on a sample prefers the left
// neighbour), the n taps are the n nearest samples of the edge-padded axis, cubic uses
// Keys' kernel with coefficient A, and `exclude_outside` renormalizes after dropping taps
// outside the axis. tf_crop_and_resize marks output indices whose source coordinate falls
// outside the axis as `outside` (they take the extrapolation value).
#pragma once

#include <cstdint>
#include <vector>

namespace trt::kernels::tensor {

enum class ResizeMode { kNearest, kLinear, kCubic };

enum class CoordMode {
  kHalfPixel,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNn,
  kTfCropAndResize,
};

enum class NearestMode {
  kRoundPreferFloor,
  kRoundPreferCeil,
  kFloor,
  kCeil,
  // Opset-10 Resize and Upsample: floor when upsampling, ceil when downsampling.
  kSimple,
};

struct ResizeOptions {
  ResizeMode mode = ResizeMode::kNearest;
  CoordMode coord = CoordMode::kHalfPixel;
  NearestMode nearest = NearestMode::kRoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  bool antialias = false;  // widen linear/cubic filters by 1/scale when downsampling
};

struct AxisSpec {
  int64_t in = 1;                     // input size (> 0 when out > 0)
  int64_t out = 1;                    // output size
  double scale = 1;                   // output/input scale used by the coordinate transform
  double roi_start = 0, roi_end = 1;  // normalized crop box (tf_crop_and_resize only)
};

struct AxisTaps {
  std::vector<int64_t> first;  // out + 1 entries: taps of output o are [first[o], first[o+1])
  std::vector<int64_t> index;  // source index in [0, in)
  std::vector<double> weight;
  std::vector<bool> outside;  // per output index: use the extrapolation value
};

// Source coordinate of output index x (in input index units).
double SourceCoordinate(const ResizeOptions& opt, const AxisSpec& axis, int64_t x);

AxisTaps ComputeAxisTaps(const ResizeOptions& opt, const AxisSpec& axis);

}  // namespace trt::kernels::tensor
