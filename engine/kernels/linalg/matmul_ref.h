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
#include "engine/base/status.h"
#include "engine/kernels/common/broadcast.h"

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

// numpy.matmul geometry of op(A) @ op(B), where op() swaps the last two dims when the
// trans flag is set: 1-D operands are promoted (and their dim dropped from the output), batch
// dims broadcast both ways. Errors name both shapes; callers prefix the node.
struct MatMulGeometry {
  int64_t m = 0, k = 0, n = 0;
  Broadcast batch;  // over the batch dims of A and B
  Shape out;        // output shape
};
inline StatusOr<MatMulGeometry> ResolveMatMul(const Shape& a, const Shape& b, bool trans_a,
                                              bool trans_b) {
  if (a.rank() < (trans_a ? 2 : 1) || b.rank() < (trans_b ? 2 : 1)) {
    return InvalidArgument("A " + a.ToString() + " and B " + b.ToString() +
                           " must have rank >= 1, and >= 2 when transposed");
  }
  Shape as = a, bs = b;
  if (trans_a) std::swap(as[as.rank() - 1], as[as.rank() - 2]);
  if (trans_b) std::swap(bs[bs.rank() - 1], bs[bs.rank() - 2]);
  const bool a_vec = as.rank() == 1, b_vec = bs.rank() == 1;
  if (a_vec) as.insert(0, 1);
  if (b_vec) bs.push_back(1);
  MatMulGeometry g;
  g.m = as[as.rank() - 2];
  g.k = as[as.rank() - 1];
  g.n = bs[bs.rank() - 1];
  const int64_t kb = bs[bs.rank() - 2];
  if (g.k != kb) {
    return InvalidArgument("B " + b.ToString() + " is incompatible with A " + a.ToString() +
                           " (K must match: " + std::to_string(g.k) + " vs " + std::to_string(kb) +
                           ")");
  }
  auto bc = MakeBroadcast({Shape(std::span<const int64_t>(as.data(), as.size() - 2)),
                           Shape(std::span<const int64_t>(bs.data(), bs.size() - 2))});
  if (!bc.ok()) return InvalidArgument("batch dims: " + bc.status().message());
  g.batch = std::move(bc).value();
  g.out = g.batch.out;
  if (!a_vec) g.out.push_back(g.m);
  if (!b_vec) g.out.push_back(g.n);
  return g;
}

}  // namespace trt::kernels::linalg
