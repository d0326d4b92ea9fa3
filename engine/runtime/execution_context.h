// ExecutionContext: runs a Plan for one optimization profile.
//
// Created once per profile per worker (Plan + profile index); owns a 64-byte aligned arena
// sized by the profile's memory plan, its value slots and (optionally) an intra-op pool.
// Run() checks the bindings against the model (names, dtypes, ranks) and the profile (every
// dim inside [min, max]; the error names the input, dim, value and range), then executes.
// Intermediate values live in the arena at planned offsets, so steady-state runs do not
// allocate tensor memory on the heap; values whose size is data-dependent (NonZero, ...)
// or larger than planned fall back to the heap and are counted in heap_fallbacks().
//
// Outputs: the returned tensors alias the arena (or the inputs) and stay valid until the
// next Run() on this context; Clone() them to keep them longer.
// Threading: NOT thread-safe: one thread uses a context at a time (create one per worker).
//
// Kernels get their outputs uninitialized (the arena is never cleared between nodes or
// runs). With TRTSERVE_POISON_ARENA=1 in the environment at Create(), every Run() first fills
// the arena with 0xFF bytes (NaN floats, -1 integers), so a kernel that leaves part of an
// output unwritten shows wrong results at once (the plan-mode conformance suite runs once
// this way); a debugging aid that costs a write of the whole arena per run.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/base/aligned_alloc.h"
#include "engine/base/thread_pool.h"
#include "engine/runtime/bindings.h"
#include "engine/runtime/plan.h"

namespace trt::runtime {

class ExecutionContext {
 public:
  // `threads` > 1 gives the context its own intra-op pool.
  static StatusOr<std::unique_ptr<ExecutionContext>> Create(std::shared_ptr<const Plan> plan,
                                                            int profile, int threads = 1);
  // Runs on `pool` (null = on the caller's thread only). Several contexts may share one pool
  // when they are used by one thread at a time (a server instance's per-profile contexts:
  // one set of intra-op threads per instance, not per profile). ThreadPool serializes
  // concurrent ParallelFor callers, so sharing is safe, just not parallel across contexts.
  static StatusOr<std::unique_ptr<ExecutionContext>> Create(std::shared_ptr<const Plan> plan,
                                                            int profile,
                                                            std::shared_ptr<ThreadPool> pool);
  ~ExecutionContext();

  // Runs one request. `outputs` is reused: when it already holds this model's output names
  // (any previous Run), a steady-state call performs no heap allocation in the runtime.
  Status Run(const NamedTensors& inputs, NamedTensors* outputs);
  // Convenience form returning a fresh vector.
  StatusOr<NamedTensors> Run(const NamedTensors& inputs);

  const OptimizationProfile& profile() const { return plan_->profiles()[profile_]; }
  int profile_index() const { return profile_; }
  // The intra-op pool this context runs on; null when it runs on the caller only.
  const ThreadPool* pool() const { return pool_.get(); }
  int64_t arena_bytes() const { return plan_->memory(profile_).plan.arena_bytes; }
  // Output allocations that could not be served from the arena, since creation.
  int64_t heap_fallbacks() const;

  // Per-op profiling (trtexec's --dumpProfile): while enabled, each Run adds every root step's
  // wall time to op_time_ns()[i] (i indexes program().steps; If/Loop/Scan bodies count toward
  // their owner). Enabling resets the totals. Off by default: it reads the clock twice per op.
  void EnableOpProfiling(bool on);
  const std::vector<int64_t>& op_time_ns() const { return op_time_ns_; }
  const GraphProgram& program() const { return plan_->program(); }

 private:
  class ArenaAllocator;
  ExecutionContext() = default;

  std::shared_ptr<const Plan> plan_;
  int profile_ = 0;
  AlignedBuffer arena_;
  std::unique_ptr<ArenaAllocator> allocator_;
  std::shared_ptr<ThreadPool> pool_;  // may be shared with other contexts
  ScratchArena scratch_;
  std::vector<Tensor> slots_;
  std::vector<Tensor> ordered_inputs_;
  std::vector<Tensor> outputs_;
  bool op_profiling_ = false;
  bool poison_arena_ = false;  // TRTSERVE_POISON_ARENA
  std::vector<int64_t> op_time_ns_;
};

}  // namespace trt::runtime
