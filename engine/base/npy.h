// NumPy .npy file format (versions 1.0, 2.0 and 3.0), C-order, little-endian.
//
// Supported element types: float32, float64, float16, int8/16/32/64, uint8/16/32/64, bool.
// Reading refuses, with a message saying what to do: Fortran-order arrays (save with
// np.ascontiguousarray), big-endian data, object/str dtypes, truncated files, and files whose
// data size does not match the header. Writing produces version 1.0 with the header padded
// so the data starts on a 64-byte boundary, as numpy does.
#pragma once

#include <string>

#include "engine/base/status.h"
#include "engine/base/tensor.h"

namespace trt {

StatusOr<Tensor> ReadNpy(const std::string& path);
StatusOr<Tensor> ParseNpy(const std::string& bytes, const std::string& what);
Status WriteNpy(const std::string& path, const Tensor& t);
std::string SerializeNpy(const Tensor& t);

// numpy dtype string for a DType ("<f4", "|b1", ...); "" if none.
std::string NpyDescr(DType t);

}  // namespace trt
