#include "engine/base/dtype.h"

namespace trt {

size_t DTypeSize(DType t) {
  switch (t) {
    case DType::kFloat32:
    case DType::kInt32:
    case DType::kUInt32:
      return 4;
    case DType::kFloat64:
    case DType::kInt64:
    case DType::kUInt64:
      return 8;
    case DType::kFloat16:
    case DType::kBFloat16:
    case DType::kInt16:
    case DType::kUInt16:
      return 2;
    case DType::kInt8:
    case DType::kUInt8:
    case DType::kBool:
      return 1;
    default:
      return 0;
  }
}

std::string_view DTypeName(DType t) {
  switch (t) {
    case DType::kUndefined:
      return "undefined";
    case DType::kFloat32:
      return "float32";
    case DType::kUInt8:
      return "uint8";
    case DType::kInt8:
      return "int8";
    case DType::kUInt16:
      return "uint16";
    case DType::kInt16:
      return "int16";
    case DType::kInt32:
      return "int32";
    case DType::kInt64:
      return "int64";
    case DType::kString:
      return "string";
    case DType::kBool:
      return "bool";
    case DType::kFloat16:
      return "float16";
    case DType::kFloat64:
      return "float64";
    case DType::kUInt32:
      return "uint32";
    case DType::kUInt64:
      return "uint64";
    case DType::kBFloat16:
      return "bfloat16";
  }
  return "invalid";
}

bool IsSupportedDType(DType t) { return DTypeSize(t) != 0; }

bool IsFloatingPoint(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
         t == DType::kBFloat16;
}
bool IsSignedInteger(DType t) {
  return t == DType::kInt8 || t == DType::kInt16 || t == DType::kInt32 || t == DType::kInt64;
}
bool IsUnsignedInteger(DType t) {
  return t == DType::kUInt8 || t == DType::kUInt16 || t == DType::kUInt32 || t == DType::kUInt64;
}

bool ParseDType(std::string_view n, DType* out) {
  struct Alias {
    std::string_view name;
    DType t;
  };
  static constexpr Alias kAliases[] = {
      {"float32", DType::kFloat32},   {"float", DType::kFloat32},  {"fp32", DType::kFloat32},
      {"float64", DType::kFloat64},   {"double", DType::kFloat64}, {"fp64", DType::kFloat64},
      {"float16", DType::kFloat16},   {"half", DType::kFloat16},   {"fp16", DType::kFloat16},
      {"bfloat16", DType::kBFloat16}, {"bf16", DType::kBFloat16},  {"int8", DType::kInt8},
      {"uint8", DType::kUInt8},       {"int16", DType::kInt16},    {"uint16", DType::kUInt16},
      {"int32", DType::kInt32},       {"uint32", DType::kUInt32},  {"int64", DType::kInt64},
      {"uint64", DType::kUInt64},     {"bool", DType::kBool},
  };
  for (const auto& a : kAliases) {
    if (a.name == n) {
      *out = a.t;
      return true;
    }
  }
  return false;
}

}  // namespace trt
