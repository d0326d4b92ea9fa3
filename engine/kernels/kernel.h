// The kernel interface.
//
// Lifecycle:
// - At load time the registry's factory is called with a KernelInfo (the node, its
//   attributes and constant inputs). The factory validates attributes and returns a Kernel
//   or an error naming the node. Anything that can be decided once is decided here.
// - Compute(ctx) runs the node: it reads inputs from ctx, computes the output shapes
//   itself (so data-dependent shapes such as NonZero work), allocates outputs through ctx
//   and fills them. It returns an error (never crashes) on inputs that the op rejects,
//   e.g. shapes that do not broadcast, with the node named in the message.
// Threading: Compute is const and must not mutate the kernel; one Kernel may run on several
// contexts concurrently.
// Reference kernels (*_ref / the Compute implementations in this folder) are written to be
// obviously correct: they are the oracle the optimized kernels are tested against.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/cpu_features.h"
#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/base/thread_pool.h"
#include "engine/graph/graph.h"

namespace trt::kernels {

// Weights a kernel transformed at creation (GEMM panels), handed back from a plan file so
// that loading does not transform them again (see Kernel::PackedWeights). `blobs` point
// into memory that `owner` keeps alive (the plan's mapping); kernels that keep a blob
// pointer must keep a copy of `owner` too.
struct PrepackedWeights {
  std::vector<std::span<const std::byte>> blobs;
  std::shared_ptr<const void> owner;
};

// Construction-time view of a node.
class KernelInfo {
 public:
  explicit KernelInfo(const graph::Node& node, Isa isa = ActiveIsa(),
                      const PrepackedWeights* prepacked = nullptr)
      : node_(node), isa_(isa), prepacked_(prepacked) {}

  // Blob i of the packed weights stored for this node, if it has exactly `bytes` bytes and
  // is 64-byte aligned; nullptr otherwise (the kernel packs the weights itself).
  const void* Prepacked(size_t i, size_t bytes) const;
  // Keeps the memory of Prepacked() blobs alive (null when there are none).
  std::shared_ptr<const void> PrepackedOwner() const {
    return prepacked_ ? prepacked_->owner : nullptr;
  }

  const graph::Node& node() const { return node_; }
  // Highest ISA level the kernel may use (ActiveIsa() unless a plan file asks for less).
  Isa isa() const { return isa_; }
  int opset() const { return node_.opset; }
  const std::string& op_type() const { return node_.op_type; }

  int num_inputs() const { return static_cast<int>(node_.inputs.size()); }
  int num_outputs() const { return static_cast<int>(node_.outputs.size()); }
  bool HasInput(int i) const { return i < num_inputs() && node_.inputs[i] != nullptr; }
  bool HasOutput(int i) const { return i < num_outputs() && node_.outputs[i] != nullptr; }
  // Element type recorded in the IR (kUndefined when not known before running).
  DType InputDType(int i) const { return HasInput(i) ? node_.inputs[i]->dtype : DType::kUndefined; }
  // The constant value of input i if it is an initializer/constant, else nullptr.
  const Tensor* ConstantInput(int i) const;

  // Attribute getters: return `def` when the attribute is absent.
  bool HasAttr(std::string_view name) const { return node_.FindAttr(name) != nullptr; }
  int64_t GetInt(std::string_view name, int64_t def) const;
  float GetFloat(std::string_view name, float def) const;
  std::string GetString(std::string_view name, std::string def = "") const;
  std::vector<int64_t> GetInts(std::string_view name, std::vector<int64_t> def = {}) const;
  std::vector<float> GetFloats(std::string_view name, std::vector<float> def = {}) const;
  std::vector<std::string> GetStrings(std::string_view name) const;
  const Tensor* GetTensor(std::string_view name) const;       // nullptr if absent
  const graph::Graph* GetGraph(std::string_view name) const;  // nullptr if absent

  // Errors with the node's description prepended:
  //   "node 'conv1' (Conv, opset 13): <msg>"
  Status Invalid(const std::string& msg) const;      // INVALID_ARGUMENT (bad model or input)
  Status Unsupported(const std::string& msg) const;  // UNIMPLEMENTED (valid but not supported)

 private:
  const graph::Node& node_;
  Isa isa_;
  const PrepackedWeights* prepacked_;
};

// Runs a subgraph (an attribute graph of the current node, e.g. If's then_branch or Loop's
// body). `inputs` bind to the subgraph's formal inputs in order; outer-scope names resolve
// to the current values of the enclosing scopes. Returns the subgraph outputs in order.
class SubgraphRunner {
 public:
  virtual ~SubgraphRunner() = default;
  virtual StatusOr<std::vector<Tensor>> Run(const graph::Graph& subgraph,
                                            const std::vector<Tensor>& inputs) = 0;
};

// Run-time view of one node execution. Implemented by the executor.
class KernelContext {
 public:
  virtual ~KernelContext() = default;

  virtual const KernelInfo& info() const = 0;
  virtual int num_inputs() const = 0;
  // nullptr if input i is absent (omitted optional input or i >= num_inputs()).
  virtual const Tensor* Input(int i) const = 0;
  virtual int num_outputs() const = 0;
  // False for outputs the node omits (empty name in ONNX); kernels may skip computing them.
  virtual bool OutputRequested(int i) const = 0;
  // Allocates output i (64-byte aligned; contents unspecified: plans hand out arena memory
  // that is not cleared, so a kernel must write every element) and returns it. Fails on
  // absurd shapes (negative dims, over the tensor size limit).
  virtual StatusOr<Tensor*> AllocateOutput(int i, DType dtype, const Shape& shape) = 0;
  // Sets output i to an existing tensor; it may alias an input (Identity, Reshape).
  virtual void SetOutput(int i, Tensor t) = 0;
  // Intra-op pool (may be null: run serially).
  virtual ThreadPool* thread_pool() = 0;
  // Subgraph execution for control-flow ops (null if the executor has none).
  virtual SubgraphRunner* subgraphs() = 0;
  // Scratch memory valid until Compute returns: 64-byte aligned, uninitialized, never null
  // (aborts only if the process is out of memory). Backed by a buffer the executor keeps
  // across runs that only grows, so kernels that take their temporaries from here do not
  // allocate once warmed up. Several calls per Compute are fine.
  virtual void* Scratch(size_t bytes) = 0;

  // Convenience: error with the node context, as KernelInfo::Invalid.
  Status Invalid(const std::string& msg) const { return info().Invalid(msg); }
  Status Unsupported(const std::string& msg) const { return info().Unsupported(msg); }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status Compute(KernelContext& ctx) const = 0;
  // The implementation's name recorded in plans and shown by `inspect` (e.g.
  // "f32_gemm_6x16__avx2"); empty means the registry entry's name ("ref").
  virtual std::string_view Name() const { return {}; }
  // Weights this kernel transformed at creation (e.g. packed GEMM panels), in a fixed order
  // that the same node and ISA reproduce. Plan files store them and hand them back through
  // KernelInfo::Prepacked when the plan is loaded. Empty: nothing to store.
  virtual std::vector<std::span<const std::byte>> PackedWeights() const { return {}; }
};

using KernelPtr = std::unique_ptr<Kernel>;
using KernelFactory = StatusOr<KernelPtr> (*)(const KernelInfo& info);

// Typed scratch array of n elements (see KernelContext::Scratch).
template <typename T>
T* ScratchArray(KernelContext& ctx, int64_t n) {
  return static_cast<T*>(ctx.Scratch(static_cast<size_t>(n > 0 ? n : 0) * sizeof(T)));
}

// Creates a kernel object: `return MakeKernel<MyKernel>(args...)`.
template <typename K, typename... Args>
StatusOr<KernelPtr> MakeKernel(Args&&... args) {
  return KernelPtr(new K(std::forward<Args>(args)...));
}

}  // namespace trt::kernels
