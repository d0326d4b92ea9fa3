// Batch assembly: the data the batcher and the instances share about requests and batches,
// and the copies that turn queued requests into one engine call and back.
//
// - ModelLayout: what batching needs to know about one model, fixed at batcher creation
//   (inputs/outputs in the plan's graph order, config dims, pad_to_batch settings, which
//   output dims are trimmed after padding, the profiles' batch ranges).
// - RequestState / Piece / Batch: an accepted request, the queue entries it was split into,
//   and a group of pieces executed together on one profile.
// - GatherInputs: concatenates the pieces' rows into an instance's reusable input buffers
//   (padding pad_to_batch dims up to the batch's longest with pad_value); a batch of one piece
//   runs on the request's own tensors (a zero-copy view of its rows).
// - ScatterOutputs: copies each piece's rows out of the engine's outputs (which alias the
//   execution context's arena) into the request's own response tensors, trimming padded dims
//   back to the request's size.
//
// Layouts: dense row-major tensors; with batching, dim 0 of every input and output is the
// batch. Padding is only ever at the end of a dim (a request's values sit at index 0..n-1).
// Padding trims outputs only; reductions over a padded dim see the pad values (choose
// pad_value accordingly, e.g. 0 with an attention mask).
// Threading: ModelLayout is immutable and shared. A RequestState's response fields are
// guarded by its own mutex (pieces of one request may finish on different instances).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/base/aligned_alloc.h"
#include "engine/base/status.h"
#include "engine/graph/sym_dim.h"
#include "engine/runtime/bindings.h"
#include "engine/runtime/plan.h"
#include "server/batch_policy.h"
#include "server/infer_request.h"
#include "server/model_config.h"

namespace trt::server {

struct ModelLayout {
  struct Input {
    std::string name;
    DType dtype = DType::kUndefined;
    std::vector<int64_t> dims;  // config dims, batch dim excluded when batched; -1 = dynamic
    // Per full dim (batch dim included when batched): padded when the batch's members differ.
    std::vector<bool> padded;
    double pad_value = 0.0;
    // Per full dim: the model's bare symbol for it ("" when static or an expression).
    std::vector<std::string> symbols;
  };
  struct Output {
    std::string name;
    DType dtype = DType::kUndefined;
    // Per full dim: the model's symbolic size; trimmed[d] when it depends on a padded symbol
    // (the response keeps the request's own size, evaluated from its input shapes).
    std::vector<graph::Dim> dims;
    std::vector<bool> trimmed;
  };

  std::string model_name;
  bool batched = false;  // max_batch_size > 0
  int64_t max_batch_size = 0;
  bool any_padding = false;
  std::vector<Input> inputs;    // the plan's graph input order
  std::vector<Output> outputs;  // the plan's graph output order
  std::vector<std::string> profile_names;
  std::vector<BatchRange> batch_ranges;  // per profile (clamped to max_batch_size)

  int FindInput(std::string_view name) const;   // -1 when absent
  int FindOutput(std::string_view name) const;  // -1 when absent
  // "input, mask" / "logits, probabilities": for error messages.
  std::string InputNames() const;
  std::string OutputNames() const;
};

// Builds the layout and checks that config and plan agree (every plan input/output is in the
// config with the same dtype; pad_to_batch dims are named symbols in the model, and every
// output dim that depends on one can be recomputed per request). Errors: INVALID_ARGUMENT
// naming the model, tensor and dim, with what to change.
StatusOr<std::shared_ptr<const ModelLayout>> BuildModelLayout(const ModelConfig& config,
                                                              const runtime::Plan& plan);

// An accepted request and its response being assembled.
struct RequestState {
  std::unique_ptr<InferRequest> request;
  std::vector<Tensor> inputs;  // in ModelLayout::inputs order (moved out of the request)
  std::vector<int> outputs;    // ModelLayout::outputs index per response output, in order
  // Per response output, per non-batch dim: the request's own size for trimmed dims, -1 for
  // "as the engine computed". Empty without padding.
  std::vector<std::vector<int64_t>> own_output_dims;
  int64_t rows = 1;       // batch rows (1 without batching)
  int level = 0;          // priority level index (0 = level 1)
  uint64_t seq = 0;       // acceptance order (preserve_ordering)
  int pieces = 1;         // queue entries the request was split into
  int pieces_queued = 0;  // still queued; guarded by the batcher's mutex

  // Guarded by mu: filled by the pieces as they finish.
  std::mutex mu;
  int pieces_left = 1;             // pieces not yet finished (executed, failed or expired)
  Status status;                   // first failure wins
  runtime::NamedTensors response;  // allocated by the first piece that finishes
  bool started = false;
  TimePoint first_start{};                             // start of the first batch that ran a piece
  uint64_t input_ns = 0, infer_ns = 0, output_ns = 0;  // summed over pieces
};

// One queue entry: rows [row_offset, row_offset + rows) of a request.
struct Piece {
  std::shared_ptr<RequestState> state;
  int64_t row_offset = 0;
  int64_t rows = 1;
};

struct Batch {
  int profile = -1;
  int64_t rows = 0;  // sum of the pieces' rows
  std::vector<Piece> pieces;
};

// Reusable per-instance, per-profile input storage: one buffer per model input, allocated
// (once) at the profile's max shape the first time a batch needs a copy.
struct InputBuffers {
  std::vector<AlignedBuffer> buffers;
  std::vector<int64_t> capacity;  // bytes per buffer
};

// Element counts of a gathered batch (for ModelStats::RecordExecution).
struct GatherCounts {
  int64_t total_elements = 0;    // input elements executed, padding included
  int64_t padding_elements = 0;  // of which padding
};

// Binds the batch's inputs into `bound` (names in layout order; reused across calls).
// `max_shapes` are the profile's max input shapes (layout order) for sizing buffers.
Status GatherInputs(const ModelLayout& layout, const Batch& batch,
                    const std::vector<Shape>& max_shapes, InputBuffers* buffers,
                    runtime::NamedTensors* bound, GatherCounts* counts);

// Copies each piece's rows of `outputs` (the engine's, layout output order) into its
// request's response tensors. Errors (INTERNAL) when an output's batch dim is not the batch
// size or a trimmed dim is smaller than a request's own size; nothing is written then.
Status ScatterOutputs(const ModelLayout& layout, const Batch& batch,
                      const runtime::NamedTensors& outputs);

// Writes `count` elements of `value` (converted to `dtype`) at `dst`.
void FillWithValue(DType dtype, double value, void* dst, int64_t count);

}  // namespace trt::server
