#include "client/npy.h"

#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "client/datatype.h"

namespace trt::client {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

// The value text of `key` in a header dict like "{'descr': '<f4', 'shape': (2, 3), }".
bool HeaderValue(std::string_view header, std::string_view key, std::string* value) {
  for (char quote : {'\'', '"'}) {
    std::string pattern(1, quote);
    pattern.append(key);
    pattern += quote;
    size_t pos = header.find(pattern);
    if (pos == std::string_view::npos) continue;
    pos = header.find(':', pos + pattern.size());
    if (pos == std::string_view::npos) return false;
    ++pos;
    while (pos < header.size() && header[pos] == ' ') ++pos;
    size_t end;
    if (pos < header.size() && header[pos] == '(') {
      end = header.find(')', pos);
      if (end == std::string_view::npos) return false;
      ++end;
    } else if (pos < header.size() && (header[pos] == '\'' || header[pos] == '"')) {
      end = header.find(header[pos], pos + 1);
      if (end == std::string_view::npos) return false;
      ++end;
    } else {
      end = header.find_first_of(",}", pos);
      if (end == std::string_view::npos) return false;
    }
    *value = std::string(header.substr(pos, end - pos));
    return true;
  }
  return false;
}

// "(16, 1, 8, 8)", "(5,)", "()" -> dims.
bool ParseShapeTuple(std::string_view text, std::vector<int64_t>* dims) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return false;
  text = text.substr(1, text.size() - 2);
  size_t pos = 0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos == text.size()) break;
    size_t end = text.find(',', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(pos, end - pos);
    while (!part.empty() && (part.back() == ' ' || part.back() == 'L')) part.remove_suffix(1);
    int64_t v = -1;
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || ptr != part.data() + part.size() || v < 0) return false;
    dims->push_back(v);
    pos = end + 1;
  }
  return true;
}

}  // namespace

StatusOr<HostTensor> ParseNpy(std::string_view bytes, const std::string& what) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != std::string_view(kMagic, 6)) {
    return InvalidArgumentError(what +
                                " is not a .npy file (bad magic); save arrays with "
                                "numpy.save");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) |
                 (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return InvalidArgumentError(what + ": truncated .npy header");
    for (int i = 0; i < 4; ++i) {
      header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    }
    header_start = 12;
  } else {
    return InvalidArgumentError(what + ": unsupported .npy format version " +
                                std::to_string(major));
  }
  if (bytes.size() < header_start + header_len) {
    return InvalidArgumentError(what + ": truncated .npy header");
  }
  const std::string_view header = bytes.substr(header_start, header_len);
  std::string descr, fortran, shape_text;
  if (!HeaderValue(header, "descr", &descr) || !HeaderValue(header, "fortran_order", &fortran) ||
      !HeaderValue(header, "shape", &shape_text)) {
    return InvalidArgumentError(what + ": malformed .npy header '" + std::string(header) + "'");
  }
  if (descr.size() >= 2) descr = descr.substr(1, descr.size() - 2);
  const DataTypeInfo* info = FindDataTypeByNpy(descr);
  if (!info) {
    if (!descr.empty() && descr[0] == '>') {
      return InvalidArgumentError(what + ": big-endian .npy data ('" + descr +
                                  "'); convert with arr.astype(arr.dtype.newbyteorder('<'))");
    }
    return InvalidArgumentError(what + ": unsupported .npy dtype '" + descr +
                                "' (supported: bool, int8/16/32/64, uint8/16/32/64, "
                                "float16/32/64)");
  }
  if (fortran.rfind("True", 0) == 0) {
    return InvalidArgumentError(what + ": Fortran-ordered array; save np.ascontiguousarray(arr)");
  }
  HostTensor t;
  t.datatype = std::string(info->name);
  if (!ParseShapeTuple(shape_text, &t.shape)) {
    return InvalidArgumentError(what + ": bad shape '" + shape_text + "' in the .npy header");
  }
  const size_t data_start = header_start + header_len;
  const uint64_t expected = static_cast<uint64_t>(t.NumElements()) * info->size;
  if (bytes.size() - data_start != expected) {
    return InvalidArgumentError(what + ": holds " + std::to_string(bytes.size() - data_start) +
                                " data bytes, but shape " + ShapeToString(t.shape) + " of " +
                                t.datatype + " needs " + std::to_string(expected));
  }
  t.data = std::string(bytes.substr(data_start));
  return t;
}

StatusOr<HostTensor> ReadNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError("cannot open '" + path + "': " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseNpy(ss.str(), path);
}

StatusOr<std::string> SerializeNpy(const HostTensor& t) {
  TRTC_RETURN_IF_ERROR(CheckTensorSize(t));
  const HostTensor* src = &t;
  HostTensor widened;
  if (t.datatype == "BF16") {  // numpy has no bfloat16: store float32 values
    widened = HostTensor{t.name, "FP32", t.shape, {}};
    widened.data.resize(static_cast<size_t>(t.NumElements()) * 4);
    for (int64_t i = 0; i < t.NumElements(); ++i) {
      const float f = static_cast<float>(t.GetAsDouble(i));
      std::memcpy(widened.data.data() + i * 4, &f, 4);
    }
    src = &widened;
  }
  const DataTypeInfo* info = FindDataType(src->datatype);
  if (!info || info->npy.empty()) {
    return InvalidArgumentError("tensor '" + t.name + "' (" + t.datatype +
                                ") has no .npy representation");
  }
  std::string shape = "(";
  for (size_t i = 0; i < src->shape.size(); ++i) {
    shape += std::to_string(src->shape[i]);
    shape += (src->shape.size() == 1) ? "," : (i + 1 < src->shape.size() ? ", " : "");
  }
  shape += ")";
  std::string header = "{'descr': '" + std::string(info->npy) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // numpy pads with spaces so that magic + version + length + header + '\n' is 64-aligned.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, 6);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out += src->data;
  return out;
}

Status WriteNpy(const std::string& path, const HostTensor& t) {
  TRTC_ASSIGN_OR_RETURN(const std::string bytes, SerializeNpy(t));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return InvalidArgumentError("cannot write '" + path + "': " + std::strerror(errno));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return InternalError("write to '" + path + "' failed: " + std::strerror(errno));
  return Status::OK;
}

StatusOr<HostTensor> ConvertForInput(HostTensor t, const std::string& datatype,
                                     const std::string& model, const std::string& input) {
  if (t.datatype == datatype) return t;
  if (t.datatype == "FP32" && datatype == "BF16") {
    std::string bf(static_cast<size_t>(t.NumElements()) * 2, '\0');
    for (int64_t i = 0; i < t.NumElements(); ++i) {
      const uint16_t b = FloatToBf16(static_cast<float>(t.GetAsDouble(i)));
      std::memcpy(bf.data() + i * 2, &b, 2);
    }
    t.data = std::move(bf);
    t.datatype = "BF16";
    return t;
  }
  const DataTypeInfo* want = FindDataType(datatype);
  std::string numpy_name = "the model's dtype";
  if (want && !want->npy.empty()) numpy_name = std::string("'").append(want->npy).append("'");
  return InvalidArgumentError("model '" + model + "' input '" + input + "' expects " + datatype +
                              " but the data is " + t.datatype + "; convert it, e.g. " +
                              "np.save(path, arr.astype(" + numpy_name + "))");
}

std::string FileNameForTensor(const std::string& name) {
  std::string s = name;
  for (char& c : s) {
    if (c == '/' || c == '\\' || c == ':' || c == ' ') c = '_';
  }
  return s.empty() ? "output" : s;
}

}  // namespace trt::client
