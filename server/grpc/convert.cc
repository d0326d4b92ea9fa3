#include "server/grpc/convert.h"

#include <cstring>
#include <set>
#include <type_traits>
#include <utility>

namespace trt::server {
namespace {

using inference::InferParameter;
using inference::InferTensorContents;
using inference::ModelInferRequest;

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// "FP32 [1, 1, 8, 8]"
std::string TypeAndShape(DType dtype, const Shape& shape) {
  return std::string(KServeDatatype(dtype)) + " " + shape.ToString();
}

std::string ParamTypeName(const InferParameter& p) {
  switch (p.parameter_choice_case()) {
    case InferParameter::kBoolParam:
      return "bool";
    case InferParameter::kInt64Param:
      return "int64";
    case InferParameter::kStringParam:
      return "string";
    case InferParameter::kDoubleParam:
      return "double";
    case InferParameter::kUint64Param:
      return "uint64";
    default:
      return "unset";
  }
}

// priority / timeout: a non-negative integer given as int64 or uint64.
StatusOr<uint64_t> NonNegativeParam(const std::string& prefix, const std::string& key,
                                    const InferParameter& p) {
  if (p.parameter_choice_case() == InferParameter::kUint64Param) return p.uint64_param();
  if (p.parameter_choice_case() == InferParameter::kInt64Param) {
    if (p.int64_param() < 0) {
      return InvalidArgument(prefix + "request parameter '" + key + "' must be >= 0, got " +
                             std::to_string(p.int64_param()));
    }
    return static_cast<uint64_t>(p.int64_param());
  }
  return InvalidArgument(prefix + "request parameter '" + key +
                         "' must be an int64 or uint64 parameter, got " + ParamTypeName(p));
}

Status ParseRequestParameters(const ModelInferRequest& m, const std::string& prefix,
                              InferRequest* req) {
  for (const auto& [key, value] : m.parameters()) {
    if (key == "priority") {
      TRT_ASSIGN_OR_RETURN(req->priority, NonNegativeParam(prefix, key, value));
    } else if (key == "timeout") {
      TRT_ASSIGN_OR_RETURN(req->timeout_us, NonNegativeParam(prefix, key, value));
    } else if (key == "sequence_id" || key == "sequence_start" || key == "sequence_end") {
      return InvalidArgument(prefix + "request parameter '" + key +
                             "': trtserve has no sequence batching; send stateless requests "
                             "without sequence_id/sequence_start/sequence_end");
    }
  }
  return Status::Ok();
}

// One typed `contents` field: its proto name and how many values it holds.
struct ContentsField {
  const char* name;
  int size;
};

std::vector<ContentsField> ContentsFields(const InferTensorContents& c) {
  return {
      {"bool_contents", c.bool_contents_size()},     {"int_contents", c.int_contents_size()},
      {"int64_contents", c.int64_contents_size()},   {"uint_contents", c.uint_contents_size()},
      {"uint64_contents", c.uint64_contents_size()}, {"fp32_contents", c.fp32_contents_size()},
      {"fp64_contents", c.fp64_contents_size()},     {"bytes_contents", c.bytes_contents_size()}};
}

// The `contents` field that holds values of `dtype` (nullptr for FP16/BF16, which have none).
const char* ContentsFieldFor(DType dtype) {
  switch (dtype) {
    case DType::kBool:
      return "bool_contents";
    case DType::kInt8:
    case DType::kInt16:
    case DType::kInt32:
      return "int_contents";
    case DType::kInt64:
      return "int64_contents";
    case DType::kUInt8:
    case DType::kUInt16:
    case DType::kUInt32:
      return "uint_contents";
    case DType::kUInt64:
      return "uint64_contents";
    case DType::kFloat32:
      return "fp32_contents";
    case DType::kFloat64:
      return "fp64_contents";
    default:
      return nullptr;
  }
}

// Copies `src` into `t` (element type T), checking the count and, for narrower integer
// types, that every value fits.
template <typename T, typename Src>
Status CopyContents(const google::protobuf::RepeatedField<Src>& src, const std::string& where,
                    const char* field, Tensor* t) {
  if (src.size() != t->NumElements()) {
    return InvalidArgument(
        where + "expected " + std::to_string(t->NumElements()) + " values in contents." + field +
        " for " + TypeAndShape(t->dtype(), t->shape()) + ", got " + std::to_string(src.size()));
  }
  T* dst = t->data<T>();
  for (int i = 0; i < src.size(); ++i) {
    const Src v = src.Get(i);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, Src>) {
      if (!std::in_range<T>(v)) {
        return InvalidArgument(where + "contents." + field + "[" + std::to_string(i) +
                               "] = " + std::to_string(v) + " is outside the range of " +
                               std::string(KServeDatatype(t->dtype())));
      }
    }
    dst[i] = static_cast<T>(v);
  }
  return Status::Ok();
}

Status FillFromContents(const InferTensorContents& c, const std::string& where, Tensor* t) {
  const char* want = ContentsFieldFor(t->dtype());
  const std::string type_name(KServeDatatype(t->dtype()));
  if (want == nullptr) {
    return InvalidArgument(where + "datatype " + type_name +
                           " has no typed contents field in KServe v2; send its little-endian "
                           "bytes in raw_input_contents instead");
  }
  for (const ContentsField& f : ContentsFields(c)) {
    if (f.size > 0 && std::strcmp(f.name, want) != 0) {
      return InvalidArgument(where + "contents." + f.name + " is set, but datatype " + type_name +
                             " takes its values from contents." + want);
    }
  }
  switch (t->dtype()) {
    case DType::kBool:
      return CopyContents<bool>(c.bool_contents(), where, want, t);
    case DType::kInt8:
      return CopyContents<int8_t>(c.int_contents(), where, want, t);
    case DType::kInt16:
      return CopyContents<int16_t>(c.int_contents(), where, want, t);
    case DType::kInt32:
      return CopyContents<int32_t>(c.int_contents(), where, want, t);
    case DType::kInt64:
      return CopyContents<int64_t>(c.int64_contents(), where, want, t);
    case DType::kUInt8:
      return CopyContents<uint8_t>(c.uint_contents(), where, want, t);
    case DType::kUInt16:
      return CopyContents<uint16_t>(c.uint_contents(), where, want, t);
    case DType::kUInt32:
      return CopyContents<uint32_t>(c.uint_contents(), where, want, t);
    case DType::kUInt64:
      return CopyContents<uint64_t>(c.uint64_contents(), where, want, t);
    case DType::kFloat32:
      return CopyContents<float>(c.fp32_contents(), where, want, t);
    case DType::kFloat64:
      return CopyContents<double>(c.fp64_contents(), where, want, t);
    default:
      return Internal(where + "no contents reader for " + type_name);
  }
}

constexpr std::string_view kKnownDatatypes =
    "BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, FP32, FP64, BF16";

// Datatype string -> DType, accepting exactly the KServe spellings.
StatusOr<DType> ParseDatatype(const std::string& where, const std::string& datatype) {
  if (datatype == "BYTES") {
    return InvalidArgument(where +
                           "datatype BYTES (strings) is not supported: trtserve models "
                           "take numeric tensors (" +
                           std::string(kKnownDatatypes) + ")");
  }
  std::optional<DType> dtype = DTypeFromKServe(datatype);
  if (!dtype || KServeDatatype(*dtype) != datatype) {
    return InvalidArgument(where + "unknown datatype '" + datatype + "'; expected one of " +
                           std::string(kKnownDatatypes));
  }
  return *dtype;
}

StatusOr<Shape> ParseShape(const std::string& where,
                           const google::protobuf::RepeatedField<int64_t>& dims) {
  Shape shape{std::span<const int64_t>(dims.data(), dims.size())};
  for (int64_t d : dims) {
    if (d < 0) {
      return InvalidArgument(where + "shape " + shape.ToString() +
                             " has a negative dimension; every dim of a request tensor must be "
                             ">= 0");
    }
  }
  return shape;
}

StatusOr<Tensor> ConvertInput(const std::shared_ptr<const ModelInferRequest>& message, int index,
                              const std::string& prefix) {
  const auto& in = message->inputs(index);
  const std::string where = prefix + "input " + Quote(in.name()) + ": ";
  for (const auto& [key, value] : in.parameters()) {
    if (key == "shared_memory_region" || key == "shared_memory_byte_size" ||
        key == "shared_memory_offset") {
      return InvalidArgument(where + "parameter '" + key +
                             "': trtserve does not implement the shared-memory extension; send "
                             "the tensor in raw_input_contents");
    }
  }
  TRT_ASSIGN_OR_RETURN(DType dtype, ParseDatatype(where, in.datatype()));
  TRT_ASSIGN_OR_RETURN(Shape shape, ParseShape(where, in.shape()));
  int64_t nbytes = 0;
  if (Status s = CheckShapeSize(dtype, shape, &nbytes); !s.ok()) {
    return InvalidArgument(where + s.message());
  }
  const bool raw = message->raw_input_contents_size() > 0;
  if (raw) {
    if (in.has_contents()) {
      return InvalidArgument(where +
                             "has typed contents while the request also uses raw_input_contents; "
                             "send every input one way: all raw, or all typed contents");
    }
    const std::string& bytes = message->raw_input_contents(index);
    if (static_cast<int64_t>(bytes.size()) != nbytes) {
      return InvalidArgument(where + "expected " + std::to_string(nbytes) + " bytes for " +
                             TypeAndShape(dtype, shape) + ", got " + std::to_string(bytes.size()));
    }
    return TensorFromBytes(dtype, shape, bytes, message);
  }
  TRT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, shape));
  if (in.has_contents()) {
    TRT_RETURN_IF_ERROR(FillFromContents(in.contents(), where, &t));
  } else if (nbytes > 0) {
    return InvalidArgument(where + "has no data: expected " + std::to_string(nbytes) +
                           " bytes for " + TypeAndShape(dtype, shape) +
                           " in raw_input_contents or typed values in contents");
  }
  return t;
}

Status ConvertRequestedOutputs(const ModelInferRequest& m, const std::string& prefix,
                               InferRequest* req) {
  std::set<std::string> seen;
  for (int i = 0; i < m.outputs_size(); ++i) {
    const auto& out = m.outputs(i);
    if (out.name().empty()) {
      return InvalidArgument(prefix + "requested output #" + std::to_string(i) + " has no name");
    }
    if (!seen.insert(out.name()).second) {
      return InvalidArgument(prefix + "output " + Quote(out.name()) + " is requested twice");
    }
    for (const auto& [key, value] : out.parameters()) {
      if (key == "classification" || key.rfind("shared_memory_", 0) == 0) {
        return InvalidArgument(prefix + "output " + Quote(out.name()) + ": parameter '" + key +
                               "' is not supported (trtserve returns every output as a raw "
                               "tensor in raw_output_contents)");
      }
    }
    req->requested_outputs.push_back(out.name());
  }
  return Status::Ok();
}

void ToProtoDuration(const DurationStat& d, inference::StatisticDuration* out) {
  out->set_count(d.count);
  out->set_ns(d.ns);
}

void ToProtoTensorConfig(const TensorConfig& t, inference::ModelInput* out) {
  out->set_name(t.name);
  out->set_data_type(ToProtoDataType(t.dtype));
  out->set_format(inference::ModelInput::FORMAT_NONE);
  for (int64_t d : t.dims) out->add_dims(d);
}

void ToProtoQueuePolicy(const QueuePolicy& p, uint32_t model_cap,
                        inference::ModelQueuePolicy* out) {
  out->set_timeout_action(p.timeout_action == QueuePolicy::TimeoutAction::kDelay
                              ? inference::ModelQueuePolicy::DELAY
                              : inference::ModelQueuePolicy::REJECT);
  out->set_default_timeout_microseconds(p.timeout_us);
  out->set_allow_timeout_override(p.allow_timeout_override);
  // The effective cap of the level: its own cap, bounded by the model-wide one.
  uint32_t cap = model_cap;
  if (p.max_queue_size > 0 && (cap == 0 || p.max_queue_size < cap)) cap = p.max_queue_size;
  out->set_max_queue_size(cap);
}

void AddMetadataTensor(
    const TensorConfig& t, bool batched,
    google::protobuf::RepeatedPtrField<inference::ModelMetadataResponse::TensorMetadata>* out) {
  auto* m = out->Add();
  m->set_name(t.name);
  m->set_datatype(std::string(KServeDatatype(t.dtype)));
  if (batched) m->add_shape(-1);
  for (int64_t d : t.dims) m->add_shape(d);
}

}  // namespace

::grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return ::grpc::Status::OK;
  return ::grpc::Status(static_cast<::grpc::StatusCode>(status.code()), status.message());
}

Status FromGrpcStatus(const ::grpc::Status& status) {
  if (status.ok()) return Status::Ok();
  return Status(static_cast<StatusCode>(status.error_code()), status.error_message());
}

Tensor TensorFromBytes(DType dtype, const Shape& shape, std::string_view bytes,
                       std::shared_ptr<const void> owner) {
  const auto address = reinterpret_cast<uintptr_t>(bytes.data());
  if (address % DTypeSize(dtype) == 0) {
    return Tensor::Wrap(dtype, shape, const_cast<char*>(bytes.data()),
                        std::const_pointer_cast<void>(std::move(owner)));
  }
  Tensor t(dtype, shape);  // the caller checked the size, so this cannot fail
  if (!bytes.empty()) std::memcpy(t.raw_data(), bytes.data(), bytes.size());
  return t;
}

StatusOr<std::unique_ptr<InferRequest>> InferRequestFromProto(
    std::shared_ptr<const ModelInferRequest> message) {
  const ModelInferRequest& m = *message;
  if (m.model_name().empty()) {
    return InvalidArgument(
        "the request has no model_name; set it to one of the models listed "
        "by RepositoryIndex");
  }
  const std::string prefix = "model " + Quote(m.model_name()) + ": ";
  auto req = std::make_unique<InferRequest>();
  req->model_name = m.model_name();
  req->id = m.id();
  TRT_RETURN_IF_ERROR(ParseRequestParameters(m, prefix, req.get()));
  if (m.raw_input_contents_size() > 0 && m.raw_input_contents_size() != m.inputs_size()) {
    return InvalidArgument(prefix + "the request has " +
                           std::to_string(m.raw_input_contents_size()) +
                           " raw_input_contents entries for " + std::to_string(m.inputs_size()) +
                           " inputs; send exactly one entry per input, in the order of `inputs`");
  }
  std::set<std::string> seen;
  for (int i = 0; i < m.inputs_size(); ++i) {
    const std::string& name = m.inputs(i).name();
    if (name.empty()) {
      return InvalidArgument(prefix + "input #" + std::to_string(i) + " has no name");
    }
    if (!seen.insert(name).second) {
      return InvalidArgument(prefix + "input " + Quote(name) +
                             " appears twice in the request; send each input once");
    }
    TRT_ASSIGN_OR_RETURN(Tensor t, ConvertInput(message, i, prefix));
    req->inputs.emplace_back(name, std::move(t));
  }
  TRT_RETURN_IF_ERROR(ConvertRequestedOutputs(m, prefix, req.get()));
  return req;
}

void InferResponseToProto(const InferResponse& response, inference::ModelInferResponse* out) {
  out->set_model_name(response.model_name);
  out->set_model_version(std::to_string(response.model_version));
  out->set_id(response.id);
  for (const auto& [name, t] : response.outputs) {
    auto* o = out->add_outputs();
    o->set_name(name);
    o->set_datatype(std::string(KServeDatatype(t.dtype())));
    for (int64_t d : t.shape()) o->add_shape(d);
    out->add_raw_output_contents()->assign(static_cast<const char*>(t.raw_data()), t.nbytes());
  }
}

void StreamErrorToProto(const Status& status, const std::string& model_name,
                        const std::string& model_version, const std::string& id,
                        inference::ModelStreamInferResponse* out) {
  out->set_error_message(status.ToString());
  auto* r = out->mutable_infer_response();
  r->set_model_name(model_name);
  r->set_model_version(model_version);
  r->set_id(id);
}

inference::DataType ToProtoDataType(DType dtype) {
  switch (dtype) {
    case DType::kBool:
      return inference::TYPE_BOOL;
    case DType::kUInt8:
      return inference::TYPE_UINT8;
    case DType::kUInt16:
      return inference::TYPE_UINT16;
    case DType::kUInt32:
      return inference::TYPE_UINT32;
    case DType::kUInt64:
      return inference::TYPE_UINT64;
    case DType::kInt8:
      return inference::TYPE_INT8;
    case DType::kInt16:
      return inference::TYPE_INT16;
    case DType::kInt32:
      return inference::TYPE_INT32;
    case DType::kInt64:
      return inference::TYPE_INT64;
    case DType::kFloat16:
      return inference::TYPE_FP16;
    case DType::kFloat32:
      return inference::TYPE_FP32;
    case DType::kFloat64:
      return inference::TYPE_FP64;
    case DType::kBFloat16:
      return inference::TYPE_BF16;
    default:
      return inference::TYPE_INVALID;
  }
}

void ModelConfigToProto(const ModelConfig& config, inference::ModelConfig* out) {
  out->set_name(config.name);
  out->set_platform(std::string(kPlatform));
  out->set_backend(std::string(kBackend));
  out->set_max_batch_size(static_cast<int32_t>(config.max_batch_size));
  for (const TensorConfig& t : config.inputs) ToProtoTensorConfig(t, out->add_input());
  for (const TensorConfig& t : config.outputs) {
    auto* o = out->add_output();
    o->set_name(t.name);
    o->set_data_type(ToProtoDataType(t.dtype));
    for (int64_t d : t.dims) o->add_dims(d);
  }
  auto* group = out->add_instance_group();
  group->set_name(config.name);
  group->set_count(config.instance_count);
  group->set_kind(inference::ModelInstanceGroup::KIND_CPU);
  for (const auto& p : config.profiles) group->add_profile(p.name);
  if (config.max_batch_size <= 0) return;
  const DynamicBatchingConfig& db = config.dynamic_batching;
  auto* b = out->mutable_dynamic_batching();
  for (int64_t s : db.preferred_batch_sizes) b->add_preferred_batch_size(static_cast<int32_t>(s));
  b->set_max_queue_delay_microseconds(db.max_queue_delay_us);
  b->set_preserve_ordering(db.preserve_ordering);
  b->set_priority_levels(db.priority_levels);
  b->set_default_priority_level(db.default_priority_level);
  ToProtoQueuePolicy(db.default_queue_policy, db.max_queue_size, b->mutable_default_queue_policy());
  for (const auto& [level, policy] : db.priority_queue_policy) {
    ToProtoQueuePolicy(policy, db.max_queue_size, &(*b->mutable_priority_queue_policy())[level]);
  }
}

void ModelMetadataToProto(const ModelConfig& config, const std::vector<int64_t>& versions,
                          inference::ModelMetadataResponse* out) {
  out->set_name(config.name);
  for (int64_t v : versions) out->add_versions(std::to_string(v));
  out->set_platform(std::string(kPlatform));
  const bool batched = config.max_batch_size > 0;
  for (const TensorConfig& t : config.inputs) AddMetadataTensor(t, batched, out->mutable_inputs());
  for (const TensorConfig& t : config.outputs) {
    AddMetadataTensor(t, batched, out->mutable_outputs());
  }
}

void ModelStatsToProto(const ModelStatsSnapshot& s, inference::ModelStatistics* out) {
  out->set_name(s.model);
  out->set_version(std::to_string(s.version));
  out->set_last_inference(s.last_inference_ms);
  out->set_inference_count(s.inference_count);
  out->set_execution_count(s.execution_count);
  auto* st = out->mutable_inference_stats();
  ToProtoDuration(s.success, st->mutable_success());
  ToProtoDuration(s.fail, st->mutable_fail());
  ToProtoDuration(s.queue, st->mutable_queue());
  ToProtoDuration(s.compute_input, st->mutable_compute_input());
  ToProtoDuration(s.compute_infer, st->mutable_compute_infer());
  ToProtoDuration(s.compute_output, st->mutable_compute_output());
  st->mutable_cache_hit();
  st->mutable_cache_miss();
  for (const auto& [size, b] : s.batch_stats) {
    auto* bs = out->add_batch_stats();
    bs->set_batch_size(static_cast<uint64_t>(size));
    ToProtoDuration({b.count, b.input_ns}, bs->mutable_compute_input());
    ToProtoDuration({b.count, b.infer_ns}, bs->mutable_compute_infer());
    ToProtoDuration({b.count, b.output_ns}, bs->mutable_compute_output());
  }
}

void ModelIndexToProto(const std::vector<ModelIndexEntry>& entries,
                       inference::RepositoryIndexResponse* out) {
  for (const ModelIndexEntry& e : entries) {
    auto* m = out->add_models();
    m->set_name(e.name);
    m->set_version(e.version);
    m->set_state(e.state);
    m->set_reason(e.reason);
  }
}

}  // namespace trt::server
