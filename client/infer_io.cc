#include "client/infer_io.h"

#include <cstring>

#include "client/datatype.h"
#include "client/npy.h"

namespace trt::client {
namespace {

template <typename T, typename Repeated>
std::string PackAs(const Repeated& values) {
  std::string out(static_cast<size_t>(values.size()) * sizeof(T), '\0');
  for (int i = 0; i < values.size(); ++i) {
    const T v = static_cast<T>(values.Get(i));
    std::memcpy(out.data() + static_cast<size_t>(i) * sizeof(T), &v, sizeof(T));
  }
  return out;
}

// Bytes of a typed `contents` field, in raw layout, for `datatype`.
StatusOr<std::string> FromContents(const inference::InferTensorContents& c,
                                   const std::string& datatype) {
  if (datatype == "FP32") return PackAs<float>(c.fp32_contents());
  if (datatype == "FP64") return PackAs<double>(c.fp64_contents());
  if (datatype == "INT8") return PackAs<int8_t>(c.int_contents());
  if (datatype == "INT16") return PackAs<int16_t>(c.int_contents());
  if (datatype == "INT32") return PackAs<int32_t>(c.int_contents());
  if (datatype == "INT64") return PackAs<int64_t>(c.int64_contents());
  if (datatype == "UINT8") return PackAs<uint8_t>(c.uint_contents());
  if (datatype == "UINT16") return PackAs<uint16_t>(c.uint_contents());
  if (datatype == "UINT32") return PackAs<uint32_t>(c.uint_contents());
  if (datatype == "UINT64") return PackAs<uint64_t>(c.uint64_contents());
  if (datatype == "BOOL") return PackAs<uint8_t>(c.bool_contents());
  if (datatype == "BYTES") {
    std::string out;
    for (const std::string& s : c.bytes_contents()) {
      const uint32_t len = static_cast<uint32_t>(s.size());
      out.append(reinterpret_cast<const char*>(&len), 4);
      out += s;
    }
    return out;
  }
  return InvalidArgumentError("typed contents are not defined for " + datatype +
                              " (the server must send raw_output_contents)");
}

bool HasContents(const inference::InferTensorContents& c) {
  return c.bool_contents_size() || c.int_contents_size() || c.int64_contents_size() ||
         c.uint_contents_size() || c.uint64_contents_size() || c.fp32_contents_size() ||
         c.fp64_contents_size() || c.bytes_contents_size();
}

}  // namespace

inference::ModelInferRequest BuildInferRequest(const std::string& model, const std::string& version,
                                               const std::vector<HostTensor>& inputs,
                                               const std::vector<std::string>& outputs) {
  inference::ModelInferRequest req;
  req.set_model_name(model);
  req.set_model_version(version);
  for (const HostTensor& t : inputs) {
    auto* in = req.add_inputs();
    in->set_name(t.name);
    in->set_datatype(t.datatype);
    for (int64_t d : t.shape) in->add_shape(d);
    req.add_raw_input_contents(t.data);
  }
  for (const std::string& name : outputs) req.add_outputs()->set_name(name);
  return req;
}

StatusOr<std::vector<HostTensor>> ParseInferResponse(
    const inference::ModelInferResponse& response) {
  const std::string where = "model '" + response.model_name() + "' response";
  const bool raw = response.raw_output_contents_size() > 0;
  if (raw && response.raw_output_contents_size() != response.outputs_size()) {
    return InvalidArgumentError(
        where + ": " + std::to_string(response.outputs_size()) + " outputs but " +
        std::to_string(response.raw_output_contents_size()) + " raw_output_contents entries");
  }
  std::vector<HostTensor> out;
  for (int i = 0; i < response.outputs_size(); ++i) {
    const auto& o = response.outputs(i);
    HostTensor t{o.name(), o.datatype(), {o.shape().begin(), o.shape().end()}, {}};
    if (raw) {
      t.data = response.raw_output_contents(i);
    } else if (HasContents(o.contents())) {
      auto data = FromContents(o.contents(), o.datatype());
      if (!data.ok()) return WithContext(data.status(), where + " output '" + o.name() + "'");
      t.data = std::move(data).value();
    } else if (NumElements(t.shape) != 0) {
      return InvalidArgumentError(where + " output '" + o.name() + "' carries no data");
    }
    Status s = CheckTensorSize(t);
    if (!s.ok()) return WithContext(s, where);
    out.push_back(std::move(t));
  }
  return out;
}

const TensorSpec* ModelInfo::FindInput(const std::string& input) const {
  for (const TensorSpec& t : inputs) {
    if (t.name == input) return &t;
  }
  return nullptr;
}

ModelInfo ModelInfoFromProtos(const inference::ModelMetadataResponse& metadata,
                              const inference::ModelConfigResponse* config,
                              const std::string& version) {
  ModelInfo info;
  info.name = metadata.name();
  info.version = version;
  info.platform = metadata.platform();
  info.versions.assign(metadata.versions().begin(), metadata.versions().end());
  auto convert = [](const auto& list, std::vector<TensorSpec>* out) {
    for (const auto& t : list) {
      out->push_back({t.name(), t.datatype(), {t.shape().begin(), t.shape().end()}});
    }
  };
  convert(metadata.inputs(), &info.inputs);
  convert(metadata.outputs(), &info.outputs);
  if (config) {
    info.config_known = true;
    info.max_batch_size = config->config().max_batch_size();
  }
  return info;
}

StatusOr<ModelInfo> FetchModelInfo(KServeClient& client, const std::string& model,
                                   const std::string& version) {
  TRTC_ASSIGN_OR_RETURN(const auto metadata, client.ModelMetadata(model, version));
  auto config = client.ModelConfig(model, version);
  if (!config.ok() && config.status().error_code() != StatusCode::UNIMPLEMENTED) {
    return config.status();
  }
  return ModelInfoFromProtos(metadata, config.ok() ? &*config : nullptr, version);
}

StatusOr<std::pair<std::string, std::vector<int64_t>>> ParseShapeOption(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgumentError("--shape '" + std::string(text) +
                                "' is not NAME:DIMS; write e.g. --shape input:1x3x224x224");
  }
  const std::string name(text.substr(0, colon));
  TRTC_ASSIGN_OR_RETURN(auto dims, ParseDims(text.substr(colon + 1), "--shape " + name));
  return std::make_pair(name, std::move(dims));
}

StatusOr<std::vector<int64_t>> ResolveShape(const ModelInfo& model, const TensorSpec& input,
                                            int64_t batch, const std::vector<int64_t>* user_dims) {
  const std::vector<int64_t>& meta = input.shape;
  const std::string what = "model '" + model.name + "' input '" + input.name + "'";
  const bool batch_dim = model.batches() || (!model.config_known && !meta.empty() && meta[0] == -1);
  std::vector<int64_t> shape;
  if (user_dims) {
    if (user_dims->size() == meta.size()) {
      shape = *user_dims;
      if (batch_dim && batch > 0 && shape[0] != batch) {
        return InvalidArgumentError(what + ": --shape " + ShapeToString(shape) + " has batch " +
                                    std::to_string(shape[0]) + " but the batch size is " +
                                    std::to_string(batch));
      }
    } else if (batch_dim && user_dims->size() + 1 == meta.size()) {
      shape.push_back(batch > 0 ? batch : 1);
      shape.insert(shape.end(), user_dims->begin(), user_dims->end());
    } else {
      return InvalidArgumentError(what + " has shape " + ShapeToString(meta) + " (rank " +
                                  std::to_string(meta.size()) + ") but --shape gives rank " +
                                  std::to_string(user_dims->size()) + " " +
                                  ShapeToString(*user_dims));
    }
  } else {
    shape = meta;
    if (batch_dim && !shape.empty()) shape[0] = batch > 0 ? batch : 1;
  }
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] >= 0 && meta[i] >= 0 && shape[i] != meta[i]) {
      return InvalidArgumentError(what + " expects shape " + ShapeToString(meta) + ", got " +
                                  ShapeToString(shape) + " (dim " + std::to_string(i) +
                                  " is fixed at " + std::to_string(meta[i]) + ")");
    }
    if (shape[i] < 0) {
      std::string example;
      for (size_t j = batch_dim ? 1 : 0; j < meta.size(); ++j) {
        if (!example.empty()) example += "x";
        example += std::to_string(meta[j] < 0 ? 16 : meta[j]);
      }
      return InvalidArgumentError(what + " has a variable dim " + std::to_string(i) + " (shape " +
                                  ShapeToString(meta) +
                                  "): give its size with --shape, e.g. --shape " + input.name +
                                  ":" + example + (batch_dim ? " (batch dim excluded)" : ""));
    }
  }
  if (model.batches() && !shape.empty() && shape[0] > model.max_batch_size) {
    return InvalidArgumentError(what + ": batch " + std::to_string(shape[0]) +
                                " exceeds the model's max_batch_size " +
                                std::to_string(model.max_batch_size));
  }
  return shape;
}

StatusOr<HostTensor> FitTensorToInput(HostTensor t, const ModelInfo& model, const TensorSpec& input,
                                      int64_t batch) {
  TRTC_ASSIGN_OR_RETURN(t, ConvertForInput(std::move(t), input.datatype, model.name, input.name));
  t.name = input.name;
  if (model.batches() && t.shape.size() + 1 == input.shape.size()) {
    const int64_t copies = batch > 0 ? batch : 1;
    const std::string one = t.data;
    t.shape.insert(t.shape.begin(), copies);
    t.data.clear();
    t.data.reserve(one.size() * static_cast<size_t>(copies));
    for (int64_t i = 0; i < copies; ++i) t.data += one;
  }
  TRTC_ASSIGN_OR_RETURN(const auto shape, ResolveShape(model, input, 0, &t.shape));
  (void)shape;
  return t;
}

}  // namespace trt::client
