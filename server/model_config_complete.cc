// CompleteConfigFromModel: the model-derived defaults (inputs/outputs, the "default" profile,
// preferred batch sizes) and the checks of a parsed config against the model's graph.
#include <algorithm>
#include <array>

#include "server/model_config.h"
#include "server/model_config_internal.h"

namespace trt::server {
namespace {

using config_internal::DimsText;
using config_internal::IndexPath;
using config_internal::Problems;
using config_internal::ProfileBatchRange;
using config_internal::RangeText;

std::string SymDimsText(const graph::SymShape& s, size_t from) {
  std::string out = "[";
  for (size_t i = from; i < s.size(); ++i) out += (i > from ? ", " : "") + s[i].ToString();
  return out + "]";
}

std::string NameList(const std::vector<graph::Value*>& values) {
  std::string s;
  for (const graph::Value* v : values) s += (s.empty() ? "" : ", ") + v->name;
  return s.empty() ? "none" : s;
}

// True when every profile fixes dim `d` of `input` to `value` (and there is a profile).
bool FixedByEveryProfile(const ModelConfig& c, const std::string& input, int d, int64_t value) {
  if (c.profiles.empty()) return false;
  for (const auto& p : c.profiles) {
    const runtime::InputShapeRange* r = p.Find(input);
    if (!r || r->min.rank() <= d || r->max.rank() <= d) return false;
    if (r->min[d] != value || r->max[d] != value) return false;
  }
  return true;
}

class Completer {
 public:
  Completer(ModelConfig* c, const graph::Graph& g, Problems* problems)
      : c_(*c), g_(g), problems_(*problems), model_("model '" + c->name + "'") {}

  void Tensors(bool is_input) {
    const auto& values = is_input ? g_.inputs() : g_.outputs();
    auto& list = is_input ? c_.inputs : c_.outputs;
    const std::string kind = is_input ? "inputs" : "outputs";
    const std::string what = is_input ? "input" : "output";
    if (list.empty()) {
      for (const graph::Value* v : values) FromModel(*v, kind, what, &list);
      return;
    }
    for (const graph::Value* v : values) {
      bool listed = false;
      for (const auto& t : list) listed |= t.name == v->name;
      if (!listed) {
        problems_.Add(kind, model_ + " " + what + " '" + v->name + "' is not listed; list every " +
                                what + " (model " + kind + ": " + NameList(values) +
                                "), or none to take them all from the model");
      }
    }
    for (size_t i = 0; i < list.size(); ++i) {
      const graph::Value* v = nullptr;
      for (const graph::Value* x : values) v = x->name == list[i].name ? x : v;
      if (!v) {
        problems_.Add(IndexPath(kind, i) + ".name", model_ + " has no " + what + " '" +
                                                        list[i].name + "' (its " + kind + ": " +
                                                        NameList(values) + ")");
        continue;
      }
      Check(*v, is_input, IndexPath(kind, i), list[i]);
    }
  }

  void DefaultProfile() {
    runtime::OptimizationProfile p;
    p.name = "default";
    for (const auto& t : c_.inputs) {
      Shape min, max;
      if (batch_) min.push_back(1), max.push_back(c_.max_batch_size);
      for (size_t d = 0; d < t.dims.size(); ++d) {
        if (t.dims[d] < 0) {
          std::string hint;
          if (!batch_ && d == 0) hint = ", or set max_batch_size if dim 0 is the batch dim";
          problems_.Add("profiles",
                        "input '" + t.name + "' has a dynamic dim " + std::to_string(d + batch_) +
                            " (dims " + DimsText(t.dims) +
                            ") and the config has no profiles to give its range; add profiles "
                            "with {min, opt, max} for it (see configs/CONFIG_REFERENCE.md)" +
                            hint);
        }
        min.push_back(t.dims[d]);
        max.push_back(t.dims[d]);
      }
      p.inputs.push_back({t.name, min, max, max});
    }
    c_.profiles.push_back(std::move(p));
  }

  // With a batch dim, a model dim 0 that is fixed to N only works when every profile's batch
  // is exactly N (e.g. a plan built from latency-only profiles).
  void BatchDims() {
    if (!batch_) return;
    for (const auto* values : {&g_.inputs(), &g_.outputs()}) {
      for (const graph::Value* v : *values) {
        if (!v->shape || v->shape->empty() || !(*v->shape)[0].is_known()) continue;
        const int64_t n = (*v->shape)[0].value();
        bool ok = true;
        for (const auto& p : c_.profiles) {
          int64_t lo = 0, opt = 0, hi = 0;
          ok &= ProfileBatchRange(p, &lo, &opt, &hi) && lo == n && hi == n;
        }
        if (ok) continue;
        problems_.Add("max_batch_size",
                      model_ + " " + (values == &g_.inputs() ? "input" : "output") + " '" +
                          v->name + "' fixes its first dim to " + std::to_string(n) + " (" +
                          v->TypeString() + "), so every batch must have exactly " +
                          std::to_string(n) +
                          " rows, but the profiles allow other batch "
                          "sizes: set max_batch_size: 0 (requests then carry the full shape), "
                          "or export the model with a dynamic first dim");
      }
    }
  }

  void ValidateProfiles() {
    for (size_t i = 0; i < c_.profiles.size(); ++i) {
      Status s = runtime::ValidateProfile(g_, c_.profiles[i]);
      if (!s.ok()) problems_.Add(IndexPath("profiles", i), model_ + ": " + s.message());
    }
  }

  void PreferredBatchSizes() {
    if (!batch_) return;
    auto& preferred = c_.dynamic_batching.preferred_batch_sizes;
    std::vector<std::array<int64_t, 3>> ranges;
    std::string ranges_text;
    for (const auto& p : c_.profiles) {
      std::array<int64_t, 3> r{};
      if (!ProfileBatchRange(p, &r[0], &r[1], &r[2])) continue;
      ranges.push_back(r);
      ranges_text += (ranges_text.empty() ? "" : ", ") + p.name + " " + RangeText(r[0], r[1], r[2]);
    }
    if (preferred.empty()) {
      for (const auto& r : ranges) preferred.push_back(r[1]);
      std::sort(preferred.begin(), preferred.end());
      preferred.erase(std::unique(preferred.begin(), preferred.end()), preferred.end());
    }
    for (int64_t s : preferred) {
      bool accepted = false;
      for (const auto& r : ranges) accepted |= r[0] <= s && s <= r[2];
      if (!accepted) {
        problems_.Add("dynamic_batching.preferred_batch_sizes",
                      std::to_string(s) + " is not accepted by any profile (batch ranges min.." +
                          "opt..max: " + ranges_text +
                          "); remove it or add a profile whose range includes it");
      }
    }
  }

 private:
  void FromModel(const graph::Value& v, const std::string& kind, const std::string& what,
                 std::vector<TensorConfig>* list) {
    const std::string where = model_ + " " + what + " '" + v.name + "'";
    if (!IsSupportedDType(v.dtype)) {
      problems_.Add(kind, where + " has dtype " + std::string(DTypeName(v.dtype)) +
                              ", which trtserve cannot serve");
      return;
    }
    if (!v.shape) {
      problems_.Add(kind, where + " has no known rank; list every " + what + " under " + kind +
                              " with its dims");
      return;
    }
    if (batch_ && v.shape->empty()) {
      problems_.Add(kind, where + " is a scalar, so it has no batch dim; set max_batch_size: 0");
      return;
    }
    TensorConfig t;
    t.name = v.name;
    t.dtype = v.dtype;
    for (size_t d = batch_; d < v.shape->size(); ++d) {
      const graph::Dim& dim = (*v.shape)[d];
      t.dims.push_back(dim.is_known() ? dim.value() : -1);
    }
    list->push_back(std::move(t));
  }

  void Check(const graph::Value& v, bool is_input, const std::string& path, const TensorConfig& t) {
    const std::string where = model_ + " " + (is_input ? "input" : "output") + " '" + v.name + "'";
    if (v.dtype != t.dtype) {
      problems_.Add(path + ".dtype", where + " is " + std::string(KServeDatatype(v.dtype)) + " (" +
                                         std::string(DTypeName(v.dtype)) + "), config says " +
                                         std::string(KServeDatatype(t.dtype)));
    }
    if (!v.shape) return;  // rank unknown to the model: the config's dims stand
    const graph::SymShape& s = *v.shape;
    if (batch_ && s.empty()) {
      problems_.Add(path, where + " is a scalar, so it has no batch dim; set max_batch_size: 0");
      return;
    }
    bool match = s.size() == t.dims.size() + batch_;
    for (size_t d = 0; match && d < t.dims.size(); ++d) {
      const graph::Dim& md = s[d + batch_];
      if (!md.is_known()) continue;  // the config may fix a dynamic dim
      if (t.dims[d] >= 0) {
        match = t.dims[d] == md.value();
      } else if (is_input &&
                 !FixedByEveryProfile(c_, t.name, static_cast<int>(d + batch_), md.value())) {
        problems_.Add(IndexPath(path + ".dims", d),
                      where + " fixes dim " + std::to_string(d + batch_) + " to " +
                          std::to_string(md.value()) + " (" + v.TypeString() + "); write " +
                          std::to_string(md.value()) + " instead of -1");
      }
    }
    if (!match) {
      problems_.Add(path + ".dims", where + " has dims " + SymDimsText(s, batch_) +
                                        (batch_ ? " (after the batch dim)" : "") +
                                        ", config says " + DimsText(t.dims));
    }
  }

  ModelConfig& c_;
  const graph::Graph& g_;
  Problems& problems_;
  const std::string model_;
  const size_t batch_ = c_.max_batch_size > 0 ? 1 : 0;
};

}  // namespace

Status CompleteConfigFromModel(ModelConfig* config, const graph::Model& model) {
  const std::string file = config->config_path.empty() ? "config" : config->config_path;
  if (!model.graph) return InvalidArgument(file + ": model '" + config->name + "' has no graph");
  // Work on a copy: the caller's config changes only when everything checks out.
  ModelConfig c = *config;
  Problems problems(file);
  Completer completer(&c, *model.graph, &problems);
  completer.Tensors(/*is_input=*/true);
  completer.Tensors(/*is_input=*/false);
  if (!problems.empty()) return problems.ToStatus();
  if (c.profiles.empty()) completer.DefaultProfile();
  if (!problems.empty()) return problems.ToStatus();
  config_internal::CheckProfilesAgainstInputs(c, &problems);
  completer.BatchDims();
  if (!problems.empty()) return problems.ToStatus();
  completer.ValidateProfiles();
  if (!problems.empty()) return problems.ToStatus();
  completer.PreferredBatchSizes();
  TRT_RETURN_IF_ERROR(problems.ToStatus());
  *config = std::move(c);
  return Status::Ok();
}

}  // namespace trt::server
