#include "engine/base/npy.h"

#include <cstring>
#include <fstream>
#include <iterator>

namespace trt {
namespace {

struct DescrEntry {
  const char* descr;
  DType dtype;
};
constexpr DescrEntry kDescrs[] = {
    {"<f4", DType::kFloat32}, {"<f8", DType::kFloat64}, {"<f2", DType::kFloat16},
    {"|i1", DType::kInt8},    {"<i2", DType::kInt16},   {"<i4", DType::kInt32},
    {"<i8", DType::kInt64},   {"|u1", DType::kUInt8},   {"<u2", DType::kUInt16},
    {"<u4", DType::kUInt32},  {"<u8", DType::kUInt64},  {"|b1", DType::kBool},
};

// Returns the text of the value after `'key':` in a numpy header dict, up to the next
// top-level comma (tuples kept whole).
bool HeaderValue(const std::string& h, const std::string& key, std::string* out) {
  const std::string k = "'" + key + "'";
  size_t p = h.find(k);
  if (p == std::string::npos) return false;
  p = h.find(':', p + k.size());
  if (p == std::string::npos) return false;
  ++p;
  while (p < h.size() && h[p] == ' ') ++p;
  int depth = 0;
  size_t e = p;
  for (; e < h.size(); ++e) {
    if (h[e] == '(') ++depth;
    if (h[e] == ')') --depth;
    if ((h[e] == ',' || h[e] == '}') && depth == 0) break;
  }
  *out = h.substr(p, e - p);
  while (!out->empty() && out->back() == ' ') out->pop_back();
  return true;
}

}  // namespace

std::string NpyDescr(DType t) {
  for (const auto& d : kDescrs) {
    if (d.dtype == t) return d.descr;
  }
  return "";
}

StatusOr<Tensor> ParseNpy(const std::string& bytes, const std::string& what) {
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0) {
    return InvalidArgument(what + " is not a .npy file (bad magic); save arrays with numpy.save");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len;
  size_t header_start;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) |
                 static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8;
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return InvalidArgument(what + ": truncated .npy header");
    header_len = 0;
    for (int i = 0; i < 4; ++i) {
      header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    }
    header_start = 12;
  } else {
    return InvalidArgument(what + ": unsupported .npy format version " + std::to_string(major));
  }
  if (header_start + header_len > bytes.size()) {
    return InvalidArgument(what + ": truncated .npy header");
  }
  const std::string header = bytes.substr(header_start, header_len);
  std::string descr, fortran, shape_text;
  if (!HeaderValue(header, "descr", &descr) || !HeaderValue(header, "fortran_order", &fortran) ||
      !HeaderValue(header, "shape", &shape_text)) {
    return InvalidArgument(what + ": malformed .npy header '" + header + "'");
  }
  if (descr.size() >= 2 && (descr.front() == '\'' || descr.front() == '"')) {
    descr = descr.substr(1, descr.size() - 2);
  }
  if (descr.size() == 3 && descr[0] == '=') descr[0] = '<';
  if (descr == "<i1" || descr == "<u1" || descr == "<b1") descr[0] = '|';
  DType dtype = DType::kUndefined;
  for (const auto& d : kDescrs) {
    if (descr == d.descr) dtype = d.dtype;
  }
  if (dtype == DType::kUndefined) {
    if (!descr.empty() && descr[0] == '>') {
      return InvalidArgument(
          what + ": big-endian .npy data ('" + descr +
          "') is not supported; convert with arr.astype(arr.dtype.newbyteorder('<'))");
    }
    return InvalidArgument(what + ": unsupported .npy dtype '" + descr +
                           "' (supported: float32/64/16, int8/16/32/64, uint8/16/32/64, bool)");
  }
  if (fortran.rfind("True", 0) == 0) {
    return InvalidArgument(what +
                           ": Fortran-order arrays are not supported; save with "
                           "numpy.save(path, numpy.ascontiguousarray(arr))");
  }
  Shape shape;
  size_t p = shape_text.find('(');
  size_t e = shape_text.find(')');
  if (p == std::string::npos || e == std::string::npos) {
    return InvalidArgument(what + ": malformed shape in .npy header");
  }
  std::string inner = shape_text.substr(p + 1, e - p - 1);
  size_t pos = 0;
  while (pos < inner.size()) {
    while (pos < inner.size() && (inner[pos] == ' ' || inner[pos] == ',')) ++pos;
    if (pos >= inner.size()) break;
    char* end = nullptr;
    long long v = std::strtoll(inner.c_str() + pos, &end, 10);
    if (end == inner.c_str() + pos || v < 0) {
      return InvalidArgument(what + ": malformed shape '" + shape_text + "' in .npy header");
    }
    shape.push_back(v);
    pos = static_cast<size_t>(end - inner.c_str());
  }
  auto t = Tensor::Allocate(dtype, shape);
  if (!t.ok()) return t.status().WithContext(what);
  const size_t data_start = header_start + header_len;
  const size_t need = t->nbytes();
  if (bytes.size() - data_start != need) {
    return InvalidArgument(what + ": .npy data has " + std::to_string(bytes.size() - data_start) +
                           " bytes but header " + std::string(DTypeName(dtype)) + shape.ToString() +
                           " needs " + std::to_string(need) + " (file truncated or corrupted)");
  }
  if (need > 0) std::memcpy(t->raw_data(), bytes.data() + data_start, need);
  return t;
}

StatusOr<Tensor> ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open .npy file '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseNpy(bytes, "'" + path + "'");
}

std::string SerializeNpy(const Tensor& t) {
  std::string shape = "(";
  for (int i = 0; i < t.rank(); ++i) {
    shape += std::to_string(t.shape()[i]);
    if (t.rank() == 1 || i + 1 < t.rank()) shape += ",";
    if (i + 1 < t.rank()) shape += " ";
  }
  shape += ")";
  std::string header =
      "{'descr': '" + NpyDescr(t.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so that magic(6)+version(2)+len(2)+header+'\n' is a multiple of 64.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>((header.size() >> 8) & 0xFF);
  out += header;
  out.append(static_cast<const char*>(t.raw_data()), t.nbytes());
  return out;
}

Status WriteNpy(const std::string& path, const Tensor& t) {
  if (NpyDescr(t.dtype()).empty()) {
    return InvalidArgument("cannot write dtype " + std::string(DTypeName(t.dtype())) + " to .npy");
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return NotFound("cannot create '" + path + "' (does the folder exist?)");
  const std::string bytes = SerializeNpy(t);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return Internal("writing '" + path + "' failed (disk full?)");
  return Status::Ok();
}

}  // namespace trt
