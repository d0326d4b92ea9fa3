#include "client/host_tensor.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <random>

#include "client/datatype.h"

namespace trt::client {
namespace {

template <typename T>
T Load(const std::string& data, int64_t i) {
  T v;
  std::memcpy(&v, data.data() + i * sizeof(T), sizeof(T));
  return v;
}

template <typename T>
void Store(std::string* data, int64_t i, T v) {
  std::memcpy(data->data() + i * sizeof(T), &v, sizeof(T));
}

// Counts the elements of a BYTES tensor (4-byte little-endian length, then the bytes);
// -1 if the buffer is malformed.
int64_t CountBytesElements(const std::string& data) {
  int64_t count = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < 4) return -1;
    uint32_t len;
    std::memcpy(&len, data.data() + pos, 4);
    pos += 4;
    if (data.size() - pos < len) return -1;
    pos += len;
    ++count;
  }
  return count;
}

}  // namespace

int64_t NumElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t HostTensor::NumElements() const { return client::NumElements(shape); }

double HostTensor::GetAsDouble(int64_t i) const {
  const std::string& d = datatype;
  if (d == "FP32") return Load<float>(data, i);
  if (d == "FP64") return Load<double>(data, i);
  if (d == "FP16") return HalfToFloat(Load<uint16_t>(data, i));
  if (d == "BF16") return Bf16ToFloat(Load<uint16_t>(data, i));
  if (d == "INT8") return Load<int8_t>(data, i);
  if (d == "INT16") return Load<int16_t>(data, i);
  if (d == "INT32") return Load<int32_t>(data, i);
  if (d == "INT64") return static_cast<double>(Load<int64_t>(data, i));
  if (d == "UINT8" || d == "BOOL") return Load<uint8_t>(data, i);
  if (d == "UINT16") return Load<uint16_t>(data, i);
  if (d == "UINT32") return Load<uint32_t>(data, i);
  if (d == "UINT64") return static_cast<double>(Load<uint64_t>(data, i));
  return 0.0;
}

std::string ShapeToString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

StatusOr<std::vector<int64_t>> ParseDims(std::string_view text, const std::string& what) {
  std::vector<int64_t> dims;
  if (text.empty() || text == "scalar") return dims;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find_first_of("x,", pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = text.substr(pos, end - pos);
    int64_t v = -1;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || v < 0) {
      return InvalidArgumentError(what + ": '" + std::string(text) +
                                  "' is not a list of dims; write e.g. 1x3x224x224 or 1,3,224,224");
    }
    dims.push_back(v);
    pos = end + 1;
  }
  return dims;
}

Status CheckTensorSize(const HostTensor& t) {
  const DataTypeInfo* info = FindDataType(t.datatype);
  if (!info) {
    return InvalidArgumentError("tensor '" + t.name + "': unknown datatype '" + t.datatype +
                                "' (supported: " + SupportedDataTypes() + ")");
  }
  for (int64_t d : t.shape) {
    if (d < 0) {
      return InvalidArgumentError("tensor '" + t.name + "': shape " + ShapeToString(t.shape) +
                                  " has a negative dim");
    }
  }
  if (info->size == 0) {
    const int64_t n = CountBytesElements(t.data);
    if (n != t.NumElements()) {
      return InvalidArgumentError(
          "tensor '" + t.name + "' (BYTES, shape " + ShapeToString(t.shape) + "): expected " +
          std::to_string(t.NumElements()) + " length-prefixed elements, got " +
          (n < 0 ? std::string("a malformed buffer") : std::to_string(n)));
    }
    return Status::OK;
  }
  const uint64_t expected = static_cast<uint64_t>(t.NumElements()) * info->size;
  if (t.data.size() != expected) {
    return InvalidArgumentError("tensor '" + t.name + "' (" + t.datatype + ", shape " +
                                ShapeToString(t.shape) + "): expected " + std::to_string(expected) +
                                " bytes, got " + std::to_string(t.data.size()));
  }
  return Status::OK;
}

std::string Preview(const HostTensor& t, int max_values) {
  if (t.datatype == "BYTES") {
    return std::string("[").append(std::to_string(t.NumElements())).append(" strings]");
  }
  const DataTypeInfo* info = FindDataType(t.datatype);
  std::string s = "[";
  const int64_t n = std::min<int64_t>(t.NumElements(), max_values);
  for (int64_t i = 0; i < n; ++i) {
    if (i) s += ", ";
    const double v = t.GetAsDouble(i);
    if (info && info->floating) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", v);
      s += buf;
    } else if (t.datatype == "UINT64") {
      s += std::to_string(Load<uint64_t>(t.data, i));
    } else if (t.datatype == "INT64") {
      s += std::to_string(Load<int64_t>(t.data, i));
    } else {
      s += std::to_string(static_cast<int64_t>(v));
    }
  }
  if (t.NumElements() > n) s += ", ...";
  return s + "]";
}

std::vector<int64_t> ArgmaxPerRow(const HostTensor& t) {
  const DataTypeInfo* info = FindDataType(t.datatype);
  if (!info || !info->floating || t.shape.size() != 2 || t.shape[1] <= 1) return {};
  std::vector<int64_t> out;
  const int64_t cols = t.shape[1];
  for (int64_t r = 0; r < t.shape[0]; ++r) {
    int64_t best = 0;
    for (int64_t c = 1; c < cols; ++c) {
      if (t.GetAsDouble(r * cols + c) > t.GetAsDouble(r * cols + best)) best = c;
    }
    out.push_back(best);
  }
  return out;
}

StatusOr<HostTensor> MakeFilledTensor(const std::string& name, const std::string& datatype,
                                      const std::vector<int64_t>& shape, Fill fill, uint64_t seed) {
  const DataTypeInfo* info = FindDataType(datatype);
  if (!info) {
    return InvalidArgumentError("input '" + name + "': unknown datatype '" + datatype + "'");
  }
  if (info->size == 0) {
    return InvalidArgumentError("input '" + name +
                                "' is BYTES: random/zeros data is not generated for strings; "
                                "give the data in a JSON file (--input-data FILE.json)");
  }
  HostTensor t{name, datatype, shape, {}};
  const int64_t n = t.NumElements();
  t.data.assign(static_cast<size_t>(n) * info->size, '\0');
  if (fill == Fill::kZeros) return t;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::uniform_int_distribution<int> small(0, 9);
  for (int64_t i = 0; i < n; ++i) {
    switch (info->type) {
      case inference::TYPE_FP32:
        Store<float>(&t.data, i, unit(rng));
        break;
      case inference::TYPE_FP64:
        Store<double>(&t.data, i, unit(rng));
        break;
      case inference::TYPE_FP16:
        Store<uint16_t>(&t.data, i, FloatToHalf(unit(rng)));
        break;
      case inference::TYPE_BF16:
        Store<uint16_t>(&t.data, i, FloatToBf16(unit(rng)));
        break;
      case inference::TYPE_BOOL:
        Store<uint8_t>(&t.data, i, small(rng) & 1);
        break;
      default: {
        // Integers: small non-negative values fit every integer type; little-endian store.
        const uint64_t v = static_cast<uint64_t>(small(rng));
        std::memcpy(t.data.data() + i * info->size, &v, info->size);
      }
    }
  }
  return t;
}

}  // namespace trt::client
