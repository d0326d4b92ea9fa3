// Optimization profile parsing, validation, symbol binding and selection.
#include "engine/runtime/profile.h"

#include <algorithm>
#include <array>
#include <cstdlib>

namespace trt::runtime {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string_view::npos ? next : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + sep.size();
  }
  return out;
}

std::string Range(const InputShapeRange& r, int d) {
  return "[" + std::to_string(r.min[d]) + ", " + std::to_string(r.max[d]) + "]";
}

}  // namespace

const InputShapeRange* OptimizationProfile::Find(std::string_view input) const {
  for (const auto& r : inputs) {
    if (r.input == input) return &r;
  }
  return nullptr;
}

std::string OptimizationProfile::ToString() const {
  std::string s = name + ":";
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto& r = inputs[i];
    s += (i ? "," : " ") + r.input + "=";
    if (r.min == r.max) {
      s += r.min.ToXString();
    } else {
      s += r.min.ToXString() + ".." + r.opt.ToXString() + ".." + r.max.ToXString();
    }
  }
  return s;
}

StatusOr<Shape> ParseXShape(std::string_view text) {
  text = Trim(text);
  Shape s;
  if (text == "scalar") return s;
  if (text.empty()) return InvalidArgument("empty shape (write dims like 1x3x224x224)");
  for (std::string_view part : Split(text, "x")) {
    std::string p(Trim(part));
    char* end = nullptr;
    const long long v = std::strtoll(p.c_str(), &end, 10);
    if (p.empty() || *end != '\0' || v < 0) {
      return InvalidArgument("bad shape '" + std::string(text) +
                             "': dims must be non-negative integers separated by 'x', "
                             "e.g. 1x3x224x224");
    }
    s.push_back(v);
  }
  return s;
}

StatusOr<OptimizationProfile> ParseProfileSpec(std::string_view spec) {
  const size_t colon = spec.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgument("bad --profile '" + std::string(spec) +
                           "': expected NAME:INPUT=MIN..OPT..MAX[,INPUT=...], e.g. "
                           "dynamic:input=1x3x224x224..4x3x224x224..32x3x224x224");
  }
  OptimizationProfile p;
  p.name = std::string(Trim(spec.substr(0, colon)));
  for (std::string_view item : Split(spec.substr(colon + 1), ",")) {
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return InvalidArgument("bad --profile entry '" + std::string(item) + "' in profile '" +
                             p.name + "': expected INPUT=MIN..OPT..MAX");
    }
    InputShapeRange r;
    r.input = std::string(Trim(item.substr(0, eq)));
    auto parts = Split(item.substr(eq + 1), "..");
    if (parts.size() > 3) {
      return InvalidArgument("bad range for input '" + r.input + "' in profile '" + p.name +
                             "': at most MIN..OPT..MAX");
    }
    std::vector<Shape> shapes;
    for (auto part : parts) {
      auto s = ParseXShape(part);
      if (!s.ok())
        return s.status().WithContext("profile '" + p.name + "' input '" + r.input + "'");
      shapes.push_back(*s);
    }
    r.min = shapes.front();
    r.max = shapes.back();
    r.opt = shapes.size() == 3 ? shapes[1] : shapes.back();
    if (p.Find(r.input)) {
      return InvalidArgument("profile '" + p.name + "' lists input '" + r.input + "' twice");
    }
    p.inputs.push_back(std::move(r));
  }
  return p;
}

StatusOr<std::vector<OptimizationProfile>> ProfilesFromTrtexecShapes(
    const std::vector<std::string>& min_shapes, const std::vector<std::string>& opt_shapes,
    const std::vector<std::string>& max_shapes) {
  if (min_shapes.size() != max_shapes.size() ||
      (!opt_shapes.empty() && opt_shapes.size() != min_shapes.size())) {
    return InvalidArgument(
        "--minShapes/--optShapes/--maxShapes must be given the same number "
        "of times (once per profile)");
  }
  auto parse_list = [](const std::string& list, std::map<std::string, Shape>* out) -> Status {
    for (std::string_view item : Split(list, ",")) {
      const size_t colon = item.rfind(':');
      if (colon == std::string_view::npos) {
        return InvalidArgument("bad shape spec '" + std::string(item) + "': expected input:AxBxC");
      }
      TRT_ASSIGN_OR_RETURN(Shape s, ParseXShape(item.substr(colon + 1)));
      (*out)[std::string(Trim(item.substr(0, colon)))] = s;
    }
    return Status::Ok();
  };
  std::vector<OptimizationProfile> profiles;
  for (size_t i = 0; i < min_shapes.size(); ++i) {
    std::map<std::string, Shape> mins, opts, maxs;
    TRT_RETURN_IF_ERROR(parse_list(min_shapes[i], &mins));
    TRT_RETURN_IF_ERROR(parse_list(opt_shapes.empty() ? max_shapes[i] : opt_shapes[i], &opts));
    TRT_RETURN_IF_ERROR(parse_list(max_shapes[i], &maxs));
    OptimizationProfile p;
    p.name = "profile" + std::to_string(i);
    for (const auto& [name, mn] : mins) {
      if (!opts.count(name) || !maxs.count(name)) {
        return InvalidArgument("input '" + name + "' of profile " + std::to_string(i) +
                               " needs min, opt and max shapes");
      }
      p.inputs.push_back({name, mn, opts[name], maxs[name]});
    }
    profiles.push_back(std::move(p));
  }
  return profiles;
}

Status ValidateProfile(const graph::Graph& g, OptimizationProfile& p) {
  const std::string where = "profile '" + p.name + "'";
  for (const auto& r : p.inputs) {
    bool known = false;
    for (const graph::Value* v : g.inputs()) known |= v->name == r.input;
    if (!known)
      return InvalidArgument(where + " names '" + r.input + "', which is not a model input");
  }
  // symbol -> (range, input that defined it)
  std::map<std::string, std::pair<std::array<int64_t, 3>, std::string>> symbols;
  for (const graph::Value* v : g.inputs()) {
    const InputShapeRange* r = p.Find(v->name);
    if (!r) {
      bool is_static = v->shape.has_value();
      if (v->shape) {
        for (const auto& d : *v->shape) is_static &= d.is_known();
      }
      if (!is_static) {
        return InvalidArgument(where + " has no shape range for dynamic input '" + v->name + "' " +
                               v->TypeString());
      }
      Shape s;
      for (const auto& d : *v->shape) s.push_back(d.value());
      p.inputs.push_back({v->name, s, s, s});
      continue;
    }
    const std::string in = where + " input '" + v->name + "'";
    if (r->min.rank() != r->opt.rank() || r->min.rank() != r->max.rank()) {
      return InvalidArgument(in + ": min/opt/max have different ranks");
    }
    if (v->shape && static_cast<int>(v->shape->size()) != r->min.rank()) {
      return InvalidArgument(in + " has rank " + std::to_string(r->min.rank()) +
                             " but the model declares " + v->TypeString());
    }
    for (int d = 0; d < r->min.rank(); ++d) {
      if (!(r->min[d] <= r->opt[d] && r->opt[d] <= r->max[d])) {
        return InvalidArgument(in + " dim " + std::to_string(d) + ": need min <= opt <= max, got " +
                               std::to_string(r->min[d]) + ", " + std::to_string(r->opt[d]) + ", " +
                               std::to_string(r->max[d]));
      }
      if (!v->shape) continue;
      const graph::Dim& dim = (*v->shape)[d];
      if (dim.is_known() && (r->min[d] != dim.value() || r->max[d] != dim.value())) {
        return InvalidArgument(in + " dim " + std::to_string(d) + " is fixed to " +
                               std::to_string(dim.value()) +
                               " by the model, but the profile gives " + Range(*r, d));
      }
      if (dim.is_symbol() && dim.ToString()[0] != '?') {
        std::array<int64_t, 3> range{r->min[d], r->opt[d], r->max[d]};
        auto [it, inserted] = symbols.emplace(dim.ToString(), std::make_pair(range, v->name));
        if (!inserted && it->second.first != range) {
          return InvalidArgument(
              where + ": dim '" + dim.ToString() + "' is shared by inputs '" + it->second.second +
              "' and '" + v->name + "' but their ranges differ (" +
              std::to_string(it->second.first[0]) + ".." + std::to_string(it->second.first[1]) +
              ".." + std::to_string(it->second.first[2]) + " vs " + std::to_string(range[0]) +
              ".." + std::to_string(range[1]) + ".." + std::to_string(range[2]) + ")");
        }
      }
    }
  }
  return Status::Ok();
}

std::map<std::string, int64_t> BindSymbols(const graph::Graph& g, const OptimizationProfile& p,
                                           ProfilePoint point) {
  std::map<std::string, int64_t> env;
  for (const graph::Value* v : g.inputs()) {
    const InputShapeRange* r = p.Find(v->name);
    if (!r || !v->shape) continue;
    const Shape& s = point == ProfilePoint::kMin   ? r->min
                     : point == ProfilePoint::kOpt ? r->opt
                                                   : r->max;
    for (size_t d = 0; d < v->shape->size() && static_cast<int>(d) < s.rank(); ++d) {
      const graph::Dim& dim = (*v->shape)[d];
      if (dim.is_symbol()) env.emplace(dim.ToString(), s[d]);
    }
  }
  return env;
}

Status CheckShapeInProfile(const OptimizationProfile& p, const std::string& name,
                           const Shape& shape) {
  const InputShapeRange* r = p.Find(name);
  if (!r) return InvalidArgument("input '" + name + "' is not part of profile '" + p.name + "'");
  if (shape.rank() != r->min.rank()) {
    return InvalidArgument("input '" + name + "' has shape " + shape.ToString() + " (rank " +
                           std::to_string(shape.rank()) + "), profile '" + p.name +
                           "' expects rank " + std::to_string(r->min.rank()));
  }
  for (int d = 0; d < shape.rank(); ++d) {
    if (shape[d] < r->min[d] || shape[d] > r->max[d]) {
      return OutOfRange("input '" + name + "' dim " + std::to_string(d) + " is " +
                        std::to_string(shape[d]) + ", outside profile '" + p.name + "' range " +
                        Range(*r, d));
    }
  }
  return Status::Ok();
}

Status CheckShapesInProfile(const OptimizationProfile& p,
                            const std::vector<std::pair<std::string, Shape>>& shapes) {
  for (const auto& [name, shape] : shapes) TRT_RETURN_IF_ERROR(CheckShapeInProfile(p, name, shape));
  return Status::Ok();
}

StatusOr<int> SelectProfile(const std::vector<OptimizationProfile>& profiles,
                            const std::vector<std::pair<std::string, Shape>>& shapes) {
  int best = -1;
  int64_t best_distance = 0;
  std::string reasons;
  for (size_t i = 0; i < profiles.size(); ++i) {
    Status s = CheckShapesInProfile(profiles[i], shapes);
    if (!s.ok()) {
      reasons += (reasons.empty() ? "" : "; ") + s.message();
      continue;
    }
    int64_t distance = 0;
    for (const auto& [name, shape] : shapes) {
      const InputShapeRange* r = profiles[i].Find(name);
      for (int d = 0; d < shape.rank(); ++d) distance += std::llabs(shape[d] - r->opt[d]);
    }
    if (best < 0 || distance < best_distance) {
      best = static_cast<int>(i);
      best_distance = distance;
    }
  }
  if (best < 0) {
    std::string desc;
    for (const auto& [name, shape] : shapes) {
      desc += (desc.empty() ? "" : ", ") + name + "=" + shape.ToXString();
    }
    return OutOfRange("shapes " + desc + " fit no optimization profile: " + reasons);
  }
  return best;
}

}  // namespace trt::runtime
