// The op registry: ONE table mapping (domain, op_type, opset range, dtype) to a kernel
// factory. The table lives in registry.cc and is assembled from one entry list per op
// family (<family>/entries.inc), so adding an op is one line in its family's list plus its
// implementation; there is no static-initializer self-registration.
//
// Opset ranges are in terms of the MODEL's opset for the node's domain (inclusive). When a
// new opset changes an op's semantics, split its entry: end the old one at N-1 and add a new
// entry from N (for example Softmax: [1, 12] coerces to 2-D; [13, max] normalizes one axis).
//
// The dtype constraint applies to the element type of input `type_input` (usually 0, the
// "T" constraint in the ONNX schema); -1 means the entry accepts any dtype.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/dtype.h"
#include "engine/base/status.h"
#include "engine/kernels/kernel.h"

namespace trt::kernels {

inline constexpr int kMaxOpset = 1000;

using DTypeSet = uint32_t;
constexpr DTypeSet DTypeBit(DType t) { return DTypeSet{1} << static_cast<int>(t); }
inline constexpr DTypeSet kF32 = DTypeBit(DType::kFloat32);
inline constexpr DTypeSet kFloatTypes = DTypeBit(DType::kFloat32) | DTypeBit(DType::kFloat64) |
                                        DTypeBit(DType::kFloat16) | DTypeBit(DType::kBFloat16);
inline constexpr DTypeSet kSignedIntTypes = DTypeBit(DType::kInt8) | DTypeBit(DType::kInt16) |
                                            DTypeBit(DType::kInt32) | DTypeBit(DType::kInt64);
inline constexpr DTypeSet kUnsignedIntTypes = DTypeBit(DType::kUInt8) | DTypeBit(DType::kUInt16) |
                                              DTypeBit(DType::kUInt32) | DTypeBit(DType::kUInt64);
inline constexpr DTypeSet kIntTypes = kSignedIntTypes | kUnsignedIntTypes;
inline constexpr DTypeSet kNumericTypes = kFloatTypes | kIntTypes;
inline constexpr DTypeSet kSignedNumericTypes = kFloatTypes | kSignedIntTypes;
inline constexpr DTypeSet kBoolType = DTypeBit(DType::kBool);
inline constexpr DTypeSet kAllTypes = kNumericTypes | kBoolType;
inline constexpr DTypeSet kInt8Types = DTypeBit(DType::kInt8) | DTypeBit(DType::kUInt8);

struct KernelEntry {
  const char* domain;  // "" = ai.onnx
  const char* op_type;
  int since_opset;  // inclusive
  int until_opset;  // inclusive; kMaxOpset = open-ended
  DTypeSet dtypes;  // accepted dtypes of input `type_input`
  int type_input;   // -1: no dtype constraint
  KernelFactory factory;
  const char* name;  // kernel name recorded in plans, e.g. "ref"
};

// The whole table (for tests and `inspect`).
const std::vector<KernelEntry>& AllKernelEntries();

// Finds the entry for a node. `dtype` is the element type of the constrained input
// (kUndefined skips the dtype check). Errors:
//   UNIMPLEMENTED "unsupported op 'Foo' (domain 'ai.onnx', opset 13)"
//   UNIMPLEMENTED "op 'Softmax' has no kernel for opset 9; supported opsets: 1-12, 13+"
//   UNIMPLEMENTED "op 'Relu' has no kernel for input 0 dtype int8; supported: float32, ..."
StatusOr<const KernelEntry*> LookupKernel(std::string_view domain, std::string_view op_type,
                                          int opset, DType dtype);
// True if any entry exists for (domain, op_type) at any opset.
bool IsOpKnown(std::string_view domain, std::string_view op_type);

// Creates the kernel for `node`, using the IR dtype of the constrained input. Factories may
// return optimized variants up to `isa`; `kernel_name` receives the kernel's Name() when it
// has one (e.g. "f32_gemm_14x32__avx512"), else the entry's name. `prepacked` (may be null)
// hands the kernel weights it packed when the plan was built. Errors name the node.
StatusOr<KernelPtr> CreateKernel(const graph::Node& node, std::string* kernel_name = nullptr,
                                 Isa isa = ActiveIsa(),
                                 const PrepackedWeights* prepacked = nullptr);

std::string DTypeSetToString(DTypeSet set);

}  // namespace trt::kernels
