// GraphProgram: the executable form of one graph (root or If/Loop/Scan body): one kernel per
// node in topological order, a slot per value, and which slots die after each step.
//
// RunProgram executes it. Value storage comes from a SlotAllocator when one is given (the
// execution context's arena: planned, no heap allocation) and from the heap otherwise (the
// reference executor, subgraph bodies). Kernels are unaware of the difference: they call
// KernelContext::AllocateOutput either way.
// Threading: a GraphProgram is immutable after Build and may be run by several threads at
// once, each with its own slots vector.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/scratch_arena.h"
#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/base/thread_pool.h"
#include "engine/graph/graph.h"
#include "engine/kernels/kernel.h"

namespace trt::runtime {

class GraphProgram {
 public:
  struct Step {
    const graph::Node* node;
    kernels::KernelPtr kernel;
    std::string kernel_name;  // registry name of the chosen kernel, e.g. "ref"
    std::unique_ptr<kernels::KernelInfo> info;
    std::vector<int> inputs;   // slot per input, -1 absent
    std::vector<int> outputs;  // slot per output, -1 absent
    std::vector<int> release;  // slots whose last use (incl. implicit inputs) is this step
  };

  // Packed weights by node key (PrepackedKey), as a plan file stores them.
  using PrepackedMap = std::unordered_map<std::string, kernels::PrepackedWeights>;
  // The key of a node's packed weights: its first output's name (values are uniquely named
  // across a model's graphs); empty for a node without a named output (never prepacked).
  static std::string PrepackedKey(const graph::Node& n);

  // Creates kernels for every node (recursively for subgraphs), choosing optimized variants
  // up to `isa`; kernels take their packed weights from `prepacked` (may be null) when it
  // has them. Unsupported ops fail here.
  static StatusOr<std::unique_ptr<GraphProgram>> Build(const graph::Graph& g, Isa isa = ActiveIsa(),
                                                       const PrepackedMap* prepacked = nullptr);

  const graph::Graph* graph = nullptr;
  std::unordered_map<const graph::Value*, int> slot_of;
  std::unordered_map<std::string, int> slot_by_name;
  std::vector<const graph::Value*> slot_values;
  std::vector<Step> steps;
  std::unordered_map<const graph::Graph*, std::unique_ptr<GraphProgram>> subprograms;
};

// Provides storage for a program's value slots (root program only).
class SlotAllocator {
 public:
  virtual ~SlotAllocator() = default;
  // Returns storage for `slot` with the given type/shape, or an undefined Tensor to fall
  // back to the heap (e.g. a data-dependent size larger than planned).
  virtual Tensor Allocate(int slot, DType dtype, const Shape& shape) = 0;
  // True if `p` points into memory this allocator manages (used to copy instead of alias
  // when a kernel forwards an input buffer that the arena may reuse).
  virtual bool Owns(const void* p) const = 0;
};

// Values visible to a running graph: its slots plus the enclosing scopes (for captures).
// A subgraph binds each of its captures once, when it starts, from the scope of the node
// running it; import declares nested captures on every intermediate subgraph, so that is
// normally the immediate parent, but Lookup walks outward for graphs built without them.
struct Scope {
  const GraphProgram* program;
  std::vector<Tensor>* slots;
  const Scope* parent;
  // The tensor `name` denotes here: the nearest scope that has the name decides (its value,
  // or what its capture was bound to). Null if that value is not computed (yet).
  const Tensor* Lookup(const std::string& name) const;
  // Why Lookup(name) is null, for error messages.
  std::string WhyMissing(const std::string& name) const;
};

struct RunOptions {
  ThreadPool* pool = nullptr;          // intra-op pool (null: serial)
  SlotAllocator* allocator = nullptr;  // null: heap
  ScratchArena* scratch = nullptr;     // kernel temporaries; null: a per-run arena
  bool release_dead_values = true;     // drop references after last use
  // Per-op profiling (root program only; bodies run untimed inside their owner's step): when
  // set, RunProgram adds each step's wall time in nanoseconds to step_ns[i], i the step
  // index in p.steps. The caller sizes it to p.steps.size() and zeroes it.
  int64_t* step_ns = nullptr;
};

// Runs `p` with `inputs` bound to its formal inputs and stores the graph outputs, in order,
// in *outputs. `slots` is the value storage (resized to p.slot_values.size()); reusing
// `slots` and `outputs` across runs avoids reallocating them.
Status RunProgram(const GraphProgram& p, std::vector<Tensor>& slots,
                  const std::vector<Tensor>& inputs, const Scope* parent, const RunOptions& options,
                  std::vector<Tensor>* outputs);

}  // namespace trt::runtime
