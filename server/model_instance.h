// ModelInstance: one execution instance of a served model. It owns one
// runtime::ExecutionContext per optimization profile (created, with their arenas, at Create)
// and the reusable input buffers batches are concatenated into, and executes batches:
// gather the pieces' inputs -> run the profile's context -> copy each piece's output rows
// into its request's response (the context's outputs alias its arena until the next run).
//
// The instance has no thread of its own: the DynamicBatcher runs one worker thread per
// instance and calls Execute from it.
// Threading: NOT thread-safe; one thread at a time (contexts are single-threaded by design).
// Intra-op parallelism: with `threads` > 1 the instance owns ONE pool of that many threads,
// shared by all its per-profile contexts (it runs one batch at a time), so an instance costs
// `threads` threads whatever the number of profiles.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/base/status.h"
#include "engine/runtime/execution_context.h"
#include "engine/runtime/plan.h"
#include "server/batch_assembly.h"
#include "server/clock.h"
#include "server/model_config.h"

namespace trt::server {

// Durations (ns) and element counts of one executed batch.
struct BatchTiming {
  uint64_t input_ns = 0;   // gathering inputs
  uint64_t infer_ns = 0;   // the engine run
  uint64_t output_ns = 0;  // copying outputs into the responses
  GatherCounts counts;
};

class ModelInstance {
 public:
  // `index` names the instance in errors and logs. Creates every profile's context.
  static StatusOr<std::unique_ptr<ModelInstance>> Create(std::shared_ptr<const runtime::Plan> plan,
                                                         std::shared_ptr<const ModelLayout> layout,
                                                         int index, int threads);

  // Runs every profile's context `iterations` times at the profile's opt shapes, with zeros
  // or uniform random data (floats in [0, 1), integers and bools 0 or 1). Errors name the
  // profile.
  Status Warmup(int iterations, WarmupConfig::Data data);

  // Executes `batch` on its profile's context and writes the outputs of every piece into its
  // RequestState (response tensors allocated by the first piece of a request that finishes).
  // On error nothing is guaranteed about the responses; the caller fails every piece. The
  // error carries the model, profile and batch size.
  Status Execute(const Batch& batch, const Clock& clock, BatchTiming* timing);

  int index() const { return index_; }
  int num_profiles() const { return static_cast<int>(contexts_.size()); }
  const runtime::ExecutionContext& context(int profile) const { return *contexts_[profile]; }

 private:
  ModelInstance() = default;

  std::shared_ptr<const runtime::Plan> plan_;
  std::shared_ptr<const ModelLayout> layout_;
  int index_ = 0;
  std::shared_ptr<ThreadPool> pool_;                                  // null when threads == 1
  std::vector<std::unique_ptr<runtime::ExecutionContext>> contexts_;  // per profile
  std::vector<std::vector<Shape>> max_shapes_;                        // per profile, per input
  std::vector<InputBuffers> buffers_;                                 // per profile
  runtime::NamedTensors bound_;                                       // reused input bindings
  runtime::NamedTensors outputs_;  // reused output vector (tensors alias the arena)
};

}  // namespace trt::server
