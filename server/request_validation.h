// Request validation: everything the batcher checks before it accepts a request, and the
// per-request facts the queue needs (priority level, batch rows, how the request is split,
// its shape key and the profiles that accept its non-batch dims).
//
// Checks, in order (every error is INVALID_ARGUMENT and starts with "model '<name>': ",
// naming the tensor with the expected and actual values):
//   no on_complete; priority above priority_levels; unknown, duplicate or missing inputs;
//   undefined tensors or tensors without data; wrong dtype; wrong rank; non-batch dims that
//   differ from the config's dims; inputs disagreeing on the batch dim; batch 0; batch above
//   max_batch_size (Triton's behaviour: never split); symbolic dims the model shares between
//   inputs bound to different values; non-batch dims outside every profile (e.g. "model
//   'bert': input 'input_ids' dim 1 is 600, outside every profile: latency [1, 128], offline
//   [1, 512]"); a batch that cannot be split into sizes the profiles accept; unknown or
//   duplicate requested outputs.
// Splitting: a request whose batch some profile accepts (for its shapes) is one queue entry;
// otherwise it becomes the fewest pieces whose sizes profiles accept (SplitRows), executed
// separately and reassembled in order into one response.
// Shape key: equal keys <=> equal non-batch dims, except dynamic dims of pad_to_batch inputs
// (which are padded instead). Exact (never a hash that could collide): the varying dims are
// bit-packed when they fit 64 bits, else interned in a table.
// Threading: Prepare is thread-safe (called from gRPC threads concurrently).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/base/status.h"
#include "engine/runtime/plan.h"
#include "server/batch_assembly.h"
#include "server/model_config.h"

namespace trt::server {

struct PreparedRequest {
  std::shared_ptr<RequestState> state;  // inputs moved in, outputs resolved
  std::vector<int64_t> piece_rows;      // queue entries, in row order (sum = state->rows)
  uint64_t shape_key = 0;
  uint64_t profile_mask = 0;
};

class RequestValidator {
 public:
  RequestValidator(std::shared_ptr<const ModelLayout> layout,
                   std::shared_ptr<const runtime::Plan> plan,
                   const DynamicBatchingConfig& batching);

  // Validates `request` and moves it into a RequestState. On error the request is dropped
  // and the status says why.
  StatusOr<PreparedRequest> Prepare(std::unique_ptr<InferRequest> request) const;

 private:
  Status CheckInputs(const InferRequest& request, std::vector<int>* order) const;
  Status CheckBatchDims(const InferRequest& request, const std::vector<int>& order,
                        int64_t* rows) const;
  Status ProfilesFor(const std::vector<Tensor>& inputs, uint64_t* mask) const;
  Status OutputsFor(const InferRequest& request, RequestState* state) const;
  Status OwnOutputDims(RequestState* state) const;
  uint64_t ShapeKey(const std::vector<Tensor>& inputs) const;
  std::string Where() const { return "model '" + layout_->model_name + "'"; }

  std::shared_ptr<const ModelLayout> layout_;
  std::shared_ptr<const runtime::Plan> plan_;
  uint32_t priority_levels_ = 1;
  uint32_t default_priority_level_ = 1;
  // ranges_[p][i]: profile p's range for layout input i.
  std::vector<std::vector<const runtime::InputShapeRange*>> ranges_;
  // The key's varying dims (input, dim) and their bit widths; packed when total <= 64 bits.
  struct KeyDim {
    int input;
    int dim;
    int bits;
  };
  std::vector<KeyDim> key_dims_;
  bool key_packed_ = true;
  mutable std::mutex intern_mu_;
  mutable std::map<std::vector<int64_t>, uint64_t> interned_;  // guarded by intern_mu_
};

}  // namespace trt::server
