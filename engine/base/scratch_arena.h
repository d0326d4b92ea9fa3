// ScratchArena: bump allocator for kernel temporaries.
//
// Allocate() hands out 64-byte aligned blocks; Reset() releases them all at once. When a
// run needed more than the current block, the next Reset() replaces the blocks by one block
// of the high-water size, so after a warm-up run the arena never touches the heap again.
// Threading: not thread-safe; one arena per execution context (or per run).
#pragma once

#include <cstddef>
#include <vector>

#include "engine/base/aligned_alloc.h"

namespace trt {

class ScratchArena {
 public:
  ScratchArena() = default;
  ScratchArena(const ScratchArena&) = delete;
  ScratchArena& operator=(const ScratchArena&) = delete;

  // Never returns null (aborts when out of memory, like operator new would throw).
  void* Allocate(size_t bytes);
  void Reset();
  // Bytes of the current main block (for diagnostics).
  size_t capacity() const { return blocks_.empty() ? 0 : blocks_.front().size; }

 private:
  struct Block {
    AlignedBuffer data;
    size_t size = 0;
  };
  std::vector<Block> blocks_;
  size_t used_ = 0;        // bytes used in blocks_.back()
  size_t high_water_ = 0;  // total bytes handed out since the last Reset
  size_t peak_ = 0;        // largest high_water_ seen at any Reset
};

}  // namespace trt
