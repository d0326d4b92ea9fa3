// 64-byte aligned heap allocation for tensor storage.
//
// kTensorAlignment: every tensor buffer starts on a 64-byte boundary (one cache line, and
// enough for any AVX2/AVX-512 load). kOverReadBytes: every buffer is followed by this many
// readable padding bytes, so a SIMD kernel may load a full vector past the last element of a
// row tail (it must never use the loaded padding values). Kernels that rely on it say so.
#pragma once

#include <cstddef>
#include <memory>

namespace trt {

inline constexpr size_t kTensorAlignment = 64;
inline constexpr size_t kOverReadBytes = 64;

// Returns zero-initialized storage of at least `bytes` (+ kOverReadBytes), or nullptr on
// allocation failure. Free with AlignedFree.
void* AlignedAlloc(size_t bytes);
void AlignedFree(void* p);

struct AlignedDeleter {
  void operator()(void* p) const { AlignedFree(p); }
};
using AlignedBuffer = std::unique_ptr<void, AlignedDeleter>;

}  // namespace trt
