#include "engine/base/scratch_arena.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace trt {

void* ScratchArena::Allocate(size_t bytes) {
  bytes = (std::max<size_t>(bytes, 1) + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
  high_water_ += bytes;
  if (blocks_.empty() || used_ + bytes > blocks_.back().size) {
    const size_t size =
        std::max(bytes, blocks_.empty() ? size_t{64} << 10 : blocks_.back().size * 2);
    void* p = AlignedAlloc(size);
    if (p == nullptr) {
      std::fprintf(stderr, "ScratchArena: out of memory allocating %zu bytes\n", size);
      std::abort();
    }
    blocks_.push_back(Block{AlignedBuffer(p), size});
    used_ = 0;
  }
  void* p = static_cast<char*>(blocks_.back().data.get()) + used_;
  used_ += bytes;
  return p;
}

void ScratchArena::Reset() {
  peak_ = std::max(peak_, high_water_);
  if (blocks_.size() > 1) {  // consolidate into one block big enough for any use so far
    const size_t need = peak_;
    blocks_.clear();
    void* p = AlignedAlloc(need);
    if (p == nullptr) {
      std::fprintf(stderr, "ScratchArena: out of memory allocating %zu bytes\n", need);
      std::abort();
    }
    blocks_.push_back(Block{AlignedBuffer(p), need});
  }
  used_ = 0;
  high_water_ = 0;
}

}  // namespace trt
