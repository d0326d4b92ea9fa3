#include "client/datatype.h"

#include <cmath>
#include <cstring>

namespace trt::client {
namespace {

constexpr DataTypeInfo kTypes[] = {
    {"BOOL", 1, "|b1", inference::TYPE_BOOL, false},
    {"UINT8", 1, "|u1", inference::TYPE_UINT8, false},
    {"UINT16", 2, "<u2", inference::TYPE_UINT16, false},
    {"UINT32", 4, "<u4", inference::TYPE_UINT32, false},
    {"UINT64", 8, "<u8", inference::TYPE_UINT64, false},
    {"INT8", 1, "|i1", inference::TYPE_INT8, false},
    {"INT16", 2, "<i2", inference::TYPE_INT16, false},
    {"INT32", 4, "<i4", inference::TYPE_INT32, false},
    {"INT64", 8, "<i8", inference::TYPE_INT64, false},
    {"FP16", 2, "<f2", inference::TYPE_FP16, true},
    {"FP32", 4, "<f4", inference::TYPE_FP32, true},
    {"FP64", 8, "<f8", inference::TYPE_FP64, true},
    {"BYTES", 0, "", inference::TYPE_STRING, false},
    {"BF16", 2, "", inference::TYPE_BF16, true},
};

uint32_t FloatBits(float f) {
  uint32_t x;
  std::memcpy(&x, &f, sizeof x);
  return x;
}

float BitsFloat(uint32_t x) {
  float f;
  std::memcpy(&f, &x, sizeof f);
  return f;
}

// Drops `shift` low bits of `value`, rounding to nearest even.
uint32_t ShiftRoundEven(uint32_t value, int shift) {
  if (shift >= 32) return 0;
  const uint32_t kept = value >> shift;
  const uint32_t rest = value & ((1u << shift) - 1);
  const uint32_t half = 1u << (shift - 1);
  return (rest > half || (rest == half && (kept & 1))) ? kept + 1 : kept;
}

}  // namespace

const DataTypeInfo* FindDataType(std::string_view name) {
  for (const DataTypeInfo& t : kTypes) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const DataTypeInfo* FindDataTypeByNpy(std::string_view descr) {
  if (descr.size() != 3) return nullptr;
  std::string d(descr);
  if (d[0] == '=') d[0] = '<';
  if (d[2] == '1' && d[0] == '<') d[0] = '|';
  for (const DataTypeInfo& t : kTypes) {
    if (!t.npy.empty() && t.npy == d) return &t;
  }
  return nullptr;
}

std::string_view DataTypeFromConfig(inference::DataType type) {
  for (const DataTypeInfo& t : kTypes) {
    if (t.type == type) return t.name;
  }
  return {};
}

std::string SupportedDataTypes() {
  std::string s;
  for (const DataTypeInfo& t : kTypes) {
    if (!s.empty()) s += ", ";
    s += t.name;
  }
  return s;
}

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1f;
  const uint32_t mant = h & 0x3ff;
  if (exp == 0) {
    const float v = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -v : v;
  }
  if (exp == 31) return BitsFloat(sign | 0x7f800000u | (mant << 13));
  return BitsFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}

uint16_t FloatToHalf(float f) {
  const uint32_t x = FloatBits(f);
  const uint32_t sign = (x >> 16) & 0x8000;
  const int exp = static_cast<int>((x >> 23) & 0xff);
  uint32_t mant = x & 0x7fffff;
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00 | (mant ? 0x200 : 0));
  const int e = exp - 127 + 15;
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00);
  if (e <= 0) {  // half subnormal (or zero): value = m * 2^-24
    if (e < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000;
    return static_cast<uint16_t>(sign | ShiftRoundEven(mant, 14 - e));
  }
  // A rounding carry out of the mantissa correctly bumps the exponent (up to infinity).
  const uint32_t magnitude = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rest = mant & 0x1fff;
  const bool up = rest > 0x1000 || (rest == 0x1000 && (magnitude & 1));
  return static_cast<uint16_t>(sign | (magnitude + (up ? 1 : 0)));
}

float Bf16ToFloat(uint16_t b) { return BitsFloat(static_cast<uint32_t>(b) << 16); }

uint16_t FloatToBf16(float f) {
  const uint32_t x = FloatBits(f);
  if (std::isnan(f)) return static_cast<uint16_t>((x >> 16) | 0x40);
  return static_cast<uint16_t>((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

}  // namespace trt::client
