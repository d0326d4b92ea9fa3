#include "engine/kernels/kernel.h"

namespace trt::kernels {

const void* KernelInfo::Prepacked(size_t i, size_t bytes) const {
  if (prepacked_ == nullptr || i >= prepacked_->blobs.size()) return nullptr;
  const auto& b = prepacked_->blobs[i];
  if (b.size() != bytes || reinterpret_cast<uintptr_t>(b.data()) % 64 != 0) return nullptr;
  return b.data();
}

const Tensor* KernelInfo::ConstantInput(int i) const {
  if (!HasInput(i) || !node_.inputs[i]->constant) return nullptr;
  return &*node_.inputs[i]->constant;
}

int64_t KernelInfo::GetInt(std::string_view name, int64_t def) const {
  const graph::Attribute* a = node_.FindAttr(name);
  return (a && a->kind == graph::Attribute::Kind::kInt) ? a->i : def;
}

float KernelInfo::GetFloat(std::string_view name, float def) const {
  const graph::Attribute* a = node_.FindAttr(name);
  if (!a) return def;
  if (a->kind == graph::Attribute::Kind::kFloat) return a->f;
  if (a->kind == graph::Attribute::Kind::kInt) return static_cast<float>(a->i);
  return def;
}

std::string KernelInfo::GetString(std::string_view name, std::string def) const {
  const graph::Attribute* a = node_.FindAttr(name);
  return (a && a->kind == graph::Attribute::Kind::kString) ? a->s : def;
}

std::vector<int64_t> KernelInfo::GetInts(std::string_view name, std::vector<int64_t> def) const {
  const graph::Attribute* a = node_.FindAttr(name);
  return (a && a->kind == graph::Attribute::Kind::kInts) ? a->ints : def;
}

std::vector<float> KernelInfo::GetFloats(std::string_view name, std::vector<float> def) const {
  const graph::Attribute* a = node_.FindAttr(name);
  return (a && a->kind == graph::Attribute::Kind::kFloats) ? a->floats : def;
}

std::vector<std::string> KernelInfo::GetStrings(std::string_view name) const {
  const graph::Attribute* a = node_.FindAttr(name);
  return (a && a->kind == graph::Attribute::Kind::kStrings) ? a->strings
                                                            : std::vector<std::string>{};
}

const Tensor* KernelInfo::GetTensor(std::string_view name) const {
  const graph::Attribute* a = node_.FindAttr(name);
  return (a && a->kind == graph::Attribute::Kind::kTensor) ? &a->t : nullptr;
}

const graph::Graph* KernelInfo::GetGraph(std::string_view name) const {
  const graph::Attribute* a = node_.FindAttr(name);
  return (a && a->kind == graph::Attribute::Kind::kGraph) ? a->g.get() : nullptr;
}

Status KernelInfo::Invalid(const std::string& msg) const {
  return InvalidArgument(node_.Describe() + ": " + msg);
}

Status KernelInfo::Unsupported(const std::string& msg) const {
  return Unimplemented(node_.Describe() + ": " + msg);
}

}  // namespace trt::kernels
