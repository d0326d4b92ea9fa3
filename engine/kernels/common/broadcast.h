// Multidirectional (numpy-style) broadcasting helpers for reference kernels.
//
// MakeBroadcast() aligns the input shapes on the right, checks that every dim pair is equal
// or 1, and records for each input the element stride per output dim (0 where the input is
// broadcast). ForEach() then walks the output in row-major order with an odometer and hands
// the per-input element offsets to the callback: O(1) amortized per element, no allocation
// inside the loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/shape.h"
#include "engine/base/status.h"

namespace trt::kernels {

struct Broadcast {
  Shape out;                                  // the broadcast result shape
  std::vector<std::vector<int64_t>> strides;  // [input][out dim], 0 = broadcast

  // Calls fn(out_index, offsets) for every output element; offsets[k] is the element
  // offset into input k. fn signature: void(int64_t, const int64_t* offsets).
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    const int rank = out.rank();
    const size_t n_in = strides.size();
    const int64_t total = out.NumElements();
    if (total == 0) return;
    std::vector<int64_t> idx(rank, 0);
    std::vector<int64_t> off(n_in, 0);
    for (int64_t i = 0; i < total; ++i) {
      fn(i, off.data());
      for (int d = rank - 1; d >= 0; --d) {
        if (++idx[d] < out[d]) {
          for (size_t k = 0; k < n_in; ++k) off[k] += strides[k][d];
          break;
        }
        for (size_t k = 0; k < n_in; ++k) off[k] -= strides[k][d] * (out[d] - 1);
        idx[d] = 0;
      }
    }
  }
};

// Fails with "shapes [2, 3] and [4] cannot be broadcast" (the caller adds node context).
StatusOr<Broadcast> MakeBroadcast(const std::vector<Shape>& shapes);
// Shape-only variant.
StatusOr<Shape> BroadcastShape(const std::vector<Shape>& shapes);
// Unidirectional broadcast: `from` must broadcast to `to` exactly (Expand-like checks).
bool CanBroadcastTo(const Shape& from, const Shape& to);

}  // namespace trt::kernels
