// Shared rounding, saturation and (re)quantization helpers of the quantized op family.
//
// Rounding spec (bit-exactness contract, matches the ONNX reference implementation):
// - Rounding is round-half-to-even, done with std::nearbyint under the default
//   floating-point rounding mode (FE_TONEAREST); nothing here changes the mode.
// - QuantizeLinear: q = saturate(nearbyint(x / scale) + zero_point), with x / scale
//   computed in float32 (one IEEE division, not a multiply by the reciprocal), the zero
//   point added after rounding, then clamped to the range of the output type. NaN maps to 0.
// - DequantizeLinear: y = float(int32(q) - int32(zero_point)) * scale in float32.
// - Requantization of an int32 accumulator (QLinearConv, QLinearMatMul):
//   q = saturate(nearbyint(double(acc) * double(multiplier)) + zero_point) where
//   multiplier = float32(float32(in_scale * w_scale) / out_scale). The product is taken in
//   double, as numpy does for int32 * float32, so it is exact for every int32 accumulator.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace trt::kernels::quant {

// Round half to even (see the rounding spec above).
inline double RoundHalfEven(double v) { return std::nearbyint(v); }
inline float RoundHalfEven(float v) { return std::nearbyint(v); }

// Clamps v to the range of Q and converts; NaN gives 0.
template <typename Q, typename F>
inline Q Saturate(F v) {
  if (std::isnan(v)) return Q(0);
  const F lo = static_cast<F>(std::numeric_limits<Q>::lowest());
  const F hi = static_cast<F>(std::numeric_limits<Q>::max());
  return static_cast<Q>(std::clamp(v, lo, hi));
}

// Integer saturation (int32/int64 to a narrower type).
template <typename Q>
inline Q SaturateInt(int64_t v) {
  return static_cast<Q>(
      std::clamp<int64_t>(v, std::numeric_limits<Q>::lowest(), std::numeric_limits<Q>::max()));
}

// QuantizeLinear of one value: saturate(round(x / scale) + zero_point).
template <typename Q>
inline Q QuantizeValue(float x, float scale, int32_t zero_point) {
  const float r = RoundHalfEven(x / scale);
  return Saturate<Q>(r + static_cast<float>(zero_point));
}

// DequantizeLinear of one value.
inline float DequantizeValue(int32_t q, int32_t zero_point, float scale) {
  return static_cast<float>(q - zero_point) * scale;
}

// Requantization multiplier of an int32 accumulator: in_scale * w_scale / out_scale.
inline float RequantMultiplier(float in_scale, float w_scale, float out_scale) {
  return (in_scale * w_scale) / out_scale;
}

// Requantizes an int32 accumulator (see the rounding spec above).
template <typename Q>
inline Q Requantize(int32_t acc, float multiplier, int32_t zero_point) {
  const double r = RoundHalfEven(static_cast<double>(acc) * static_cast<double>(multiplier));
  return Saturate<Q>(r + static_cast<double>(zero_point));
}

}  // namespace trt::kernels::quant
