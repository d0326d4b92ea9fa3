// DType: element types of tensors. The numeric values equal ONNX TensorProto.DataType so
// that import is a checked cast. Sizes are in bytes; kBool is stored as one byte (0 or 1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

#include "engine/base/float16.h"

namespace trt {

enum class DType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUInt8 = 2,
  kInt8 = 3,
  kUInt16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,  // not supported by kernels; named so errors can say so
  kBool = 9,
  kFloat16 = 10,
  kFloat64 = 11,
  kUInt32 = 12,
  kUInt64 = 13,
  kBFloat16 = 16,
};

// Size of one element in bytes; 0 for kUndefined and kString.
size_t DTypeSize(DType t);
// Lower-case ONNX-style name: "float32", "int64", "bool", ...
std::string_view DTypeName(DType t);
// True for the types tensors may hold (everything except kUndefined and kString).
bool IsSupportedDType(DType t);
bool IsFloatingPoint(DType t);  // f16, bf16, f32, f64
bool IsSignedInteger(DType t);
bool IsUnsignedInteger(DType t);
// Parses DTypeName() spellings plus numpy's ("float", "double", "half", "<f4", ...).
bool ParseDType(std::string_view name, DType* out);

template <typename T>
struct DTypeOf;
#define TRT_DTYPE_OF_(T, D)           \
  template <>                         \
  struct DTypeOf<T> {                 \
    static constexpr DType value = D; \
  }
TRT_DTYPE_OF_(float, DType::kFloat32);
TRT_DTYPE_OF_(double, DType::kFloat64);
TRT_DTYPE_OF_(Float16, DType::kFloat16);
TRT_DTYPE_OF_(BFloat16, DType::kBFloat16);
TRT_DTYPE_OF_(int8_t, DType::kInt8);
TRT_DTYPE_OF_(uint8_t, DType::kUInt8);
TRT_DTYPE_OF_(int16_t, DType::kInt16);
TRT_DTYPE_OF_(uint16_t, DType::kUInt16);
TRT_DTYPE_OF_(int32_t, DType::kInt32);
TRT_DTYPE_OF_(uint32_t, DType::kUInt32);
TRT_DTYPE_OF_(int64_t, DType::kInt64);
TRT_DTYPE_OF_(uint64_t, DType::kUInt64);
TRT_DTYPE_OF_(bool, DType::kBool);
#undef TRT_DTYPE_OF_
template <typename T>
inline constexpr DType kDTypeOf = DTypeOf<T>::value;

// Tag carrying a C++ element type through generic lambdas: f(TypeTag<float>{}).
template <typename T>
struct TypeTag {
  using type = T;
};

// Calls f(TypeTag<T>{}) for the C++ type of `t` and returns its result. `t` must satisfy
// IsSupportedDType(); callers check first (the default branch aborts).
template <typename F>
decltype(auto) VisitDType(DType t, F&& f) {
  switch (t) {
    case DType::kFloat32:
      return f(TypeTag<float>{});
    case DType::kFloat64:
      return f(TypeTag<double>{});
    case DType::kFloat16:
      return f(TypeTag<Float16>{});
    case DType::kBFloat16:
      return f(TypeTag<BFloat16>{});
    case DType::kInt8:
      return f(TypeTag<int8_t>{});
    case DType::kUInt8:
      return f(TypeTag<uint8_t>{});
    case DType::kInt16:
      return f(TypeTag<int16_t>{});
    case DType::kUInt16:
      return f(TypeTag<uint16_t>{});
    case DType::kInt32:
      return f(TypeTag<int32_t>{});
    case DType::kUInt32:
      return f(TypeTag<uint32_t>{});
    case DType::kInt64:
      return f(TypeTag<int64_t>{});
    case DType::kUInt64:
      return f(TypeTag<uint64_t>{});
    case DType::kBool:
      return f(TypeTag<bool>{});
    default:
      __builtin_trap();
  }
}

}  // namespace trt
