#include "engine/base/aligned_alloc.h"

#include <cstdlib>
#include <cstring>

namespace trt {

void* AlignedAlloc(size_t bytes) {
  size_t total = bytes + kOverReadBytes;
  total = (total + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  void* p = std::aligned_alloc(kTensorAlignment, total);
  if (p != nullptr) std::memset(p, 0, total);
  return p;
}

void AlignedFree(void* p) { std::free(p); }

}  // namespace trt
