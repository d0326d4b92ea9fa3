// Element conversions shared by Cast/CastLike and mixed-type ops (Pow with an integer base).
//
// ConvertElement<TO>(v) follows numpy/ONNX where they are defined and never invokes UB:
// - float -> integer truncates toward zero and saturates to TO's range; NaN becomes 0.
//   (A C cast of an out-of-range float is UB; numpy returns an implementation value.)
// - integer -> integer wraps modulo 2^bits (defined since C++20), as numpy's astype.
// - anything -> bool is `v != 0` (NaN is true); bool -> number is 0 or 1.
// - -> Float16/BFloat16 rounds to nearest even once: double and 64-bit integer sources go
//   through float with round-to-odd, which makes the second rounding exact (no double
//   rounding; float has 13 more mantissa bits than half needs).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "engine/base/float16.h"

namespace trt::kernels::elementwise {

template <typename T>
inline constexpr bool kIs16BitFloat = std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>;

// double -> float rounding to odd: truncate toward zero, then set the lowest mantissa bit if
// the result is inexact. NaN stays NaN; magnitudes beyond FLT_MAX become FLT_MAX (odd), which
// every narrower format then rounds to infinity.
inline float DoubleToFloatRoundToOdd(double d) {
  float f = static_cast<float>(d);
  if (std::isnan(d) || std::isinf(d)) return f;
  if (std::fabs(static_cast<double>(f)) > std::fabs(d)) f = std::nextafter(f, 0.0f);
  if (static_cast<double>(f) != d) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    bits |= 1u;
    std::memcpy(&f, &bits, sizeof f);
  }
  return f;
}

// Truncates toward zero and clamps into TO's range; NaN -> 0.
template <typename TO>
TO SaturateToInt(double d) {
  static_assert(std::is_integral_v<TO> && !std::is_same_v<TO, bool>);
  if (std::isnan(d)) return TO(0);
  constexpr double kMin = static_cast<double>(std::numeric_limits<TO>::min());
  // For 64-bit types max() rounds up to 2^63 / 2^64 as a double, so `>=` catches all
  // values that do not fit.
  constexpr double kMax = static_cast<double>(std::numeric_limits<TO>::max());
  if (d <= kMin) return std::numeric_limits<TO>::min();
  if (d >= kMax) return std::numeric_limits<TO>::max();
  return static_cast<TO>(d);  // in range: the conversion truncates toward zero
}

template <typename TO, typename TI>
TO ConvertElement(TI v) {
  if constexpr (std::is_same_v<TO, TI>) {
    return v;
  } else if constexpr (kIs16BitFloat<TI>) {
    return ConvertElement<TO>(static_cast<float>(v));
  } else if constexpr (std::is_same_v<TO, bool>) {
    return v != TI(0);
  } else if constexpr (kIs16BitFloat<TO>) {
    if constexpr (std::is_same_v<TI, double> || sizeof(TI) == 8) {
      return TO(DoubleToFloatRoundToOdd(static_cast<double>(v)));
    } else {
      return TO(static_cast<float>(v));
    }
  } else if constexpr (std::is_integral_v<TO> && std::is_floating_point_v<TI>) {
    return SaturateToInt<TO>(static_cast<double>(v));
  } else {
    return static_cast<TO>(v);
  }
}

}  // namespace trt::kernels::elementwise
