// HostTensor: one named tensor in client memory, in exactly the byte layout of KServe's
// raw_input_contents / raw_output_contents (row-major, little-endian, no padding), so that
// building a request or saving a response is a copy of `data`.
//
// Also the small helpers the commands share: dims parsing ("1x3x224x224"), shape printing,
// value previews, argmax per row, and zero/random fills.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/status.h"

namespace trt::client {

struct HostTensor {
  std::string name;
  std::string datatype;        // KServe wire name ("FP32"); see client/datatype.h
  std::vector<int64_t> shape;  // concrete dims (no -1)
  std::string data;            // NumElements() * element size bytes (BYTES: length-prefixed)

  int64_t NumElements() const;
  // Element i as a double (numeric types, FP16/BF16 included). Precondition: i in range and
  // datatype numeric (not BYTES).
  double GetAsDouble(int64_t i) const;
};

// Product of dims (1 for a scalar). Dims must be >= 0.
int64_t NumElements(const std::vector<int64_t>& shape);
// "[16, 10]"; -1 prints as -1.
std::string ShapeToString(const std::vector<int64_t>& shape);

// Parses "1x3x224x224" or "1,3,224,224" (or "" / "scalar" for a scalar). Each dim must be a
// non-negative integer. `what` names the option in errors ("--shape input").
StatusOr<std::vector<int64_t>> ParseDims(std::string_view text, const std::string& what);

// Checks that `t.data` has the size its datatype and shape imply; the error names the tensor.
Status CheckTensorSize(const HostTensor& t);

// "[0.1, 0.2, ..., 0.5]": the first `max_values` elements (%.6g for floats).
std::string Preview(const HostTensor& t, int max_values = 6);

// For a rank-2 [N, C] floating tensor with C > 1: the index of the largest value per row.
// Empty for any other tensor.
std::vector<int64_t> ArgmaxPerRow(const HostTensor& t);

enum class Fill { kZeros, kRandom };
// A tensor of `shape` filled with zeros, or with random values from `seed` (floats uniform in
// [0, 1), integers uniform in [0, 10), BOOL 0/1). BYTES is rejected with a message saying to
// supply data from a file.
StatusOr<HostTensor> MakeFilledTensor(const std::string& name, const std::string& datatype,
                                      const std::vector<int64_t>& shape, Fill fill, uint64_t seed);

}  // namespace trt::client
