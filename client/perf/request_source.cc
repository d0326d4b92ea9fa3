#include "client/perf/request_source.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "client/datatype.h"
#include "client/npy.h"

namespace trt::client {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string InputList(const ModelInfo& model) {
  std::string s;
  for (const auto& t : model.inputs) s += (s.empty() ? "" : ", ") + t.name;
  return s;
}

void Flatten(const json& v, std::vector<const json*>* out) {
  if (v.is_array()) {
    for (const json& e : v) Flatten(e, out);
  } else {
    out->push_back(&v);
  }
}

template <typename T>
void Put(std::string* data, size_t i, T v) {
  std::memcpy(data->data() + i * sizeof(T), &v, sizeof(T));
}

// JSON values (numbers, booleans, or strings for BYTES) -> raw bytes of `datatype`.
StatusOr<std::string> JsonToBytes(const std::vector<const json*>& values,
                                  const std::string& datatype, const std::string& what) {
  const DataTypeInfo* info = FindDataType(datatype);
  if (!info) return InvalidArgumentError(what + ": unknown datatype '" + datatype + "'");
  std::string data;
  if (info->size == 0) {  // BYTES: 4-byte length prefix + bytes per element
    for (const json* v : values) {
      if (!v->is_string()) return InvalidArgumentError(what + ": BYTES values must be strings");
      const std::string s = v->get<std::string>();
      const uint32_t len = static_cast<uint32_t>(s.size());
      data.append(reinterpret_cast<const char*>(&len), 4);
      data += s;
    }
    return data;
  }
  data.assign(values.size() * info->size, '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    const json& v = *values[i];
    if (!v.is_number() && !v.is_boolean()) {
      return InvalidArgumentError(what + ": value " + std::to_string(i) + " (" + v.dump() +
                                  ") is not a number");
    }
    const double d = v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>();
    switch (info->type) {
      case inference::TYPE_FP32:
        Put<float>(&data, i, static_cast<float>(d));
        break;
      case inference::TYPE_FP64:
        Put<double>(&data, i, d);
        break;
      case inference::TYPE_FP16:
        Put<uint16_t>(&data, i, FloatToHalf(static_cast<float>(d)));
        break;
      case inference::TYPE_BF16:
        Put<uint16_t>(&data, i, FloatToBf16(static_cast<float>(d)));
        break;
      case inference::TYPE_BOOL:
        Put<uint8_t>(&data, i, d != 0.0);
        break;
      case inference::TYPE_UINT64:
        Put<uint64_t>(&data, i,
                      v.is_number_unsigned() ? v.get<uint64_t>() : static_cast<uint64_t>(d));
        break;
      default: {
        const int64_t x = v.is_number_integer() ? v.get<int64_t>() : static_cast<int64_t>(d);
        std::memcpy(data.data() + i * info->size, &x, info->size);  // little-endian truncation
      }
    }
  }
  return data;
}

}  // namespace

RequestSource::RequestSource(const ModelInfo& model, const PerfOptions& options)
    : model_(model), options_(options), rng_(options.seed) {}

StatusOr<std::unique_ptr<RequestSource>> RequestSource::Create(const ModelInfo& model,
                                                               const PerfOptions& options) {
  std::unique_ptr<RequestSource> source(new RequestSource(model, options));
  for (const auto& [name, dims] : options.shapes) {
    if (!model.FindInput(name)) {
      return InvalidArgumentError("--shape " + name + ": model '" + model.name +
                                  "' has no input '" + name + "' (inputs: " + InputList(model) +
                                  ")");
    }
  }
  const std::string& data = options.input_data;
  Status s;
  if (data == "random" || data == "zeros") {
    s = source->InitGenerated();
  } else if (!options.shape_ranges.empty()) {
    return InvalidArgumentError(
        "--shape-range works with generated data (--input-data random "
        "or zeros); the shapes of '" +
        data + "' come from its data");
  } else if (fs::is_directory(data)) {
    s = source->InitFromDirectory();
  } else if (fs::is_regular_file(data) && fs::path(data).extension() == ".json") {
    s = source->InitFromJson();
  } else {
    return InvalidArgumentError("--input-data '" + data +
                                "' is not random, zeros, a directory of NAME.npy files, or a "
                                ".json file");
  }
  if (!s.ok()) return s;
  TRTC_RETURN_IF_ERROR(source->Next().status());  // builds and checks the first request
  source->next_fixed_ = 0;                        // file entries start from the first
  return source;
}

Status RequestSource::InitGenerated() {
  fill_ = options_.input_data == "zeros" ? Fill::kZeros : Fill::kRandom;
  for (const ShapeRange& r : options_.shape_ranges) {
    if (!model_.FindInput(r.input)) {
      return InvalidArgumentError("--shape-range " + r.input + ": model '" + model_.name +
                                  "' has no input '" + r.input + "' (inputs: " + InputList(model_) +
                                  ")");
    }
  }
  std::vector<std::vector<int64_t>> max_shapes;
  for (size_t i = 0; i < model_.inputs.size(); ++i) {
    const TensorSpec& spec = model_.inputs[i];
    std::vector<int64_t> full = spec.shape;
    const auto it = options_.shapes.find(spec.name);
    if (it != options_.shapes.end()) {
      full = it->second;
      if (model_.batches() && full.size() + 1 == spec.shape.size()) {
        full.insert(full.begin(), options_.batch_size);
      }
    } else if (model_.batches() && !full.empty()) {
      full[0] = options_.batch_size;
    }
    std::vector<int64_t> max = full;
    for (const ShapeRange& r : options_.shape_ranges) {
      const bool batch_range = model_.batches() && r.dim == 0;
      if (r.input != spec.name && !batch_range) continue;
      const std::string what = "--shape-range " + r.input + ":" + std::to_string(r.dim);
      if (static_cast<size_t>(r.dim) >= spec.shape.size()) {
        return InvalidArgumentError(what + ": input '" + r.input + "' has rank " +
                                    std::to_string(spec.shape.size()) + " (dims 0.." +
                                    std::to_string(spec.shape.size() - 1) + ")");
      }
      if (!batch_range && spec.shape[r.dim] >= 0 &&
          (r.min != spec.shape[r.dim] || r.max != spec.shape[r.dim])) {
        return InvalidArgumentError(what + ": dim " + std::to_string(r.dim) + " of model '" +
                                    model_.name + "' input '" + r.input + "' is fixed at " +
                                    std::to_string(spec.shape[r.dim]) + " (shape " +
                                    ShapeToString(spec.shape) + ")");
      }
      size_t group = 0;
      while (group < groups_.size() &&
             !(groups_[group].dim == r.dim && groups_[group].min == r.min &&
               groups_[group].max == r.max)) {
        ++group;
      }
      if (group == groups_.size()) groups_.push_back(r);
      ranged_.push_back({i, r.dim, group});
      full[r.dim] = r.min;
      max[r.dim] = r.max;
    }
    TRTC_RETURN_IF_ERROR(ResolveShape(model_, spec, 0, &full).status());
    TRTC_RETURN_IF_ERROR(ResolveShape(model_, spec, 0, &max).status());
    base_shapes_.push_back(full);
    max_shapes.push_back(max);
  }
  description_ = std::string(fill_ == Fill::kZeros ? "zeros" : "random") + " data, shapes";
  for (size_t i = 0; i < model_.inputs.size(); ++i) {
    description_ += " " + model_.inputs[i].name + " " + ShapeToString(base_shapes_[i]);
    if (max_shapes[i] != base_shapes_[i]) description_ += ".." + ShapeToString(max_shapes[i]);
  }
  return Status::OK;
}

Status RequestSource::InitFromDirectory() {
  std::vector<HostTensor> inputs;
  for (const TensorSpec& spec : model_.inputs) {
    const fs::path path = fs::path(options_.input_data) / (FileNameForTensor(spec.name) + ".npy");
    if (!fs::exists(path)) {
      return NotFoundError("--input-data " + options_.input_data + ": no " + path.string() +
                           " for input '" + spec.name + "' (model '" + model_.name +
                           "' inputs: " + InputList(model_) + ")");
    }
    TRTC_ASSIGN_OR_RETURN(HostTensor t, ReadNpy(path.string()));
    TRTC_ASSIGN_OR_RETURN(t, FitTensorToInput(std::move(t), model_, spec, options_.batch_size));
    inputs.push_back(std::move(t));
  }
  fixed_.push_back(std::make_shared<const Variant>(Serialize(inputs)));
  description_ = "data from " + options_.input_data + ", shapes";
  for (const HostTensor& t : inputs) description_ += " " + t.name + " " + ShapeToString(t.shape);
  return Status::OK;
}

Status RequestSource::InitFromJson() {
  const std::string& path = options_.input_data;
  json root;
  try {
    std::ifstream in(path);
    root = json::parse(in);
  } catch (const std::exception& e) {
    return InvalidArgumentError("--input-data " + path + ": not valid JSON: " + e.what());
  }
  if (!root.is_object() || !root.contains("data") || !root["data"].is_array() ||
      root["data"].empty()) {
    return InvalidArgumentError("--input-data " + path +
                                ": expected {\"data\": [{\"INPUT\": [values...]}, ...]} with at "
                                "least one entry");
  }
  const json& entries = root["data"];
  for (size_t k = 0; k < entries.size(); ++k) {
    const json& entry = entries[k];
    std::vector<HostTensor> inputs;
    for (const TensorSpec& spec : model_.inputs) {
      const std::string what = path + " entry " + std::to_string(k) + " input '" + spec.name + "'";
      if (!entry.is_object() || !entry.contains(spec.name)) {
        return InvalidArgumentError(what + " is missing (model '" + model_.name +
                                    "' inputs: " + InputList(model_) + ")");
      }
      const json& v = entry[spec.name];
      const json& content = v.is_object() && v.contains("content") ? v["content"] : v;
      std::vector<const json*> values;
      Flatten(content, &values);
      HostTensor t{spec.name, spec.datatype, {}, {}};
      if (v.is_object() && v.contains("shape")) {
        try {
          t.shape = v["shape"].get<std::vector<int64_t>>();
        } catch (const std::exception& e) {
          return InvalidArgumentError(what + ": \"shape\" must be a list of integers");
        }
      } else {
        const auto user = options_.shapes.find(spec.name);
        TRTC_ASSIGN_OR_RETURN(
            t.shape, ResolveShape(model_, spec, options_.batch_size,
                                  user == options_.shapes.end() ? nullptr : &user->second));
        // One batch row of data for a batching model: FitTensorToInput repeats it.
        if (model_.batches() &&
            static_cast<int64_t>(values.size()) * t.shape[0] == NumElements(t.shape) &&
            t.shape[0] > 1) {
          t.shape.erase(t.shape.begin());
        }
      }
      if (static_cast<int64_t>(values.size()) != NumElements(t.shape)) {
        return InvalidArgumentError(what + ": " + std::to_string(values.size()) +
                                    " values, but shape " + ShapeToString(t.shape) + " needs " +
                                    std::to_string(NumElements(t.shape)));
      }
      TRTC_ASSIGN_OR_RETURN(t.data, JsonToBytes(values, spec.datatype, what));
      TRTC_ASSIGN_OR_RETURN(t, FitTensorToInput(std::move(t), model_, spec, options_.batch_size));
      inputs.push_back(std::move(t));
    }
    fixed_.push_back(std::make_shared<const Variant>(Serialize(inputs)));
  }
  description_ = std::to_string(entries.size()) + " JSON entries from " + path;
  return Status::OK;
}

RequestSource::Variant RequestSource::Serialize(const std::vector<HostTensor>& inputs) const {
  const inference::ModelInferRequest request =
      BuildInferRequest(model_.name, model_.version, inputs);
  std::string bytes;
  request.SerializeToString(&bytes);
  grpc::Slice slice(bytes);
  Variant v;
  v.bytes = grpc::ByteBuffer(&slice, 1);
  v.batch = model_.batches() && !inputs.empty() && !inputs[0].shape.empty()
                ? static_cast<int32_t>(inputs[0].shape[0])
                : 1;
  return v;
}

StatusOr<std::shared_ptr<const RequestSource::Variant>> RequestSource::GeneratedVariant(
    const std::vector<std::vector<int64_t>>& shapes) {
  std::vector<int64_t> key;
  for (const auto& s : shapes) {
    key.insert(key.end(), s.begin(), s.end());
    key.push_back(-1);
  }
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  std::vector<HostTensor> inputs;
  uint64_t seed = options_.seed;
  for (int64_t k : key) seed = seed * 1000003u + static_cast<uint64_t>(k + 7);
  for (size_t i = 0; i < model_.inputs.size(); ++i) {
    const TensorSpec& spec = model_.inputs[i];
    TRTC_ASSIGN_OR_RETURN(HostTensor t,
                          MakeFilledTensor(spec.name, spec.datatype, shapes[i], fill_, seed + i));
    inputs.push_back(std::move(t));
  }
  auto variant = std::make_shared<const Variant>(Serialize(inputs));
  cache_.emplace(std::move(key), variant);
  return variant;
}

StatusOr<RequestSource::Request> RequestSource::Next() {
  if (!fixed_.empty()) {
    const auto& v = fixed_[next_fixed_.fetch_add(1, std::memory_order_relaxed) % fixed_.size()];
    return Request{v->bytes, v->batch};
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::vector<int64_t>> shapes = base_shapes_;
  if (!groups_.empty()) {
    std::vector<int64_t> drawn;
    for (const ShapeRange& g : groups_) {
      drawn.push_back(std::uniform_int_distribution<int64_t>(g.min, g.max)(rng_));
    }
    for (const RangedDim& r : ranged_) shapes[r.input][r.dim] = drawn[r.group];
  }
  TRTC_ASSIGN_OR_RETURN(auto variant, GeneratedVariant(shapes));
  return Request{variant->bytes, variant->batch};
}

size_t RequestSource::variants() const {
  std::lock_guard<std::mutex> lock(mu_);
  return fixed_.empty() ? cache_.size() : fixed_.size();
}

}  // namespace trt::client
