#include "server/request_validation.h"

#include <algorithm>
#include <bit>

#include "engine/runtime/bindings.h"

namespace trt::server {
namespace {

std::string DimsToString(const std::vector<int64_t>& dims, bool batched) {
  std::string s = "[";
  if (batched) s += dims.empty() ? "-1" : "-1, ";
  for (size_t d = 0; d < dims.size(); ++d) s += (d ? ", " : "") + std::to_string(dims[d]);
  return s + "]";
}

std::string RangeOf(const runtime::InputShapeRange& r, int d) {
  std::string s = "[";  // (built step by step: GCC 12 warns on "[" + std::string&&)
  s += std::to_string(r.min[d]);
  s += ", ";
  s += std::to_string(r.max[d]);
  return s + "]";
}

// "FP32 (float32)": the KServe and the ONNX spelling.
std::string DTypeNames(DType t) {
  std::string s(KServeDatatype(t));
  s += " (";
  s += DTypeName(t);
  return s + ")";
}

bool InRange(const runtime::InputShapeRange* r, const Shape& s, int d) {
  return r != nullptr && d < r->min.rank() && s[d] >= r->min[d] && s[d] <= r->max[d];
}

}  // namespace

RequestValidator::RequestValidator(std::shared_ptr<const ModelLayout> layout,
                                   std::shared_ptr<const runtime::Plan> plan,
                                   const DynamicBatchingConfig& batching)
    : layout_(std::move(layout)), plan_(std::move(plan)) {
  priority_levels_ = std::max<uint32_t>(1, batching.priority_levels);
  default_priority_level_ =
      std::clamp<uint32_t>(batching.default_priority_level, 1, priority_levels_);
  for (const runtime::OptimizationProfile& p : plan_->profiles()) {
    std::vector<const runtime::InputShapeRange*> per_input;
    for (const auto& in : layout_->inputs) per_input.push_back(p.Find(in.name));
    ranges_.push_back(std::move(per_input));
  }
  if (!layout_->batched) return;
  int total_bits = 0;
  for (size_t i = 0; i < layout_->inputs.size(); ++i) {
    const ModelLayout::Input& in = layout_->inputs[i];
    for (size_t d = 1; d < in.dims.size() + 1; ++d) {
      if (in.padded[d] || in.dims[d - 1] != -1) continue;
      int64_t lo = INT64_MAX, hi = 0;
      for (const auto& per_input : ranges_) {
        const runtime::InputShapeRange* r = per_input[i];
        if (r == nullptr || static_cast<int>(d) >= r->min.rank()) continue;
        lo = std::min(lo, r->min[d]);
        hi = std::max(hi, r->max[d]);
      }
      if (lo == hi) continue;  // every profile fixes it: never differs between requests
      const int bits = std::max(1, static_cast<int>(std::bit_width(static_cast<uint64_t>(hi))));
      key_dims_.push_back({static_cast<int>(i), static_cast<int>(d), bits});
      total_bits += bits;
    }
  }
  key_packed_ = total_bits <= 63;
}

StatusOr<PreparedRequest> RequestValidator::Prepare(std::unique_ptr<InferRequest> request) const {
  if (request == nullptr) return InvalidArgument(Where() + ": null request");
  if (!request->on_complete) {
    return InvalidArgument(Where() + ": request '" + request->id + "' has no completion callback");
  }
  const uint64_t priority = request->priority == 0 ? default_priority_level_ : request->priority;
  if (priority > priority_levels_) {
    return InvalidArgument(Where() + ": priority " + std::to_string(request->priority) +
                           " is out of range; use 1 (highest) to " +
                           std::to_string(priority_levels_) + ", or 0 for the default (" +
                           std::to_string(default_priority_level_) + ")");
  }
  std::vector<int> order;
  TRT_RETURN_IF_ERROR(CheckInputs(*request, &order));
  PreparedRequest out;
  out.state = std::make_shared<RequestState>();
  RequestState& state = *out.state;
  state.level = static_cast<int>(priority) - 1;
  TRT_RETURN_IF_ERROR(CheckBatchDims(*request, order, &state.rows));
  state.inputs.reserve(order.size());
  for (int j : order) state.inputs.push_back(request->inputs[j].second);
  TRT_RETURN_IF_ERROR(ProfilesFor(state.inputs, &out.profile_mask));
  if (layout_->batched) {
    out.piece_rows = SplitRows(layout_->batch_ranges, out.profile_mask, state.rows);
    if (out.piece_rows.empty()) {
      std::string ranges;
      for (size_t p = 0; p < layout_->batch_ranges.size(); ++p) {
        if (!((out.profile_mask >> p) & 1)) continue;
        ranges += (ranges.empty() ? "" : ", ") + layout_->profile_names[p] + " [" +
                  std::to_string(layout_->batch_ranges[p].min) + ", " +
                  std::to_string(layout_->batch_ranges[p].max) + "]";
      }
      return InvalidArgument(Where() + ": batch " + std::to_string(state.rows) +
                             " fits no profile for these shapes and cannot be split into "
                             "batches that do; batch ranges: " +
                             ranges + "; send a batch inside one of them or add a profile");
    }
  } else {
    out.piece_rows = {1};
  }
  // Symbolic dims the model shares between inputs (checked on the first piece's rows: a
  // plan may have specialized the batch dim to the only size its profiles allow).
  Status bound;
  if (out.piece_rows[0] == state.rows || !layout_->batched) {
    bound = runtime::ValidateBindings(plan_->model(), request->inputs);
  } else {
    runtime::NamedTensors first;
    for (size_t i = 0; i < state.inputs.size(); ++i) {
      Shape s = state.inputs[i].shape();
      s[0] = out.piece_rows[0];
      first.emplace_back(layout_->inputs[i].name,
                         Tensor::Wrap(state.inputs[i].dtype(), std::move(s),
                                      const_cast<void*>(state.inputs[i].raw_data()), nullptr));
    }
    bound = runtime::ValidateBindings(plan_->model(), first);
  }
  if (!bound.ok()) {
    std::string msg = bound.message();
    const std::string engine_prefix = "model '" + plan_->model().name + "': ";
    if (msg.rfind(engine_prefix, 0) == 0) msg = msg.substr(engine_prefix.size());
    return Status(bound.code(), Where() + ": " + msg);
  }
  TRT_RETURN_IF_ERROR(OutputsFor(*request, &state));
  if (layout_->any_padding) TRT_RETURN_IF_ERROR(OwnOutputDims(&state));
  out.shape_key = layout_->batched ? ShapeKey(state.inputs) : 0;
  state.pieces = static_cast<int>(out.piece_rows.size());
  state.pieces_left = state.pieces;
  request->inputs.clear();  // state.inputs hold the tensors now
  state.request = std::move(request);
  return out;
}

Status RequestValidator::CheckInputs(const InferRequest& request, std::vector<int>* order) const {
  const auto& inputs = layout_->inputs;
  order->assign(inputs.size(), -1);
  for (size_t j = 0; j < request.inputs.size(); ++j) {
    const std::string& name = request.inputs[j].first;
    const int i = layout_->FindInput(name);
    if (i < 0) {
      return InvalidArgument(Where() + ": unexpected input '" + name +
                             "'; the model's inputs are: " + layout_->InputNames());
    }
    if ((*order)[i] >= 0) return InvalidArgument(Where() + ": input '" + name + "' given twice");
    (*order)[i] = static_cast<int>(j);
  }
  const int off = layout_->batched ? 1 : 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ModelLayout::Input& in = inputs[i];
    const std::string expected =
        std::string(KServeDatatype(in.dtype)) + " " + DimsToString(in.dims, layout_->batched);
    if ((*order)[i] < 0) {
      return InvalidArgument(Where() + ": missing input '" + in.name + "' (expected " + expected +
                             ")");
    }
    const Tensor& t = request.inputs[(*order)[i]].second;
    const std::string what = Where() + ": input '" + in.name + "'";
    if (!t.defined()) return InvalidArgument(what + " has no data (expected " + expected + ")");
    if (t.dtype() != in.dtype) {  // both spellings: KServe (what clients send) and ONNX
      return InvalidArgument(what + " has datatype " + DTypeNames(t.dtype()) + ", expected " +
                             DTypeNames(in.dtype));
    }
    int64_t bytes = 0;
    Status size = CheckShapeSize(t.dtype(), t.shape(), &bytes);
    if (!size.ok()) return InvalidArgument(what + ": " + size.message());
    if (bytes > 0 && t.raw_data() == nullptr) {
      return InvalidArgument(what + " has shape " + t.shape().ToString() + " but no data");
    }
    const size_t rank = in.dims.size() + off;
    if (t.shape().size() != rank) {
      return InvalidArgument(what + " has shape " + t.shape().ToString() + " (rank " +
                             std::to_string(t.rank()) + "), expected rank " + std::to_string(rank) +
                             " " + DimsToString(in.dims, layout_->batched) +
                             (layout_->batched ? " (batch dim first)" : ""));
    }
    for (size_t d = off; d < rank; ++d) {
      const int64_t want = in.dims[d - off];
      if (want != -1 && t.shape()[d] != want) {
        return InvalidArgument(what + " has shape " + t.shape().ToString() + ", expected " +
                               DimsToString(in.dims, layout_->batched) + " (dim " +
                               std::to_string(d) + " must be " + std::to_string(want) + ")");
      }
    }
  }
  return Status::Ok();
}

Status RequestValidator::CheckBatchDims(const InferRequest& request, const std::vector<int>& order,
                                        int64_t* rows) const {
  *rows = 1;
  if (!layout_->batched || order.empty()) return Status::Ok();
  const auto& first = request.inputs[order[0]];
  *rows = first.second.shape()[0];
  for (size_t i = 1; i < order.size(); ++i) {
    const auto& other = request.inputs[order[i]];
    if (other.second.shape()[0] != *rows) {
      return InvalidArgument(Where() + ": inputs disagree on the batch dim: '" + first.first +
                             "' has " + std::to_string(*rows) + " rows, '" + other.first +
                             "' has " + std::to_string(other.second.shape()[0]));
    }
  }
  if (*rows < 1) {
    return InvalidArgument(Where() + ": input '" + first.first + "' has shape " +
                           first.second.shape().ToString() +
                           ", an empty batch; send at least one row");
  }
  if (*rows > layout_->max_batch_size) {
    return InvalidArgument(Where() + ": batch " + std::to_string(*rows) + " (input '" +
                           first.first + "' shape " + first.second.shape().ToString() +
                           ") is larger than max_batch_size " +
                           std::to_string(layout_->max_batch_size) +
                           "; send smaller requests or raise max_batch_size");
  }
  return Status::Ok();
}

Status RequestValidator::ProfilesFor(const std::vector<Tensor>& inputs, uint64_t* mask) const {
  const int off = layout_->batched ? 1 : 0;
  *mask = 0;
  int best = -1;
  int64_t best_distance = 0;
  for (size_t p = 0; p < ranges_.size(); ++p) {
    bool ok = true;
    int64_t distance = 0;
    for (size_t i = 0; i < inputs.size() && ok; ++i) {
      const Shape& s = inputs[i].shape();
      for (int d = off; d < s.rank() && ok; ++d) {
        ok = InRange(ranges_[p][i], s, d);
        if (ok) distance += std::llabs(s[d] - ranges_[p][i]->opt[d]);
      }
    }
    if (!ok) continue;
    *mask |= uint64_t{1} << p;
    if (best < 0 || distance < best_distance) best = static_cast<int>(p), best_distance = distance;
  }
  if (*mask != 0) {
    // Without batching the request runs on exactly the profile SelectProfile would pick.
    if (!layout_->batched) *mask = uint64_t{1} << best;
    return Status::Ok();
  }
  // Name a dim no profile accepts, or else say which profile rejects what.
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape& s = inputs[i].shape();
    for (int d = off; d < s.rank(); ++d) {
      std::string ranges;
      bool any = false;
      for (size_t p = 0; p < ranges_.size(); ++p) {
        any |= InRange(ranges_[p][i], s, d);
        if (ranges_[p][i] != nullptr && d < ranges_[p][i]->min.rank()) {
          ranges += (ranges.empty() ? "" : ", ") + layout_->profile_names[p] + " " +
                    RangeOf(*ranges_[p][i], d);
        }
      }
      if (!any) {
        return InvalidArgument(Where() + ": input '" + layout_->inputs[i].name + "' dim " +
                               std::to_string(d) + " is " + std::to_string(s[d]) +
                               ", outside every profile: " + ranges);
      }
    }
  }
  std::string shapes, reasons;
  for (size_t i = 0; i < inputs.size(); ++i) {
    shapes += (i ? ", " : "") + layout_->inputs[i].name + "=" + inputs[i].shape().ToString();
  }
  for (size_t p = 0; p < ranges_.size(); ++p) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      const Shape& s = inputs[i].shape();
      int bad = -1;
      for (int d = off; d < s.rank() && bad < 0; ++d) {
        if (!InRange(ranges_[p][i], s, d)) bad = d;
      }
      if (bad < 0) continue;
      reasons += (reasons.empty() ? "" : "; ") + layout_->profile_names[p] + ": input '" +
                 layout_->inputs[i].name + "' dim " + std::to_string(bad) + " is " +
                 std::to_string(s[bad]) +
                 (ranges_[p][i] ? ", outside " + RangeOf(*ranges_[p][i], bad) : "");
      break;
    }
  }
  return InvalidArgument(Where() + ": input shapes " + shapes +
                         " fit no single profile: " + reasons);
}

Status RequestValidator::OutputsFor(const InferRequest& request, RequestState* state) const {
  const size_t n = layout_->outputs.size();
  if (request.requested_outputs.empty()) {
    state->outputs.resize(n);
    for (size_t o = 0; o < n; ++o) state->outputs[o] = static_cast<int>(o);
    return Status::Ok();
  }
  for (const std::string& name : request.requested_outputs) {
    const int o = layout_->FindOutput(name);
    if (o < 0) {
      return InvalidArgument(Where() + ": unknown output '" + name +
                             "' requested; the model's outputs are: " + layout_->OutputNames());
    }
    if (std::find(state->outputs.begin(), state->outputs.end(), o) != state->outputs.end()) {
      return InvalidArgument(Where() + ": output '" + name + "' requested twice");
    }
    state->outputs.push_back(o);
  }
  return Status::Ok();
}

Status RequestValidator::OwnOutputDims(RequestState* state) const {
  std::map<std::string, int64_t> env;
  for (size_t i = 0; i < layout_->inputs.size(); ++i) {
    const auto& symbols = layout_->inputs[i].symbols;
    for (size_t d = 1; d < symbols.size(); ++d) {
      if (!symbols[d].empty()) env[symbols[d]] = state->inputs[i].shape()[d];
    }
  }
  state->own_output_dims.resize(state->outputs.size());
  for (size_t k = 0; k < state->outputs.size(); ++k) {
    const ModelLayout::Output& out = layout_->outputs[state->outputs[k]];
    auto& own = state->own_output_dims[k];
    own.assign(out.dims.empty() ? 0 : out.dims.size() - 1, -1);
    for (size_t d = 1; d < out.dims.size(); ++d) {
      if (!out.trimmed[d]) continue;
      std::optional<int64_t> v = out.dims[d].Evaluate(env);
      if (!v || *v < 0) {
        return InvalidArgument(Where() + ": cannot compute output '" + out.name + "' dim " +
                               std::to_string(d) + " (" + out.dims[d].ToString() +
                               ") from this request's input shapes");
      }
      own[d - 1] = *v;
    }
  }
  return Status::Ok();
}

uint64_t RequestValidator::ShapeKey(const std::vector<Tensor>& inputs) const {
  if (key_dims_.empty()) return 0;
  if (key_packed_) {
    uint64_t key = 0;
    for (const KeyDim& k : key_dims_) {
      key = (key << k.bits) | static_cast<uint64_t>(inputs[k.input].shape()[k.dim]);
    }
    return key;
  }
  std::vector<int64_t> dims;
  dims.reserve(key_dims_.size());
  for (const KeyDim& k : key_dims_) dims.push_back(inputs[k.input].shape()[k.dim]);
  std::lock_guard<std::mutex> lock(intern_mu_);
  auto [it, inserted] = interned_.emplace(std::move(dims), interned_.size());
  return it->second;
}

}  // namespace trt::server
