// Optimization profiles: per model input, the min/opt/max shapes a plan must serve.
//
// A plan holds one or more profiles (e.g. "latency": batch 1; "dynamic": batch 1..32 opt 4;
// "offline": batch 128). The builder specializes for `opt`, checks validity over the whole
// range, and plans memory for `max`. Dims that the model names symbolically and shares
// between inputs (input_ids and attention_mask share `batch` and `seq`) must have identical
// ranges in a profile, and a binding must give them identical values.
// Thread safety: plain values.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/shape.h"
#include "engine/base/status.h"
#include "engine/graph/graph.h"

namespace trt::runtime {

struct InputShapeRange {
  std::string input;
  Shape min, opt, max;
};

struct OptimizationProfile {
  std::string name;
  std::vector<InputShapeRange> inputs;

  const InputShapeRange* Find(std::string_view input) const;
  // "latency: input=1x3x224x224" or "dynamic: input=1x3x224x224..4x3x224x224..32x3x224x224"
  std::string ToString() const;
};

// Parses "NAME:INPUT=MIN..OPT..MAX[,INPUT=...]"; shapes are "AxBxC" (a scalar is "scalar").
// "INPUT=SHAPE" alone means min = opt = max, and "INPUT=MIN..MAX" means opt = max.
StatusOr<OptimizationProfile> ParseProfileSpec(std::string_view spec);
// Parses trtexec's spellings: each of min/opt/max is a list of "input:AxBxC[,input:...]"
// strings; the i-th entries of the three lists form profile i (named "profile<i>").
StatusOr<std::vector<OptimizationProfile>> ProfilesFromTrtexecShapes(
    const std::vector<std::string>& min_shapes, const std::vector<std::string>& opt_shapes,
    const std::vector<std::string>& max_shapes);
// "1x3x224x224" -> Shape.
StatusOr<Shape> ParseXShape(std::string_view text);

// Checks a profile against the graph inputs and completes it: every input is covered (inputs
// whose shape is fully static may be omitted and are filled in), ranks and static dims match,
// min <= opt <= max per dim, and symbolic dims shared by several inputs have equal ranges.
// Errors name the profile, input, dim and values.
Status ValidateProfile(const graph::Graph& g, OptimizationProfile& profile);

// Per-profile values of the graph's named symbolic dims (e.g. {"batch": 4, "seq": 128}) for
// one of min/opt/max. Only symbols that appear bare in some input dim are bound.
enum class ProfilePoint { kMin, kOpt, kMax };
std::map<std::string, int64_t> BindSymbols(const graph::Graph& g,
                                           const OptimizationProfile& profile, ProfilePoint point);

// Checks concrete input shapes against a profile. Errors name the input, the dim, the value
// and the allowed range, e.g. "input 'input' dim 0 is 64, outside profile 'dynamic' range
// [1, 32]".
Status CheckShapesInProfile(const OptimizationProfile& profile,
                            const std::vector<std::pair<std::string, Shape>>& shapes);
// One input (no allocation on success; used per request by execution contexts).
Status CheckShapeInProfile(const OptimizationProfile& profile, const std::string& input,
                           const Shape& shape);

// Picks the profile for a binding: among profiles that accept it, the one whose opt is
// closest (sum of |dim - opt| over all inputs; ties to the lower index). Fails with every
// profile's reason when none accepts the shapes.
StatusOr<int> SelectProfile(const std::vector<OptimizationProfile>& profiles,
                            const std::vector<std::pair<std::string, Shape>>& shapes);

}  // namespace trt::runtime
