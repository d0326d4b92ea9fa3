// FP32 GEMM core shared by Conv, Gemm, MatMul and the fused ops:
//   C[m x n] = epilogue(A[m x k] * B[k x n])
//
// Packed formats (the contract between packers, microkernels and plan weights):
// - Packed A ("MR panels"): rows are grouped into panels of MR rows (the last one padded
//   with zero rows). Within a panel the values are k-major: element (r, p) of the panel is at
//   panel[p * MR + r].
// - Packed B ("NR panels"): columns are grouped into panels of NR columns (the last one padded
//   with zero columns). Within a panel, element (p, j) is at panel[p * NR + j].
// - Weight format (a whole operand packed once, see PackAWeights/PackBWeights): the depth is
//   cut into the driver's depth blocks (PackedDepthBlock: equal blocks of <= the variant's kc)
//   and the blocks follow each other; within block [k0, k0 + kc) every panel of depth kc
//   follows the previous one. Panel i of block k0 of an m-row A is at
//   RoundUp(m, MR) * k0 + i * MR * kc (B likewise with n and NR). The driver thus reads the
//   weights front to back, in long sequential runs that the hardware prefetchers follow from
//   DRAM (a panel-major layout read one depth slice at a time jumps every MR * kc floats,
//   and at batch 1 ran 30-40% slower with weights that do not stay in cache).
//   kPackedWeightsLayout names this layout in plan files.
// Weights (the constant operand) are packed once, when the kernel is created; the other
// operand is packed per call, one cache block at a time, into scratch memory.
//
// Microkernels compute one MR x NR tile (or its top-left mr x nr part) over a depth slice:
//   tile = (load_c ? C : 0) + A_panel * B_panel, then, if `ep` is non-null, the epilogue,
// and store the mr x nr part to C (row stride ldc, in floats). They read exactly
// kc * MR floats of A and kc * NR floats of B (panels are padded, never over-read), and
// touch no C element outside the mr x nr part. Naming: f32_gemm_<MR>x<NR>__<isa>.
//
// Epilogue order per element (the order of the unfused graph Conv/Gemm -> Add -> Relu):
//   y = acc * alpha; y += row_bias[r]; y += col_bias[j]; y += residual[r, j];
//   y = min(max(y, clamp_min), clamp_max)   (NaN passes through, -0.0 stays -0.0)
// Other activations are applied by the driver right after the tile is stored, while the tile
// is still in cache, through Epilogue::activation (a row callback: fused/gemm_epilogue.h
// gives it the vector math of common/vec_math.h or the reference formulas).
//
// Threading: the driver splits the tile grid over the ThreadPool it is given; microkernels
// and packers are pure functions. Nothing here allocates: scratch comes from the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/base/cpu_features.h"
#include "engine/base/thread_pool.h"

namespace trt::kernels::gemm {

// Per-tile epilogue arguments. Pointers are already offset to the tile's origin.
struct TileEpilogue {
  float alpha = 1.0f;
  const float* row_bias = nullptr;  // [mr], per output row
  const float* col_bias = nullptr;  // [nr], per output column
  const float* residual = nullptr;  // [mr x nr] with row stride ld_residual
  int64_t ld_residual = 0;
  float clamp_min = -__builtin_inff();
  float clamp_max = __builtin_inff();
};

using F32GemmUkernel = void (*)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                                int mr, int nr, bool load_c, const TileEpilogue* ep);

// One microkernel variant: the row of variants.inc that dispatch, tests and benchmarks use.
struct F32GemmVariant {
  const char* name;  // "f32_gemm_6x16__avx2"
  Isa isa;           // lowest ISA level that can run it
  int mr, nr;
  int kc;  // depth block the driver uses with it (B micro-panel kc x nr stays in L1)
  F32GemmUkernel fn;
};

// Every variant compiled in, lowest ISA first.
std::span<const F32GemmVariant> F32GemmVariants();
// The variant for `isa` (the best one whose level is <= isa); nullptr for Isa::kGeneric,
// where the callers keep the scalar reference kernels.
const F32GemmVariant* SelectF32Gemm(Isa isa);

// ---- Packing -------------------------------------------------------------------------
// Source matrix view: element (i, j) of the logical matrix is
//   data[i * ld + j] if !trans, data[j * ld + i] if trans.
struct MatrixView {
  const float* data = nullptr;
  int64_t ld = 0;
  bool trans = false;
  float At(int64_t i, int64_t j) const { return trans ? data[j * ld + i] : data[i * ld + j]; }
};

inline int64_t RoundUp(int64_t v, int64_t to) { return (v + to - 1) / to * to; }
// Version of the weight format, stored in plan files: a plan whose packed weights carry
// another version is loaded by packing its weights again.
inline constexpr int kPackedWeightsLayout = 2;
// The depth block of the weight format and of the driver for depth k: k cut into equal
// blocks of at most v.kc (300 = 2 blocks of 150, not 256 + 44).
int64_t PackedDepthBlock(const F32GemmVariant& v, int64_t k);
// Floats of a weight-format A of m rows / B of n columns.
inline int64_t PackedASize(const F32GemmVariant& v, int64_t m, int64_t k) {
  return RoundUp(m, v.mr) * k;
}
inline int64_t PackedBSize(const F32GemmVariant& v, int64_t k, int64_t n) {
  return RoundUp(n, v.nr) * k;
}

// Packs rows [0, m) x depth [k0, k0 + kc) of `a` into MR panels of depth kc
// (panel i at dst + i * MR * kc). With kc == k and k0 == 0 this is the full-K format.
void PackA(int mr_tile, const MatrixView& a, int64_t m, int64_t k0, int64_t kc, float* dst);
// Packs columns [0, n) x depth [k0, k0 + kc) of `b` into NR panels (panel j at
// dst + j * NR * kc).
void PackB(int nr_tile, const MatrixView& b, int64_t n, int64_t k0, int64_t kc, float* dst);
// Packs a whole m x k A / k x n B into the weight format (PackedASize / PackedBSize floats).
void PackAWeights(const F32GemmVariant& v, const MatrixView& a, int64_t m, int64_t k, float* dst);
void PackBWeights(const F32GemmVariant& v, const MatrixView& b, int64_t k, int64_t n, float* dst);

// ---- Driver --------------------------------------------------------------------------
// How one operand reaches the microkernels.
//  - kPacked: `packed` holds the weight format (see above).
//  - kMatrix: `matrix` is packed per cache block by PackA/PackB.
//  - kCustom: `pack` is called to pack a block (e.g. Conv's implicit im2col). For B it must
//    fill columns [n0, n0 + n) x depth [k0, k0 + kc) in NR panels of depth kc at dst, padding
//    columns past n with zeros; for A rows [m0, m0 + m) likewise in MR panels.
struct Operand {
  enum Kind { kPacked, kMatrix, kCustom } kind = kMatrix;
  const float* packed = nullptr;
  MatrixView matrix;
  void (*pack)(const void* ctx, int tile, int64_t first, int64_t count, int64_t k0, int64_t kc,
               float* dst) = nullptr;
  const void* pack_ctx = nullptr;
};

// Output activation applied after the tile is stored (for kinds the microkernel cannot do
// in registers). Called with a pointer to a row segment of C and its length.
using RowActivation = void (*)(const void* ctx, float* row, int64_t n);

// The full epilogue of one GEMM. Bias and residual pointers index the whole C.
struct Epilogue {
  float alpha = 1.0f;
  const float* row_bias = nullptr;  // [m]
  const float* col_bias = nullptr;  // [n]
  const float* residual = nullptr;  // [m x n], row stride ld_residual
  int64_t ld_residual = 0;
  float clamp_min = -__builtin_inff();
  float clamp_max = __builtin_inff();
  RowActivation activation = nullptr;  // applied after the clamp
  const void* activation_ctx = nullptr;
};

struct GemmShape {
  int64_t m = 0, n = 0, k = 0;
};

// Floats of scratch F32Gemm needs with `threads` workers.
int64_t F32GemmScratchFloats(const F32GemmVariant& v, const GemmShape& s, const Operand& a,
                             const Operand& b, int threads);

// C = epilogue(A * B). `scratch` holds F32GemmScratchFloats(...) floats, 64-byte aligned.
// `pool` may be null (serial). k may be 0 (C = epilogue(0)).
void F32Gemm(const F32GemmVariant& v, const GemmShape& s, const Operand& a, const Operand& b,
             float* c, int64_t ldc, const Epilogue& ep, float* scratch, ThreadPool* pool);

// Threads F32Gemm will use for this shape (never more than the pool has); lets callers
// size scratch before calling.
int F32GemmThreads(const F32GemmVariant& v, const GemmShape& s, ThreadPool* pool);

// Plain triple loop with the same epilogue semantics: the oracle of the tests (double
// accumulation is NOT used: float accumulation in k order, like the reference kernels).
void F32GemmReference(const GemmShape& s, const MatrixView& a, const MatrixView& b, float* c,
                      int64_t ldc, const Epilogue& ep);

}  // namespace trt::kernels::gemm
