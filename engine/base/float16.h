// IEEE half (Float16) and bfloat16 (BFloat16) storage types.
//
// Both are 16-bit storage wrappers; arithmetic is done in float. Conversions are exact
// where the format allows and round-to-nearest-even otherwise (NaN stays NaN, overflow
// to +-inf), matching numpy and the ONNX reference. Baseline x86-64 code: no F16C here.
#pragma once

#include <cstdint>
#include <cstring>

namespace trt {

float HalfBitsToFloat(uint16_t h);
uint16_t FloatToHalfBits(float f);

inline float BFloat16BitsToFloat(uint16_t b) {
  uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
uint16_t FloatToBFloat16Bits(float f);

struct Float16 {
  uint16_t bits = 0;
  Float16() = default;
  explicit Float16(float f) : bits(FloatToHalfBits(f)) {}
  static Float16 FromBits(uint16_t b) {
    Float16 h;
    h.bits = b;
    return h;
  }
  operator float() const { return HalfBitsToFloat(bits); }  // NOLINT(google-explicit-constructor)
};

struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  explicit BFloat16(float f) : bits(FloatToBFloat16Bits(f)) {}
  static BFloat16 FromBits(uint16_t b) {
    BFloat16 h;
    h.bits = b;
    return h;
  }
  operator float() const { return BFloat16BitsToFloat(bits); }  // NOLINT
};

static_assert(sizeof(Float16) == 2 && sizeof(BFloat16) == 2);

}  // namespace trt
