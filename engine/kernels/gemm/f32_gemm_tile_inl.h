// The register-tile body shared by the FP32 GEMM microkernels, written once over a small
// vector-traits struct (V). Included ONLY by the ISA translation units
// (f32_gemm_*__avx2.cc, f32_gemm_*__avx512.cc), which are compiled with the matching -m
// flags, so no vector code leaks into baseline objects.
//
// Tile: R rows (1..MR) x NV vectors of V::kLanes columns. Accumulators: R * NV vector
// registers, plus NV for the B row and one broadcast of A. The k loop loads one row of the
// B panel (NV vectors) and broadcasts R values of the A panel (stride MR, see gemm.h).
// Column tails (nr < NV * kLanes) use masked loads/stores of C, bias and residual, so no
// element outside the mr x nr tile is read or written.
#pragma once

#include <cstdint>

#include "engine/kernels/gemm/gemm.h"

namespace trt::kernels::gemm::tile {

// Depth steps of A fetched ahead (96 x MR floats: 5.4 KB for MR = 14). Prefetches never fault,
// so reading past the end of the panel is harmless.
inline constexpr int kPrefetchSteps = 96;

template <class V, int MR, int NV, int R>
void F32Tile(int64_t kc, const float* __restrict a, const float* __restrict b, float* c,
             int64_t ldc, int nr, bool load_c, const TileEpilogue* ep) {
  using Vec = typename V::Vec;
  constexpr int kL = V::kLanes;
  Vec acc[R][NV];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = V::Zero();
  }
  for (int64_t p = 0; p < kc; ++p) {
    // A is read front to back across the microkernel calls of a block (weight format, see
    // gemm.h): fetching kPrefetchSteps depth steps ahead hides DRAM latency at batch 1 (resnet50
    // 3x3 512-channel conv with cold weights: 1.7x faster) and L2 latency otherwise.
    __builtin_prefetch(a + kPrefetchSteps * MR, 0, 2);
    Vec bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = V::Load(b + v * kL);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const Vec av = V::Set1(a[r]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = V::Fmadd(av, bv[v], acc[r][v]);
    }
    a += MR;
    b += NV * kL;
  }

  // Masks of the column tail: vector v covers columns [v * kL, (v + 1) * kL).
  typename V::Mask mask[NV];
  const bool full = nr == NV * kL;
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) mask[v] = V::TailMask(nr - v * kL);

  auto load = [&](const float* p, int v) {
    return full ? V::LoadU(p + v * kL) : V::LoadMasked(p + v * kL, mask[v]);
  };
  if (load_c) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = V::Add(acc[r][v], load(c + r * ldc, v));
    }
  }
  if (ep != nullptr) {
    if (ep->alpha != 1.0f) {
      const Vec al = V::Set1(ep->alpha);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[r][v] = V::Mul(acc[r][v], al);
      }
    }
    if (ep->row_bias != nullptr) {
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
        const Vec rb = V::Set1(ep->row_bias[r]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[r][v] = V::Add(acc[r][v], rb);
      }
    }
    if (ep->col_bias != nullptr) {
      Vec cb[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) cb[v] = load(ep->col_bias, v);
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[r][v] = V::Add(acc[r][v], cb[v]);
      }
    }
    if (ep->residual != nullptr) {
#pragma GCC unroll 16
      for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) {
          acc[r][v] = V::Add(acc[r][v], load(ep->residual + r * ep->ld_residual, v));
        }
      }
    }
    const Vec lo = V::Set1(ep->clamp_min);
    const Vec hi = V::Set1(ep->clamp_max);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        // max/min return their second operand when either is NaN: NaN passes through.
        acc[r][v] = V::Min(hi, V::Max(lo, acc[r][v]));
      }
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (full) {
        V::StoreU(c + r * ldc + v * kL, acc[r][v]);
      } else {
        V::StoreMasked(c + r * ldc + v * kL, mask[v], acc[r][v]);
      }
    }
  }
}

// Dispatches the row count to the matching instantiation.
template <class V, int MR, int NV, int R = MR>
void F32TileRows(int mr, int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int nr,
                 bool load_c, const TileEpilogue* ep) {
  if constexpr (R >= 1) {
    if (mr == R) {
      F32Tile<V, MR, NV, R>(kc, a, b, c, ldc, nr, load_c, ep);
    } else {
      F32TileRows<V, MR, NV, R - 1>(mr, kc, a, b, c, ldc, nr, load_c, ep);
    }
  }
}

}  // namespace trt::kernels::gemm::tile
