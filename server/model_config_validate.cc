// Derived defaults (the one place they are filled) and the cross-field checks of a parsed
// model config. Per-field types and ranges were checked by the parser.
#include <algorithm>
#include <cmath>
#include <set>

#include "server/model_config.h"
#include "server/model_config_internal.h"

namespace trt::server::config_internal {
namespace {

const char* const kPolicyPath = "dynamic_batching.priority_queue_policy";

std::string ShapesPath(size_t profile, const std::string& input) {
  return JoinPath(IndexPath("profiles", profile) + ".shapes", input);
}

// Fields of a per-level policy the YAML left out inherit default_queue_policy.
void InheritQueuePolicy(const Problems& seen, const std::string& path, const QueuePolicy& base,
                        QueuePolicy* q) {
  if (!seen.Seen(JoinPath(path, "timeout_us"))) q->timeout_us = base.timeout_us;
  if (!seen.Seen(JoinPath(path, "timeout_action"))) q->timeout_action = base.timeout_action;
  if (!seen.Seen(JoinPath(path, "allow_timeout_override"))) {
    q->allow_timeout_override = base.allow_timeout_override;
  }
  if (!seen.Seen(JoinPath(path, "max_queue_size"))) q->max_queue_size = base.max_queue_size;
}

void SortUnique(std::vector<int64_t>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

void ValidateTensors(const ModelConfig& c, bool is_input, Problems* problems) {
  const auto& list = is_input ? c.inputs : c.outputs;
  const std::string kind = is_input ? "inputs" : "outputs";
  for (size_t i = 0; i < list.size(); ++i) {
    const TensorConfig& t = list[i];
    const std::string path = IndexPath(kind, i);
    for (size_t j = 0; j < i; ++j) {
      if (list[j].name == t.name) {
        problems->Add(path + ".name", "'" + t.name + "' is already " + IndexPath(kind, j));
      }
    }
    if (t.dtype == DType::kString) {
      problems->Add(path + ".dtype",
                    "BYTES (string) tensors are not supported: the engine computes numeric "
                    "tensors only");
    }
    if (!is_input) continue;
    if (t.pad_to_batch) {
      const bool has_dynamic = std::find(t.dims.begin(), t.dims.end(), -1) != t.dims.end();
      if (c.max_batch_size == 0) {
        problems->Add(path + ".pad_to_batch",
                      "needs max_batch_size > 0 (padding lets requests of different lengths "
                      "share a batch; without a batch dim nothing is batched)");
      } else if (!has_dynamic) {
        problems->Add(path + ".pad_to_batch", "input '" + t.name + "' has no dynamic (-1) dim " +
                                                  "besides the batch dim (dims " +
                                                  DimsText(t.dims) +
                                                  "), so there is nothing to pad; remove it");
      }
    }
    if (t.pad_to_batch && t.dtype != DType::kUndefined && !IsFloatingPoint(t.dtype)) {
      // Integral and within the dtype: [lo, hi).
      const int bits = static_cast<int>(DTypeSize(t.dtype)) * 8;
      double lo = 0, hi = 2;  // bool
      if (IsSignedInteger(t.dtype)) {
        lo = -std::ldexp(1.0, bits - 1);
        hi = std::ldexp(1.0, bits - 1);
      } else if (IsUnsignedInteger(t.dtype)) {
        hi = std::ldexp(1.0, bits);
      }
      const double v = t.pad_value;
      if (std::floor(v) != v || v < lo || v >= hi) {
        problems->Add(path + ".pad_value", "the value is not a valid " +
                                               std::string(DTypeName(t.dtype)) + " for input '" +
                                               t.name + "'");
      }
    }
  }
}

// Ranks, min <= opt <= max, element-count overflow, and (with a batch dim) one batch range
// per profile within 1..max_batch_size.
void ValidateProfileRanges(const ModelConfig& c, size_t i, Problems* problems) {
  const auto& p = c.profiles[i];
  const std::string path = IndexPath("profiles", i);
  if (p.inputs.empty()) {
    problems->Add(path + ".shapes", "missing or empty; give {min, opt, max} for each input " +
                                        std::string("with a dynamic dim"));
  }
  const runtime::InputShapeRange* batch_of = nullptr;
  for (const auto& r : p.inputs) {
    const std::string rp = ShapesPath(i, r.input);
    if (r.min.rank() != r.opt.rank() || r.min.rank() != r.max.rank()) {
      problems->Add(rp, "min " + r.min.ToString() + ", opt " + r.opt.ToString() + " and max " +
                            r.max.ToString() + " must have the same rank");
      continue;
    }
    bool overflow = false;
    int64_t bytes = 8;  // the widest element: a max shape must fit an int64 byte count
    for (int d = 0; d < r.min.rank(); ++d) {
      if (!(r.min[d] <= r.opt[d] && r.opt[d] <= r.max[d])) {
        problems->Add(rp, "dim " + std::to_string(d) + ": need min <= opt <= max, got " +
                              RangeText(r.min[d], r.opt[d], r.max[d]));
      }
      overflow |= __builtin_mul_overflow(bytes, r.max[d], &bytes);
    }
    if (overflow) problems->Add(rp + ".max", "the max shape is too large to allocate");
    if (c.max_batch_size == 0) continue;
    if (r.min.rank() == 0) {
      problems->Add(rp, "needs the batch dim first (max_batch_size is " +
                            std::to_string(c.max_batch_size) + ")");
      continue;
    }
    if (r.min[0] < 1) problems->Add(rp + ".min[0]", "the batch dim must be >= 1");
    if (r.max[0] > c.max_batch_size) {
      problems->Add(rp + ".max[0]", "batch " + std::to_string(r.max[0]) +
                                        " is larger than max_batch_size " +
                                        std::to_string(c.max_batch_size));
    }
    if (!batch_of) {
      batch_of = &r;
    } else if (r.min[0] != batch_of->min[0] || r.opt[0] != batch_of->opt[0] ||
               r.max[0] != batch_of->max[0]) {
      problems->Add(rp, "batch range " + RangeText(r.min[0], r.opt[0], r.max[0]) +
                            " differs from input '" + batch_of->input + "' (" +
                            RangeText(batch_of->min[0], batch_of->opt[0], batch_of->max[0]) +
                            "); all inputs of a profile share the batch dim");
    }
  }
}

void ValidateBatching(const ModelConfig& c, Problems* problems) {
  const auto& d = c.dynamic_batching;
  const std::string path = "dynamic_batching.preferred_batch_sizes";
  if (c.max_batch_size == 0 && !d.preferred_batch_sizes.empty()) {
    problems->Add(path, "needs max_batch_size > 0 (with max_batch_size 0 the model has no " +
                            std::string("batch dim and requests run one at a time)"));
  }
  for (int64_t s : d.preferred_batch_sizes) {
    if (c.max_batch_size > 0 && s > c.max_batch_size) {
      problems->Add(path, std::to_string(s) + " is larger than max_batch_size " +
                              std::to_string(c.max_batch_size));
    }
  }
  if (d.default_priority_level > d.priority_levels) {
    problems->Add("dynamic_batching.default_priority_level",
                  "level " + std::to_string(d.default_priority_level) +
                      " does not exist; priority_levels is " + std::to_string(d.priority_levels) +
                      " (levels are 1 = highest .. priority_levels)");
  }
  for (const auto& [level, policy] : d.priority_queue_policy) {
    if (level > d.priority_levels) {
      problems->Add(JoinPath(kPolicyPath, std::to_string(level)),
                    "level " + std::to_string(level) + " does not exist; priority_levels is " +
                        std::to_string(d.priority_levels));
    }
  }
}

}  // namespace

void FillDefaults(const std::string& model_name, const Problems& seen, ModelConfig* c) {
  if (c->name.empty()) c->name = model_name;
  for (size_t i = 0; i < c->profiles.size(); ++i) {
    auto& p = c->profiles[i];
    if (p.name.empty()) p.name = "profile" + std::to_string(i);
    for (auto& r : p.inputs) {
      if (!seen.Seen(ShapesPath(i, r.input) + ".opt")) r.opt = r.max;
    }
  }
  auto& d = c->dynamic_batching;
  if (!seen.Seen("dynamic_batching.default_priority_level")) {
    d.default_priority_level = d.priority_levels;
  }
  for (uint32_t level = 1; level <= d.priority_levels; ++level) {
    auto it = d.priority_queue_policy.find(level);
    if (it == d.priority_queue_policy.end()) {
      d.priority_queue_policy[level] = d.default_queue_policy;
    } else {
      InheritQueuePolicy(seen, JoinPath(kPolicyPath, std::to_string(level)), d.default_queue_policy,
                         &it->second);
    }
  }
  SortUnique(&d.preferred_batch_sizes);
  SortUnique(&c->version_policy.specific);
}

void Validate(const std::string& model_name, const ModelConfig& c, Problems* problems) {
  if (!model_name.empty() && c.name != model_name) {
    problems->Add("name", "'" + c.name + "' does not match the model's folder name '" + model_name +
                              "'; remove `name:` or make the two equal");
  }
  ValidateTensors(c, /*is_input=*/true, problems);
  ValidateTensors(c, /*is_input=*/false, problems);
  std::set<std::string> names;
  for (size_t i = 0; i < c.profiles.size(); ++i) {
    if (!names.insert(c.profiles[i].name).second) {
      problems->Add(IndexPath("profiles", i) + ".name",
                    "two profiles are named '" + c.profiles[i].name + "'; names must be unique");
    }
    ValidateProfileRanges(c, i, problems);
  }
  if (!c.inputs.empty() && problems->empty()) CheckProfilesAgainstInputs(c, problems);
  ValidateBatching(c, problems);
  if (c.precision == Precision::kInt8) {
    problems->Add("precision",
                  "int8 is not available yet: INT8 needs a model quantized with `trtserve "
                  "quantize` (planned); use precision: fp32 for now");
  }
}

void CheckProfilesAgainstInputs(const ModelConfig& c, Problems* problems) {
  const int batch = c.max_batch_size > 0 ? 1 : 0;
  std::string input_names;
  for (const auto& t : c.inputs) input_names += (input_names.empty() ? "" : ", ") + t.name;
  for (size_t i = 0; i < c.profiles.size(); ++i) {
    const auto& p = c.profiles[i];
    for (const auto& r : p.inputs) {
      const std::string rp = ShapesPath(i, r.input);
      const TensorConfig* t = c.FindInput(r.input);
      if (!t) {
        problems->Add(
            rp, "'" + r.input + "' is not an input of this model (inputs: " + input_names + ")");
        continue;
      }
      const int want = static_cast<int>(t->dims.size()) + batch;
      if (r.min.rank() != want || r.opt.rank() != want || r.max.rank() != want) {
        problems->Add(rp, "shapes have rank " + std::to_string(r.max.rank()) + " but input '" +
                              t->name + "' has rank " + std::to_string(want) +
                              (batch ? " (the batch dim, then dims " : " (dims ") +
                              DimsText(t->dims) + ")");
        continue;
      }
      for (int d = batch; d < want; ++d) {
        const int64_t fixed = t->dims[d - batch];
        if (fixed < 0 || (r.min[d] == fixed && r.opt[d] == fixed && r.max[d] == fixed)) continue;
        problems->Add(rp, "dim " + std::to_string(d) + " is " +
                              RangeText(r.min[d], r.opt[d], r.max[d]) + " but input '" + t->name +
                              "' fixes it to " + std::to_string(fixed) + " (dims " +
                              DimsText(t->dims) + ")");
      }
    }
    for (const auto& t : c.inputs) {
      const bool dynamic = batch || std::find(t.dims.begin(), t.dims.end(), -1) != t.dims.end();
      if (dynamic && !p.Find(t.name)) {
        problems->Add(IndexPath("profiles", i) + ".shapes",
                      "no range for input '" + t.name + "', whose shape is dynamic (" +
                          (batch ? "batch dim, then dims " : "dims ") + DimsText(t.dims) +
                          "); give {min, opt, max} for it");
      }
    }
  }
}

}  // namespace trt::server::config_internal
