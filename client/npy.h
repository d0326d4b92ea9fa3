// A small .npy (NumPy format 1.0 / 2.0 / 3.0) reader and writer for HostTensor.
//
// Why not engine/base/npy.h: the client links only the proto library (client -> proto), so
// it cannot use the engine's Tensor or its npy code; see client/README.md.
//
// Supported: C-order, little-endian (or single-byte) arrays of bool, int8..64, uint8..64,
// float16/32/64. A float32 array read for a BF16 input is converted by the caller
// (ConvertForInput); BF16 tensors are written as float32 (numpy has no bfloat16).
// Errors name the file and say what to do (e.g. np.ascontiguousarray, astype).
#pragma once

#include <string>
#include <string_view>

#include "client/host_tensor.h"
#include "client/status.h"

namespace trt::client {

// Parses .npy bytes; `what` names the source in errors (usually the path). The returned
// tensor has an empty name.
StatusOr<HostTensor> ParseNpy(std::string_view bytes, const std::string& what);
StatusOr<HostTensor> ReadNpy(const std::string& path);

// .npy bytes for `t` (numpy's own header layout: dict, space padding, 64-byte alignment).
// Fails for BYTES tensors.
StatusOr<std::string> SerializeNpy(const HostTensor& t);
Status WriteNpy(const std::string& path, const HostTensor& t);

// Returns `t` as `datatype` for input `input` of `model`: unchanged when the types match,
// FP32 -> BF16 converted; any other mismatch is an error naming model, input, expected and
// actual dtype with a numpy fix.
StatusOr<HostTensor> ConvertForInput(HostTensor t, const std::string& datatype,
                                     const std::string& model, const std::string& input);

// A file-name-safe form of a tensor name ('/', '\\', ':', ' ' -> '_'; empty -> "output").
std::string FileNameForTensor(const std::string& name);

}  // namespace trt::client
