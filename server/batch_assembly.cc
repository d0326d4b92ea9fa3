#include "server/batch_assembly.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <type_traits>

namespace trt::server {
namespace {

constexpr int kMaxCopyRank = 16;

// Copies the `region` block (rank dims) from the start of src to the start of dst, where src
// and dst are dense row-major tensors of dims src_dims / dst_dims (each >= region per dim).
void CopyDims(int d, int rank, const char* src, char* dst, const int64_t* region,
              const int64_t* src_stride, const int64_t* dst_stride, size_t elem) {
  if (d == rank - 1) {
    std::memcpy(dst, src, static_cast<size_t>(region[d]) * elem);
    return;
  }
  for (int64_t i = 0; i < region[d]; ++i) {
    CopyDims(d + 1, rank, src + i * src_stride[d], dst + i * dst_stride[d], region, src_stride,
             dst_stride, elem);
  }
}

Status CopyRegion(const void* src, std::span<const int64_t> src_dims, void* dst,
                  std::span<const int64_t> dst_dims, std::span<const int64_t> region, size_t elem) {
  const int rank = static_cast<int>(region.size());
  if (rank > kMaxCopyRank) {
    return Internal("tensor rank " + std::to_string(rank) + " is above the batcher's limit of " +
                    std::to_string(kMaxCopyRank));
  }
  for (int d = 0; d < rank; ++d) {
    if (region[d] == 0) return Status::Ok();
  }
  if (rank == 0) {
    std::memcpy(dst, src, elem);
    return Status::Ok();
  }
  int64_t src_stride[kMaxCopyRank], dst_stride[kMaxCopyRank];
  int64_t s = static_cast<int64_t>(elem), t = static_cast<int64_t>(elem);
  for (int d = rank - 1; d >= 0; --d) {
    src_stride[d] = s;
    dst_stride[d] = t;
    s *= src_dims[d];
    t *= dst_dims[d];
  }
  CopyDims(0, rank, static_cast<const char*>(src), static_cast<char*>(dst), region.data(),
           src_stride, dst_stride, elem);
  return Status::Ok();
}

int64_t RowBytes(DType dtype, std::span<const int64_t> dims) {
  int64_t n = static_cast<int64_t>(DTypeSize(dtype));
  for (size_t d = 1; d < dims.size(); ++d) n *= dims[d];
  return n;
}

bool SameTrailingDims(std::span<const int64_t> a, std::span<const int64_t> b) {
  return a.size() == b.size() && std::equal(a.begin() + 1, a.end(), b.begin() + 1);
}

std::string Join(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::string BareSymbol(const graph::Dim& d) {
  return d.is_symbol() && !d.HasUnknown() ? d.ToString() : std::string();
}

Status LayoutInputs(const ModelConfig& config, const graph::Graph& g, ModelLayout* layout) {
  const std::string where = "model '" + config.name + "'";
  const int off = layout->batched ? 1 : 0;
  for (const graph::Value* v : g.inputs()) {
    const TensorConfig* c = config.FindInput(v->name);
    if (c == nullptr) {
      return InvalidArgument(where + ": the model's input '" + v->name +
                             "' is missing from the config's inputs");
    }
    ModelLayout::Input in;
    in.name = v->name;
    in.dtype = c->dtype != DType::kUndefined ? c->dtype : v->dtype;
    if (v->dtype != DType::kUndefined && in.dtype != v->dtype) {
      return InvalidArgument(where + ": input '" + v->name + "' is " +
                             std::string(DTypeName(in.dtype)) + " in the config but " +
                             std::string(DTypeName(v->dtype)) + " in the model");
    }
    in.dims = c->dims;
    const size_t rank = c->dims.size() + off;
    if (v->shape && v->shape->size() != rank) {
      return InvalidArgument(where + ": input '" + v->name + "' has rank " +
                             std::to_string(v->shape->size()) + " in the model but the config's " +
                             std::to_string(c->dims.size()) + " dims imply rank " +
                             std::to_string(rank));
    }
    in.padded.assign(rank, false);
    in.symbols.assign(rank, "");
    in.pad_value = c->pad_value;
    for (size_t d = 0; d < rank; ++d) {
      if (v->shape) in.symbols[d] = BareSymbol((*v->shape)[d]);
      // Padding only exists between requests of one batch: never without batching.
      if (!layout->batched || d < static_cast<size_t>(off) || !c->pad_to_batch ||
          c->dims[d - off] != -1) {
        continue;
      }
      if (in.symbols[d].empty()) {
        return InvalidArgument(where + ": input '" + v->name + "' dim " + std::to_string(d) +
                               " has pad_to_batch but is not a named dynamic dim in the model (" +
                               v->TypeString() +
                               "), so outputs could not be trimmed; name the dim in the model "
                               "or set pad_to_batch: false");
      }
      if (!IsSupportedDType(in.dtype)) {
        return InvalidArgument(where + ": input '" + v->name + "' of dtype " +
                               std::string(DTypeName(in.dtype)) + " cannot be padded");
      }
      in.padded[d] = true;
      layout->any_padding = true;
    }
    layout->inputs.push_back(std::move(in));
  }
  return Status::Ok();
}

Status LayoutOutputs(const ModelConfig& config, const graph::Graph& g, ModelLayout* layout) {
  const std::string where = "model '" + config.name + "'";
  std::set<std::string> padded, bound;
  for (const auto& in : layout->inputs) {
    for (size_t d = 0; d < in.symbols.size(); ++d) {
      if (!in.symbols[d].empty()) bound.insert(in.symbols[d]);
      if (in.padded[d]) padded.insert(in.symbols[d]);
    }
  }
  for (const graph::Value* v : g.outputs()) {
    ModelLayout::Output out;
    out.name = v->name;
    const TensorConfig* c = config.FindOutput(v->name);
    out.dtype = c != nullptr && c->dtype != DType::kUndefined ? c->dtype : v->dtype;
    if (v->shape) out.dims = *v->shape;
    out.trimmed.assign(out.dims.size(), false);
    if (layout->any_padding) {
      if (!v->shape) {
        return InvalidArgument(where + ": output '" + v->name +
                               "' has an unknown rank, so pad_to_batch cannot trim it; set "
                               "pad_to_batch: false");
      }
      for (size_t d = layout->batched ? 1 : 0; d < out.dims.size(); ++d) {
        const graph::Dim& dim = out.dims[d];
        if (dim.is_known()) continue;
        bool depends = dim.HasUnknown(), computable = !dim.HasUnknown();
        for (const std::string& s : dim.Symbols()) {
          depends |= padded.count(s) > 0;
          computable &= bound.count(s) > 0;
        }
        if (!depends) continue;
        if (!computable) {
          return InvalidArgument(where + ": output '" + v->name + "' dim " + std::to_string(d) +
                                 " (" + dim.ToString() +
                                 ") may depend on a pad_to_batch dim but cannot be computed from "
                                 "the input shapes, so it could not be trimmed per request; set "
                                 "pad_to_batch: false");
        }
        out.trimmed[d] = true;
      }
    }
    layout->outputs.push_back(std::move(out));
  }
  return Status::Ok();
}

Status LayoutProfiles(const ModelConfig& config, const runtime::Plan& plan, ModelLayout* layout) {
  const std::string where = "model '" + config.name + "'";
  if (plan.profiles().empty() || plan.profiles().size() > 64) {
    return InvalidArgument(where + ": the plan has " + std::to_string(plan.profiles().size()) +
                           " optimization profiles; the batcher supports 1 to 64");
  }
  bool any_usable = false;
  for (const runtime::OptimizationProfile& p : plan.profiles()) {
    layout->profile_names.push_back(p.name);
    BatchRange r{1, 1, 1};
    if (layout->batched) {
      r = BatchRange{1, 0, layout->max_batch_size};
      for (size_t i = 0; i < layout->inputs.size(); ++i) {
        const runtime::InputShapeRange* s = p.Find(layout->inputs[i].name);
        if (s == nullptr || s->min.rank() == 0) {
          return InvalidArgument(where + ": profile '" + p.name + "' gives no shape for input '" +
                                 layout->inputs[i].name + "'");
        }
        r.min = std::max(r.min, s->min[0]);
        r.max = std::min(r.max, s->max[0]);
        if (i == 0) r.opt = s->opt[0];
      }
      r.opt = std::clamp(r.opt, r.min, std::max(r.min, r.max));
    }
    any_usable |= r.min <= r.max;
    layout->batch_ranges.push_back(r);
  }
  if (!any_usable) {
    return InvalidArgument(where + ": no profile accepts a batch of at most max_batch_size " +
                           std::to_string(layout->max_batch_size) +
                           "; raise max_batch_size or lower the profiles' min batch");
  }
  return Status::Ok();
}

}  // namespace

int ModelLayout::FindInput(std::string_view name) const {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int ModelLayout::FindOutput(std::string_view name) const {
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::string ModelLayout::InputNames() const {
  std::vector<std::string> names;
  for (const auto& i : inputs) names.push_back(i.name);
  return Join(names);
}

std::string ModelLayout::OutputNames() const {
  std::vector<std::string> names;
  for (const auto& o : outputs) names.push_back(o.name);
  return Join(names);
}

StatusOr<std::shared_ptr<const ModelLayout>> BuildModelLayout(const ModelConfig& config,
                                                              const runtime::Plan& plan) {
  auto layout = std::make_shared<ModelLayout>();
  layout->model_name = config.name;
  layout->batched = config.max_batch_size > 0;
  layout->max_batch_size = config.max_batch_size;
  const graph::Graph& g = *plan.model().graph;
  TRT_RETURN_IF_ERROR(LayoutInputs(config, g, layout.get()));
  TRT_RETURN_IF_ERROR(LayoutOutputs(config, g, layout.get()));
  TRT_RETURN_IF_ERROR(LayoutProfiles(config, plan, layout.get()));
  return std::shared_ptr<const ModelLayout>(std::move(layout));
}

void FillWithValue(DType dtype, double value, void* dst, int64_t count) {
  if (count <= 0) return;
  if (value == 0.0 && !std::signbit(value)) {  // every dtype's +0 is all-zero bits
    std::memset(dst, 0, static_cast<size_t>(count) * DTypeSize(dtype));
    return;
  }
  VisitDType(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T v;
    if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
      v = T(static_cast<float>(value));
    } else {
      v = static_cast<T>(value);
    }
    T* p = static_cast<T*>(dst);
    std::fill(p, p + count, v);
  });
}

Status GatherInputs(const ModelLayout& layout, const Batch& batch,
                    const std::vector<Shape>& max_shapes, InputBuffers* buffers,
                    runtime::NamedTensors* bound, GatherCounts* counts) {
  const size_t n_inputs = layout.inputs.size();
  bound->resize(n_inputs);
  for (size_t i = 0; i < n_inputs; ++i) {
    if ((*bound)[i].first != layout.inputs[i].name) (*bound)[i].first = layout.inputs[i].name;
  }
  *counts = GatherCounts{};
  if (batch.pieces.size() == 1) {  // run on the request's own rows: no copy
    const Piece& piece = batch.pieces[0];
    for (size_t i = 0; i < n_inputs; ++i) {
      const Tensor& t = piece.state->inputs[i];
      if (!layout.batched) {
        (*bound)[i].second = t;
      } else {
        Shape shape = t.shape();
        shape[0] = piece.rows;
        char* base = static_cast<char*>(const_cast<void*>(t.raw_data()));
        (*bound)[i].second =
            Tensor::Wrap(t.dtype(), std::move(shape),
                         base + piece.row_offset * RowBytes(t.dtype(), t.shape().dims()), nullptr);
      }
      counts->total_elements += (*bound)[i].second.NumElements();
    }
    return Status::Ok();
  }
  if (!layout.batched) return Internal("several requests in one batch of an unbatched model");
  buffers->buffers.resize(n_inputs);
  buffers->capacity.resize(n_inputs, 0);
  for (size_t i = 0; i < n_inputs; ++i) {
    const ModelLayout::Input& in = layout.inputs[i];
    // The batch shape: rows, then per dim the first piece's size, or the longest if padded.
    Shape shape = batch.pieces[0].state->inputs[i].shape();
    shape[0] = batch.rows;
    for (const Piece& p : batch.pieces) {
      const Shape& s = p.state->inputs[i].shape();
      for (int d = 1; d < shape.rank(); ++d) {
        if (in.padded[d]) shape[d] = std::max(shape[d], s[d]);
      }
    }
    const int64_t bytes = shape.NumElements() * static_cast<int64_t>(DTypeSize(in.dtype));
    if (buffers->capacity[i] < bytes) {
      int64_t want = bytes;
      if (i < max_shapes.size()) {
        want =
            std::max(want, max_shapes[i].NumElements() * static_cast<int64_t>(DTypeSize(in.dtype)));
      }
      void* mem = AlignedAlloc(static_cast<size_t>(want));
      if (mem == nullptr) {
        return ResourceExhausted("cannot allocate " + std::to_string(want) +
                                 " bytes for the batch of input '" + in.name + "'");
      }
      buffers->buffers[i].reset(mem);
      buffers->capacity[i] = want;
    }
    char* dst = static_cast<char*>(buffers->buffers[i].get());
    const int64_t dst_row = RowBytes(in.dtype, shape.dims());
    for (const Piece& p : batch.pieces) {
      const Tensor& t = p.state->inputs[i];
      const int64_t src_row = RowBytes(in.dtype, t.shape().dims());
      const char* src = static_cast<const char*>(t.raw_data()) + p.row_offset * src_row;
      if (SameTrailingDims(t.shape().dims(), shape.dims())) {
        std::memcpy(dst, src, static_cast<size_t>(p.rows * src_row));
      } else {
        const int64_t row_elems = dst_row / static_cast<int64_t>(DTypeSize(in.dtype));
        FillWithValue(in.dtype, in.pad_value, dst, p.rows * row_elems);
        Shape region = t.shape();
        region[0] = p.rows;
        Shape dst_dims = shape;
        dst_dims[0] = p.rows;
        TRT_RETURN_IF_ERROR(CopyRegion(src, region.dims(), dst, dst_dims.dims(), region.dims(),
                                       DTypeSize(in.dtype)));
        counts->padding_elements += p.rows * row_elems - region.NumElements();
      }
      dst += p.rows * dst_row;
    }
    counts->total_elements += shape.NumElements();
    (*bound)[i].second =
        Tensor::Wrap(in.dtype, std::move(shape), buffers->buffers[i].get(), nullptr);
  }
  return Status::Ok();
}

namespace {

// Checks the engine's outputs against the batch before anything is copied.
Status CheckBatchOutputs(const ModelLayout& layout, const Batch& batch,
                         const runtime::NamedTensors& outputs) {
  if (outputs.size() != layout.outputs.size()) {
    return Internal("the engine returned " + std::to_string(outputs.size()) +
                    " outputs, expected " + std::to_string(layout.outputs.size()));
  }
  if (!layout.batched) return Status::Ok();
  for (size_t o = 0; o < outputs.size(); ++o) {
    const Tensor& t = outputs[o].second;
    if (t.rank() == 0 || t.shape()[0] != batch.rows) {
      return Internal("output '" + layout.outputs[o].name + "' has shape " + t.shape().ToString() +
                      ", expected the batch size " + std::to_string(batch.rows) +
                      " as dim 0; the model cannot be batched (set max_batch_size: 0)");
    }
  }
  return Status::Ok();
}

// The response tensor of output `k` of `state`, for an engine output `out`.
Status AllocateResponse(const ModelLayout& layout, RequestState& state,
                        const runtime::NamedTensors& outputs) {
  state.response.resize(state.outputs.size());
  for (size_t k = 0; k < state.outputs.size(); ++k) {
    const int o = state.outputs[k];
    const Tensor& out = outputs[o].second;
    Shape shape = out.shape();
    if (layout.batched) {
      shape[0] = state.rows;
      if (!state.own_output_dims.empty()) {
        const auto& own = state.own_output_dims[k];
        for (size_t d = 1; d < shape.size() && d - 1 < own.size(); ++d) {
          if (own[d - 1] < 0) continue;
          if (own[d - 1] > shape[d]) {
            return Internal("output '" + layout.outputs[o].name + "' dim " + std::to_string(d) +
                            " is " + std::to_string(shape[d]) +
                            ", smaller than the request's own " + std::to_string(own[d - 1]));
          }
          shape[d] = own[d - 1];
        }
      }
    }
    TRT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(out.dtype(), std::move(shape)));
    state.response[k] = {layout.outputs[o].name, std::move(t)};
  }
  return Status::Ok();
}

}  // namespace

Status ScatterOutputs(const ModelLayout& layout, const Batch& batch,
                      const runtime::NamedTensors& outputs) {
  TRT_RETURN_IF_ERROR(CheckBatchOutputs(layout, batch, outputs));
  int64_t batch_row = 0;
  for (const Piece& piece : batch.pieces) {
    RequestState& state = *piece.state;
    std::lock_guard<std::mutex> lock(state.mu);
    if (state.response.empty()) TRT_RETURN_IF_ERROR(AllocateResponse(layout, state, outputs));
    for (size_t k = 0; k < state.outputs.size(); ++k) {
      const Tensor& out = outputs[state.outputs[k]].second;
      Tensor& dst = state.response[k].second;
      if (dst.dtype() != out.dtype() || dst.rank() != out.rank()) {
        return Internal("output '" + state.response[k].first + "' changed from " +
                        dst.Description() + " to " + out.Description() + " between pieces");
      }
      if (!layout.batched) {
        if (dst.shape() != out.shape()) return Internal("output shape changed between runs");
        std::memcpy(dst.raw_data(), out.raw_data(), out.nbytes());
        continue;
      }
      const int64_t src_row = RowBytes(out.dtype(), out.shape().dims());
      const int64_t dst_row = RowBytes(dst.dtype(), dst.shape().dims());
      const char* src = static_cast<const char*>(out.raw_data()) + batch_row * src_row;
      char* to = static_cast<char*>(dst.raw_data()) + piece.row_offset * dst_row;
      if (SameTrailingDims(out.shape().dims(), dst.shape().dims())) {
        std::memcpy(to, src, static_cast<size_t>(piece.rows * src_row));
        continue;
      }
      Shape region = dst.shape();
      region[0] = piece.rows;
      Shape src_dims = out.shape();
      src_dims[0] = piece.rows;
      for (int d = 1; d < region.rank(); ++d) {
        if (region[d] > src_dims[d]) {
          return Internal("output '" + state.response[k].first + "' is " + out.Description() +
                          ", smaller than the request's " + dst.Description());
        }
      }
      TRT_RETURN_IF_ERROR(CopyRegion(src, src_dims.dims(), to, region.dims(), region.dims(),
                                     DTypeSize(out.dtype())));
    }
    batch_row += piece.rows;
  }
  return Status::Ok();
}

}  // namespace trt::server
