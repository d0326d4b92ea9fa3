// Choosing among the per-ISA variants of a kernel family (the GEMM microkernels, the vector
// math, the norm row kernels): each family lists its variants lowest ISA first, each with the
// lowest `isa` level that can run it, and takes the best one a kernel's level allows.
#pragma once

#include <span>

#include "engine/base/cpu_features.h"

namespace trt::kernels {

// The last variant of `variants` (ordered lowest ISA first) whose `isa` is at most `isa`;
// nullptr when none is (e.g. Isa::kGeneric for families without a generic variant).
template <class T>
const T* SelectIsaVariant(std::span<const T> variants, Isa isa) {
  const T* best = nullptr;
  for (const T& v : variants) {
    if (static_cast<int>(v.isa) <= static_cast<int>(isa)) best = &v;
  }
  return best;
}

}  // namespace trt::kernels
