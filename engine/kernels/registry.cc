#include "engine/kernels/registry.h"

namespace trt::kernels {

// Each family's entries.inc holds lines of the form
//   TRT_KERNEL("", "Relu", 6, kMaxOpset, kFloatTypes, 0, CreateRelu, "ref")
// The list is expanded twice: once to declare the factories, once to build the table.
#define TRT_KERNEL(domain, op, since, until, dtypes, type_input, factory, name) \
  StatusOr<KernelPtr> factory(const KernelInfo& info);
#include "engine/kernels/controlflow/entries.inc"
#include "engine/kernels/elementwise/entries.inc"
#include "engine/kernels/fused/entries.inc"
#include "engine/kernels/indexing/entries.inc"
#include "engine/kernels/linalg/entries.inc"
#include "engine/kernels/nn/entries.inc"
#include "engine/kernels/norm/entries.inc"
#include "engine/kernels/quantized/entries.inc"
#include "engine/kernels/reduce/entries.inc"
#include "engine/kernels/rnn/entries.inc"
#include "engine/kernels/signal/entries.inc"
#include "engine/kernels/tensor/entries.inc"
#include "engine/kernels/training/entries.inc"
#undef TRT_KERNEL

const std::vector<KernelEntry>& AllKernelEntries() {
#define TRT_KERNEL(domain, op, since, until, dtypes, type_input, factory, name) \
  KernelEntry{domain, op, since, until, dtypes, type_input, &factory, name},
  static const std::vector<KernelEntry> kTable = {
#include "engine/kernels/controlflow/entries.inc"
#include "engine/kernels/elementwise/entries.inc"
#include "engine/kernels/fused/entries.inc"
#include "engine/kernels/indexing/entries.inc"
#include "engine/kernels/linalg/entries.inc"
#include "engine/kernels/nn/entries.inc"
#include "engine/kernels/norm/entries.inc"
#include "engine/kernels/quantized/entries.inc"
#include "engine/kernels/reduce/entries.inc"
#include "engine/kernels/rnn/entries.inc"
#include "engine/kernels/signal/entries.inc"
#include "engine/kernels/tensor/entries.inc"
#include "engine/kernels/training/entries.inc"
  };
#undef TRT_KERNEL
  return kTable;
}

std::string DTypeSetToString(DTypeSet set) {
  std::string s;
  for (int t = 0; t < 32; ++t) {
    if (set & (DTypeSet{1} << t)) {
      if (!s.empty()) s += ", ";
      s += DTypeName(static_cast<DType>(t));
    }
  }
  return s;
}

bool IsOpKnown(std::string_view domain, std::string_view op_type) {
  for (const auto& e : AllKernelEntries()) {
    if (domain == e.domain && op_type == e.op_type) return true;
  }
  return false;
}

StatusOr<const KernelEntry*> LookupKernel(std::string_view domain, std::string_view op_type,
                                          int opset, DType dtype) {
  std::string domain_name = domain.empty() ? "ai.onnx" : std::string(domain);
  std::string ranges;
  DTypeSet seen_types = 0;
  int type_input = 0;
  bool any = false;
  for (const auto& e : AllKernelEntries()) {
    if (domain != e.domain || op_type != e.op_type) continue;
    any = true;
    if (opset < e.since_opset || opset > e.until_opset) {
      if (!ranges.empty()) ranges += ", ";
      ranges += std::to_string(e.since_opset) +
                (e.until_opset == kMaxOpset ? "+" : "-" + std::to_string(e.until_opset));
      continue;
    }
    if (e.type_input < 0 || dtype == DType::kUndefined || (e.dtypes & DTypeBit(dtype))) {
      return &e;
    }
    seen_types |= e.dtypes;
    type_input = e.type_input;
  }
  if (!any) {
    return Unimplemented("unsupported op '" + std::string(op_type) + "' (domain '" + domain_name +
                         "', opset " + std::to_string(opset) + ")");
  }
  if (seen_types != 0) {
    return Unimplemented("op '" + std::string(op_type) + "' has no kernel for input " +
                         std::to_string(type_input) + " dtype " + std::string(DTypeName(dtype)) +
                         "; supported: " + DTypeSetToString(seen_types));
  }
  return Unimplemented("op '" + std::string(op_type) + "' (domain '" + domain_name +
                       "') has no kernel for opset " + std::to_string(opset) +
                       "; supported opsets: " + ranges);
}

StatusOr<KernelPtr> CreateKernel(const graph::Node& node, std::string* kernel_name, Isa isa,
                                 const PrepackedWeights* prepacked) {
  // Find the constrained input index of the first matching entry to read the IR dtype.
  DType dtype = DType::kUndefined;
  for (const auto& e : AllKernelEntries()) {
    if (node.domain == e.domain && node.op_type == e.op_type && e.type_input >= 0 &&
        e.type_input < static_cast<int>(node.inputs.size()) && node.inputs[e.type_input]) {
      dtype = node.inputs[e.type_input]->dtype;
      break;
    }
  }
  auto entry = LookupKernel(node.domain, node.op_type, node.opset, dtype);
  if (!entry.ok()) return entry.status().WithContext(node.Describe());
  if (kernel_name) *kernel_name = (*entry)->name;
  KernelInfo info(node, isa, prepacked);
  auto k = (*entry)->factory(info);
  if (!k.ok()) return k.status();
  if (kernel_name && !(*k)->Name().empty()) *kernel_name = std::string((*k)->Name());
  return k;
}

}  // namespace trt::kernels
