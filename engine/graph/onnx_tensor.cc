// TensorProto -> Tensor conversion, including external data.
#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "engine/graph/onnx_import.h"

namespace trt::graph {
namespace {

namespace fs = std::filesystem;

Status ReadExternal(const onnx::TensorProto& p, const ExternalDataSource& src,
                    const std::string& what, Tensor* t) {
  const std::string& base_dir = src.base_dir;
  std::string location;
  int64_t offset = 0;
  int64_t length = -1;
  for (const auto& kv : p.external_data()) {
    if (kv.key() == "location") location = kv.value();
    if (kv.key() == "offset") offset = std::atoll(kv.value().c_str());
    if (kv.key() == "length") length = std::atoll(kv.value().c_str());
  }
  if (location.empty()) {
    return InvalidArgument("tensor '" + what + "' uses external data without a location");
  }
  if (src.resolve) {
    auto r = src.resolve(location, offset, length, t->dtype(), t->shape());
    if (!r.ok()) return r.status().WithContext("tensor '" + what + "'");
    *t = std::move(r).value();
    return Status::Ok();
  }
  if (base_dir.empty()) {
    return InvalidArgument("tensor '" + what + "' uses external data file '" + location +
                           "' but the model was not loaded from a file");
  }
  fs::path rel(location);
  if (rel.is_absolute() || location.find("..") != std::string::npos) {
    return InvalidArgument("tensor '" + what + "': external data location '" + location +
                           "' must be a relative path inside the model folder");
  }
  fs::path full = fs::path(base_dir) / rel;
  std::ifstream in(full, std::ios::binary);
  if (!in) {
    return NotFound("tensor '" + what + "': external data file '" + full.string() +
                    "' not found (it must sit next to the .onnx file)");
  }
  in.seekg(0, std::ios::end);
  const int64_t file_size = in.tellg();
  const int64_t need = static_cast<int64_t>(t->nbytes());
  if (length >= 0 && length != need) {
    return InvalidArgument("tensor '" + what + "': external data length " + std::to_string(length) +
                           " does not match " + t->Description() + " (" + std::to_string(need) +
                           " bytes)");
  }
  if (offset < 0 || offset + need > file_size) {
    return DataLoss("tensor '" + what + "': external data file '" + full.string() + "' has " +
                    std::to_string(file_size) + " bytes, need " + std::to_string(need) +
                    " at offset " + std::to_string(offset) + " (truncated?)");
  }
  in.seekg(offset);
  in.read(static_cast<char*>(t->raw_data()), need);
  if (!in) return DataLoss("tensor '" + what + "': reading external data failed");
  return Status::Ok();
}

template <typename Dst, typename Field>
Status CopyTyped(const Field& field, int64_t n, const std::string& what, Tensor* t) {
  if (static_cast<int64_t>(field.size()) != n) {
    return InvalidArgument("tensor '" + what + "' has " + std::to_string(field.size()) +
                           " values, expected " + std::to_string(n) + " for " + t->Description());
  }
  Dst* d = t->data<Dst>();
  for (int64_t i = 0; i < n; ++i) d[i] = static_cast<Dst>(field[static_cast<int>(i)]);
  return Status::Ok();
}

}  // namespace

StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& p, const ExternalDataSource& external,
                                 const std::string& what) {
  const DType dtype = static_cast<DType>(p.data_type());
  if (p.data_type() == onnx::TensorProto::STRING) {
    return Unimplemented("tensor '" + what + "' has dtype string, which is not supported");
  }
  if (!IsSupportedDType(dtype)) {
    return Unimplemented("tensor '" + what + "' has unsupported ONNX data_type " +
                         std::to_string(p.data_type()));
  }
  if (p.has_segment()) {
    return Unimplemented("tensor '" + what + "' is segmented, which is not supported");
  }
  Shape shape;
  for (int64_t d : p.dims()) {
    if (d < 0) {
      return InvalidArgument("tensor '" + what + "' has negative dimension " + std::to_string(d));
    }
    shape.push_back(d);
  }
  if (p.data_location() == onnx::TensorProto::EXTERNAL && external.resolve) {
    Tensor t = Tensor::Wrap(dtype, shape, nullptr, nullptr);  // replaced by the resolver
    TRT_RETURN_IF_ERROR(ReadExternal(p, external, what, &t));
    return t;
  }
  TRT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape));
  const int64_t n = t.NumElements();
  if (p.data_location() == onnx::TensorProto::EXTERNAL) {
    TRT_RETURN_IF_ERROR(ReadExternal(p, external, what, &t));
    return t;
  }
  if (p.has_raw_data()) {
    if (p.raw_data().size() != t.nbytes()) {
      return InvalidArgument("tensor '" + what + "' raw_data has " +
                             std::to_string(p.raw_data().size()) + " bytes, expected " +
                             std::to_string(t.nbytes()) + " for " + t.Description());
    }
    if (t.nbytes() > 0) std::memcpy(t.raw_data(), p.raw_data().data(), t.nbytes());
    if (dtype == DType::kBool) {  // normalize to 0/1
      auto* b = static_cast<uint8_t*>(t.raw_data());
      for (int64_t i = 0; i < n; ++i) b[i] = b[i] != 0;
    }
    return t;
  }
  Status s;
  switch (dtype) {
    case DType::kFloat32:
      s = CopyTyped<float>(p.float_data(), n, what, &t);
      break;
    case DType::kFloat64:
      s = CopyTyped<double>(p.double_data(), n, what, &t);
      break;
    case DType::kInt64:
      s = CopyTyped<int64_t>(p.int64_data(), n, what, &t);
      break;
    case DType::kUInt64:
      s = CopyTyped<uint64_t>(p.uint64_data(), n, what, &t);
      break;
    case DType::kUInt32:
      s = CopyTyped<uint32_t>(p.uint64_data(), n, what, &t);
      break;
    case DType::kInt32:
      s = CopyTyped<int32_t>(p.int32_data(), n, what, &t);
      break;
    case DType::kInt16:
      s = CopyTyped<int16_t>(p.int32_data(), n, what, &t);
      break;
    case DType::kUInt16:
      s = CopyTyped<uint16_t>(p.int32_data(), n, what, &t);
      break;
    case DType::kInt8:
      s = CopyTyped<int8_t>(p.int32_data(), n, what, &t);
      break;
    case DType::kUInt8:
      s = CopyTyped<uint8_t>(p.int32_data(), n, what, &t);
      break;
    case DType::kBool:
      s = CopyTyped<bool>(p.int32_data(), n, what, &t);
      break;
    case DType::kFloat16:
    case DType::kBFloat16:  // stored as raw 16-bit patterns in int32_data
      s = CopyTyped<uint16_t>(p.int32_data(), n, what, &t);
      break;
    default:
      s = Unimplemented("tensor '" + what + "': unsupported dtype");
  }
  TRT_RETURN_IF_ERROR(s);
  return t;
}

StatusOr<Tensor> LoadTensorProtoFile(const std::string& path, std::string* name) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open tensor file '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  onnx::TensorProto p;
  if (!p.ParseFromString(bytes)) {
    return DataLoss("'" + path + "' is not a valid serialized ONNX TensorProto");
  }
  if (name) *name = p.name();
  return TensorFromProto(p, fs::path(path).parent_path().string(),
                         p.name().empty() ? path : p.name());
}

}  // namespace trt::graph
