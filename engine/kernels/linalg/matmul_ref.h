// Shared building blocks of the Gemm and MatMul reference kernels.
//
// Contract: matrices are dense row-major. Operands are first converted into an accumulator
// typed copy (which also resolves transposition), then multiplied in i-k-j order so the
// inner loop streams contiguous rows of B and of the output. Accumulation type: float for
// float32/float16/bfloat16, double for float64, int64/uint64 for signed/unsigned integers
// (integer products wrap modulo 2^64 before the final narrowing cast).
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "engine/base/dtype.h"

namespace trt::kernels::linalg {

template <typename T>
struct MatMulAcc {
  using type = std::conditional_t<
      std::is_same_v<T, double>, double,
      std::conditional_t<std::is_integral_v<T>,
                         std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>, float>>;
};
template <typename T>
using MatMulAccT = typename MatMulAcc<T>::type;

// Widens 16-bit floats to float; other types pass through unchanged.
template <typename T>
auto ToCompute(T v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return static_cast<float>(v);
  } else {
    return v;
  }
}

// Copies a `rows` x `cols` matrix `src` (or its transpose when `transpose`, in which case
// `src` is stored as `cols` x `rows`) into `d`, a row-major rows x cols Acc matrix with room
// for rows * cols elements.
template <typename T, typename Acc>
void ToAccMatrix(const T* src, int64_t rows, int64_t cols, bool transpose, Acc* d) {
  static_assert(std::is_arithmetic_v<Acc>, "d must point to the accumulator elements");
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const T v = transpose ? src[c * rows + r] : src[r * cols + c];
      d[r * cols + c] = static_cast<Acc>(ToCompute(v));
    }
  }
}

// out[m x n] = a[m x k] * b[k x n], all row-major Acc matrices. `out` is overwritten.
// Loop order is i-k-j within (k, j) tiles, so a kDepthBlock x kColBlock tile of B stays in
// cache while every row of A streams past it; the summation order over k is unchanged.
template <typename Acc>
void MatMulAccumulate(const Acc* a, const Acc* b, int64_t m, int64_t k, int64_t n, Acc* out) {
  constexpr int64_t kDepthBlock = 128, kColBlock = 256;
  for (int64_t i = 0; i < m * n; ++i) out[i] = Acc{0};
  for (int64_t p0 = 0; p0 < k; p0 += kDepthBlock) {
    const int64_t p1 = std::min(k, p0 + kDepthBlock);
    for (int64_t j0 = 0; j0 < n; j0 += kColBlock) {
      const int64_t j1 = std::min(n, j0 + kColBlock);
      for (int64_t i = 0; i < m; ++i) {
        Acc* __restrict row = out + i * n;
        for (int64_t p = p0; p < p1; ++p) {
          const Acc av = a[i * k + p];
          const Acc* __restrict brow = b + p * n;
          for (int64_t j = j0; j < j1; ++j) row[j] += av * brow[j];
        }
      }
    }
  }
}

// Narrows an accumulator value to the element type.
template <typename T, typename Acc>
T FromAcc(Acc v) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return T(static_cast<float>(v));
  } else {
    return static_cast<T>(v);
  }
}

}  // namespace trt::kernels::linalg
