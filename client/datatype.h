// The KServe v2 tensor datatypes the client understands: wire name ("FP32"), element size,
// the .npy descr that stores it, and the ModelConfig DataType enum value.
//
// This is the client's own table, not engine/base/dtype.h: the client links only the proto
// library (see client/README.md). BYTES has no fixed element size (size 0) and no .npy form;
// BF16 has no numpy dtype and is stored in .npy files as float32 (converted on read/write).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/model_config.pb.h"

namespace trt::client {

struct DataTypeInfo {
  std::string_view name;     // KServe wire name: "FP32", "INT64", "BOOL", ...
  size_t size;               // bytes per element; 0 for BYTES (variable length)
  std::string_view npy;      // .npy descr ("<f4", "|u1", ...); empty if none
  inference::DataType type;  // ModelConfig enum (TYPE_FP32, ...)
  bool floating;             // FP16, BF16, FP32, FP64
};

// nullptr for a name that is not a KServe datatype. Names are case-sensitive as on the wire.
const DataTypeInfo* FindDataType(std::string_view name);
// By .npy descr; '=' byte order is treated as '<' and "<i1"/"<u1"/"<b1" as "|..".
const DataTypeInfo* FindDataTypeByNpy(std::string_view descr);
// ModelConfig enum -> wire name ("TYPE_FP32" -> "FP32"); empty for TYPE_INVALID/unknown.
std::string_view DataTypeFromConfig(inference::DataType type);
// "BOOL, UINT8, ..., BF16" for error messages.
std::string SupportedDataTypes();

// IEEE half and bfloat16 conversions (round to nearest even on the way down).
float HalfToFloat(uint16_t h);
uint16_t FloatToHalf(float f);
float Bf16ToFloat(uint16_t b);
uint16_t FloatToBf16(float f);

}  // namespace trt::client
