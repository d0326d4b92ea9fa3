// FP32 GEMM driver: variant table, packing, cache blocking and threading (see gemm.h).
//
// Loop nest per task (a task owns columns [n0, n0 + nc) and rows [m_begin, m_end) of C):
//   for k0 in K step kc:                 B block kc x nc: prepacked, or packed here once
//     for m0 in rows step mc:            A block mc x kc: prepacked, or packed here
//       for each NR panel of the block:  B micro-panel (kc x NR) stays in L1
//         for each MR panel:             A micro-panel streams from L2
//           microkernel (load C after the first k block; epilogue on the last one)
// Tasks split N first (each task packs its own B block once and reuses it for all rows),
// and M as well when N alone cannot keep every thread busy.
#include "engine/kernels/gemm/gemm.h"

#include <algorithm>
#include <cstring>
#include <span>

#include "engine/kernels/common/isa_variants.h"

namespace trt::kernels::gemm {

#define TRT_F32_GEMM(name, isa, mr, nr, kc)                                       \
  void name(int64_t, const float*, const float*, float*, int64_t, int, int, bool, \
            const TileEpilogue*);
#include "engine/kernels/gemm/variants.inc"
#undef TRT_F32_GEMM

namespace {

constexpr F32GemmVariant kVariants[] = {
#define TRT_F32_GEMM(name, isa, mr, nr, kc) {#name, isa, mr, nr, kc, &name},
#include "engine/kernels/gemm/variants.inc"
#undef TRT_F32_GEMM
};

// Rows of A per cache block (A block mc x kc floats stays in L2) and the widest B block.
constexpr int64_t kTargetMc = 256;
constexpr int64_t kMaxNc = 1024;

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct Blocking {
  int64_t kc, mc, nc;
  int64_t n_blocks, m_groups, rows_per_group;
  int threads;
};

// A prepacked element read costs 1 / kPrepackedReadDiscount of a packed one (1: the same).
constexpr int64_t kPrepackedReadDiscount = 1;

// Which operands a GEMM packs at run time (weights come prepacked).
struct PackNeeds {
  bool a = true, b = true;
};

// Finishes a blocking for `n_blocks` column blocks and up to `m_groups` row groups, and
// returns the work of its slowest thread when tasks go round-robin to `threads` slots: padded
// tile rows x tile columns (per unit of depth), plus the A rows and B columns the task packs
// or, when prepacked, reads, weighted as nr multiply-adds per element (a packed element costs
// about a cycle, and so does a weight streamed from DRAM at batch 1; a vector FMA does nr/2
// multiply-adds per cycle on two pipes). Counting the prepacked reads keeps two threads from
// both streaming the whole weight matrix (resnet50's 7x7 layers: 9.4 MB each) when splitting
// the other dimension would read each weight once.
int64_t Complete(const F32GemmVariant& v, const GemmShape& s, int threads, int64_t n_blocks,
                 int64_t m_groups, PackNeeds pack, Blocking* bl) {
  const int64_t n_panels = CeilDiv(std::max<int64_t>(s.n, 1), v.nr);
  const int64_t m_panels = CeilDiv(std::max<int64_t>(s.m, 1), v.mr);
  bl->nc = CeilDiv(n_panels, n_blocks) * v.nr;
  bl->n_blocks = CeilDiv(std::max<int64_t>(s.n, 1), bl->nc);
  bl->m_groups = std::max<int64_t>(1, std::min(m_groups, m_panels));
  bl->rows_per_group = CeilDiv(m_panels, bl->m_groups) * v.mr;
  bl->m_groups = CeilDiv(std::max<int64_t>(s.m, 1), bl->rows_per_group);
  const int64_t tasks = bl->n_blocks * bl->m_groups;
  bl->threads = static_cast<int>(std::min<int64_t>(threads, tasks));
  int64_t worst = 0;
  for (int64_t slot = 0; slot < bl->threads; ++slot) {
    int64_t w = 0;
    for (int64_t t = slot; t < tasks; t += bl->threads) {
      const int64_t nb = t % bl->n_blocks, mg = t / bl->n_blocks;
      const int64_t cols = std::min(bl->nc, s.n - nb * bl->nc);
      const int64_t rows = std::min(bl->rows_per_group, s.m - mg * bl->rows_per_group);
      w += RoundUp(rows, v.mr) * RoundUp(cols, v.nr);
      w += (pack.a ? rows : rows / kPrepackedReadDiscount) * v.nr;
      w += (pack.b ? cols : cols / kPrepackedReadDiscount) * v.nr;
    }
    worst = std::max(worst, w);
  }
  return worst;
}

Blocking ChooseBlocking(const F32GemmVariant& v, const GemmShape& s, int pool_threads,
                        PackNeeds pack = {}) {
  Blocking bl;
  bl.kc = PackedDepthBlock(v, s.k);
  bl.mc = RoundUp(std::min<int64_t>(kTargetMc, std::max<int64_t>(s.m, 1)), v.mr);
  // Work per thread worth splitting for: about 64K multiply-adds.
  const int64_t work = s.m * s.n * std::max<int64_t>(s.k, 1);
  int threads = std::max(1, pool_threads);
  threads = static_cast<int>(std::min<int64_t>(threads, std::max<int64_t>(1, work / 65536)));
  const int64_t n_panels = CeilDiv(std::max<int64_t>(s.n, 1), v.nr);
  // At least enough N blocks that each is at most kMaxNc wide.
  const int64_t min_blocks = std::max<int64_t>(CeilDiv(n_panels * v.nr, kMaxNc), 1);
  // Candidate 1: split N (each task packs its B block once and reuses it for all rows).
  int64_t n_blocks = min_blocks;
  if (n_blocks < threads) n_blocks = std::min<int64_t>(threads, n_panels);
  // Round the block count to a multiple of the threads when that costs little.
  if (n_blocks > threads && n_blocks % threads != 0 && n_panels >= n_blocks + threads) {
    n_blocks = RoundUp(n_blocks, threads);
  }
  const int64_t n_groups = n_blocks < threads ? CeilDiv(threads, n_blocks) : 1;
  const int64_t cost_n = Complete(v, s, threads, n_blocks, n_groups, pack, &bl);
  if (threads <= 1) return bl;
  // Candidate 2: the narrowest N blocking, rows split over the threads (wins when N has
  // few panels, e.g. 7x7 feature maps: 49 columns are 2 uneven panels of 32).
  Blocking alt = bl;
  const int64_t m_groups = min_blocks < threads ? CeilDiv(threads, min_blocks) : 1;
  const int64_t cost_m = Complete(v, s, threads, min_blocks, m_groups, pack, &alt);
  return cost_m < cost_n ? alt : bl;
}

int64_t AScratch(const F32GemmVariant& v, const Blocking& bl, const Operand& a) {
  return a.kind == Operand::kPacked ? 0 : RoundUp(bl.mc * bl.kc, 16);
}
int64_t BScratch(const F32GemmVariant& v, const Blocking& bl, const Operand& b) {
  return b.kind == Operand::kPacked ? 0 : RoundUp(bl.nc * bl.kc, 16);
}

struct Job {
  const F32GemmVariant* v;
  GemmShape s;
  const Operand* a;
  const Operand* b;
  float* c;
  int64_t ldc;
  const Epilogue* ep;
  float* scratch;
  Blocking bl;
  int64_t a_floats;    // per-thread A buffer
  int64_t per_thread;  // per-thread scratch (A buffer, then B buffer)
  int64_t tasks;
};

// Packs (or points at) the B block: columns [n0, n0 + nc) x depth [k0, k0 + kc).
// Returns the first panel and sets the panel stride.
const float* BBlock(const Job& j, int64_t n0, int64_t nc, int64_t k0, int64_t kc, float* buf,
                    int64_t* stride) {
  const int nr = j.v->nr;
  const Operand& b = *j.b;
  *stride = static_cast<int64_t>(nr) * kc;
  if (b.kind == Operand::kPacked) return b.packed + RoundUp(j.s.n, nr) * k0 + n0 * kc;
  if (b.kind == Operand::kMatrix) {
    MatrixView m = b.matrix;
    m.data += m.trans ? n0 * m.ld : n0;
    PackB(nr, m, nc, k0, kc, buf);
  } else {
    b.pack(b.pack_ctx, nr, n0, nc, k0, kc, buf);
  }
  return buf;
}

const float* ABlock(const Job& j, int64_t m0, int64_t mc, int64_t k0, int64_t kc, float* buf,
                    int64_t* stride) {
  const int mr = j.v->mr;
  const Operand& a = *j.a;
  *stride = static_cast<int64_t>(mr) * kc;
  if (a.kind == Operand::kPacked) return a.packed + RoundUp(j.s.m, mr) * k0 + m0 * kc;
  if (a.kind == Operand::kMatrix) {
    MatrixView m = a.matrix;
    m.data += m.trans ? m0 : m0 * m.ld;
    PackA(mr, m, mc, k0, kc, buf);
  } else {
    a.pack(a.pack_ctx, mr, m0, mc, k0, kc, buf);
  }
  return buf;
}

// The epilogue of the tile at (row, col), or nullptr before the last depth block.
TileEpilogue TileEp(const Epilogue& ep, int64_t row, int64_t col) {
  TileEpilogue t;
  t.alpha = ep.alpha;
  t.row_bias = ep.row_bias ? ep.row_bias + row : nullptr;
  t.col_bias = ep.col_bias ? ep.col_bias + col : nullptr;
  t.residual = ep.residual ? ep.residual + row * ep.ld_residual + col : nullptr;
  t.ld_residual = ep.ld_residual;
  t.clamp_min = ep.clamp_min;
  t.clamp_max = ep.clamp_max;
  return t;
}

void RunTask(const Job& j, int64_t task, float* a_buf, float* b_buf) {
  const F32GemmVariant& v = *j.v;
  const Blocking& bl = j.bl;
  const int64_t nb = task % bl.n_blocks, mg = task / bl.n_blocks;
  const int64_t n0 = nb * bl.nc, nc = std::min(bl.nc, j.s.n - n0);
  const int64_t m_begin = mg * bl.rows_per_group;
  const int64_t m_end = std::min(j.s.m, m_begin + bl.rows_per_group);
  if (nc <= 0 || m_end <= m_begin) return;
  const int64_t k = j.s.k;
  const int64_t depth_blocks = std::max<int64_t>(1, CeilDiv(k, bl.kc));
  for (int64_t kb = 0; kb < depth_blocks; ++kb) {
    const int64_t k0 = kb * bl.kc, kc = std::max<int64_t>(0, std::min(bl.kc, k - k0));
    const bool last = kb + 1 == depth_blocks;
    int64_t b_stride = 0;
    const float* bp = BBlock(j, n0, nc, k0, kc, b_buf, &b_stride);
    for (int64_t m0 = m_begin; m0 < m_end; m0 += bl.mc) {
      const int64_t mc = std::min(bl.mc, m_end - m0);
      int64_t a_stride = 0;
      const float* ap = ABlock(j, m0, mc, k0, kc, a_buf, &a_stride);
      for (int64_t jp = 0; jp * v.nr < nc; ++jp) {
        const int64_t col = n0 + jp * v.nr;
        const int nr = static_cast<int>(std::min<int64_t>(v.nr, n0 + nc - col));
        for (int64_t ip = 0; ip * v.mr < mc; ++ip) {
          const int64_t row = m0 + ip * v.mr;
          const int mr = static_cast<int>(std::min<int64_t>(v.mr, m0 + mc - row));
          float* c = j.c + row * j.ldc + col;
          TileEpilogue tep;
          if (last) tep = TileEp(*j.ep, row, col);
          v.fn(kc, ap + ip * a_stride, bp + jp * b_stride, c, j.ldc, mr, nr, kb > 0,
               last ? &tep : nullptr);
          if (last && j.ep->activation != nullptr) {
            for (int r = 0; r < mr; ++r) j.ep->activation(j.ep->activation_ctx, c + r * j.ldc, nr);
          }
        }
      }
    }
  }
}

}  // namespace

std::span<const F32GemmVariant> F32GemmVariants() { return kVariants; }

const F32GemmVariant* SelectF32Gemm(Isa isa) {
  return SelectIsaVariant(std::span<const F32GemmVariant>(kVariants), isa);
}

int64_t PackedDepthBlock(const F32GemmVariant& v, int64_t k) {
  const int64_t kc = std::max<int64_t>(1, std::min<int64_t>(v.kc, k));
  return k > kc ? CeilDiv(k, CeilDiv(k, kc)) : kc;
}

void PackAWeights(const F32GemmVariant& v, const MatrixView& a, int64_t m, int64_t k, float* dst) {
  const int64_t kc = PackedDepthBlock(v, k);
  for (int64_t k0 = 0; k0 < k; k0 += kc) {
    PackA(v.mr, a, m, k0, std::min(kc, k - k0), dst + RoundUp(m, v.mr) * k0);
  }
}

void PackBWeights(const F32GemmVariant& v, const MatrixView& b, int64_t k, int64_t n, float* dst) {
  const int64_t kc = PackedDepthBlock(v, k);
  for (int64_t k0 = 0; k0 < k; k0 += kc) {
    PackB(v.nr, b, n, k0, std::min(kc, k - k0), dst + RoundUp(n, v.nr) * k0);
  }
}

void PackA(int mr_tile, const MatrixView& a, int64_t m, int64_t k0, int64_t kc, float* dst) {
  for (int64_t i0 = 0; i0 < m; i0 += mr_tile) {
    const int64_t rows = std::min<int64_t>(mr_tile, m - i0);
    float* panel = dst + (i0 / mr_tile) * mr_tile * kc;
    if (!a.trans) {
      for (int64_t r = 0; r < rows; ++r) {
        const float* src = a.data + (i0 + r) * a.ld + k0;
        for (int64_t p = 0; p < kc; ++p) panel[p * mr_tile + r] = src[p];
      }
    } else {  // the rows of a depth step are contiguous in the source
      for (int64_t p = 0; p < kc; ++p) {
        std::memcpy(panel + p * mr_tile, a.data + (k0 + p) * a.ld + i0, rows * sizeof(float));
      }
    }
    for (int64_t r = rows; r < mr_tile; ++r) {
      for (int64_t p = 0; p < kc; ++p) panel[p * mr_tile + r] = 0.0f;
    }
  }
}

void PackB(int nr_tile, const MatrixView& b, int64_t n, int64_t k0, int64_t kc, float* dst) {
  for (int64_t j0 = 0; j0 < n; j0 += nr_tile) {
    const int64_t cols = std::min<int64_t>(nr_tile, n - j0);
    float* panel = dst + (j0 / nr_tile) * nr_tile * kc;
    if (!b.trans) {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = b.data + (k0 + p) * b.ld + j0;
        float* d = panel + p * nr_tile;
        std::memcpy(d, src, cols * sizeof(float));
        for (int64_t jj = cols; jj < nr_tile; ++jj) d[jj] = 0.0f;
      }
    } else {
      for (int64_t jj = 0; jj < cols; ++jj) {
        const float* src = b.data + (j0 + jj) * b.ld + k0;
        for (int64_t p = 0; p < kc; ++p) panel[p * nr_tile + jj] = src[p];
      }
      for (int64_t p = 0; p < kc && cols < nr_tile; ++p) {
        for (int64_t jj = cols; jj < nr_tile; ++jj) panel[p * nr_tile + jj] = 0.0f;
      }
    }
  }
}

int F32GemmThreads(const F32GemmVariant& v, const GemmShape& s, ThreadPool* pool) {
  return ChooseBlocking(v, s, pool ? pool->num_threads() : 1).threads;
}

int64_t F32GemmScratchFloats(const F32GemmVariant& v, const GemmShape& s, const Operand& a,
                             const Operand& b, int threads) {
  const Blocking bl =
      ChooseBlocking(v, s, threads, {a.kind != Operand::kPacked, b.kind != Operand::kPacked});
  return static_cast<int64_t>(bl.threads) * (AScratch(v, bl, a) + BScratch(v, bl, b));
}

void F32Gemm(const F32GemmVariant& v, const GemmShape& s, const Operand& a, const Operand& b,
             float* c, int64_t ldc, const Epilogue& ep, float* scratch, ThreadPool* pool) {
  if (s.m <= 0 || s.n <= 0) return;
  const Blocking bl = ChooseBlocking(v, s, pool ? pool->num_threads() : 1,
                                     {a.kind != Operand::kPacked, b.kind != Operand::kPacked});
  Job j{&v, s, &a, &b, c, ldc, &ep, scratch, bl, 0, 0, 0};
  j.a_floats = AScratch(v, j.bl, a);
  j.per_thread = j.a_floats + BScratch(v, j.bl, b);
  j.tasks = j.bl.n_blocks * j.bl.m_groups;
  // Slot i runs tasks i, i + threads, ... with its own scratch. Captures one pointer, so the
  // std::function of ParallelFor stores it inline (no allocation).
  const Job* job = &j;
  auto slot_fn = [job](int64_t begin, int64_t end) {
    for (int64_t slot = begin; slot < end; ++slot) {
      float* a_buf = job->scratch + slot * job->per_thread;
      float* b_buf = a_buf + job->a_floats;
      for (int64_t t = slot; t < job->tasks; t += job->bl.threads) RunTask(*job, t, a_buf, b_buf);
    }
  };
  if (j.bl.threads <= 1 || pool == nullptr) {
    slot_fn(0, 1);
  } else {
    pool->ParallelFor(j.bl.threads, 1, slot_fn);
  }
}

void F32GemmReference(const GemmShape& s, const MatrixView& a, const MatrixView& b, float* c,
                      int64_t ldc, const Epilogue& ep) {
  for (int64_t i = 0; i < s.m; ++i) {
    for (int64_t j = 0; j < s.n; ++j) {
      float acc = 0.0f;
      for (int64_t p = 0; p < s.k; ++p) acc += a.At(i, p) * b.At(p, j);
      float y = acc * ep.alpha;
      if (ep.row_bias) y += ep.row_bias[i];
      if (ep.col_bias) y += ep.col_bias[j];
      if (ep.residual) y += ep.residual[i * ep.ld_residual + j];
      y = y < ep.clamp_min ? ep.clamp_min : y;
      y = y > ep.clamp_max ? ep.clamp_max : y;
      c[i * ldc + j] = y;
    }
    if (ep.activation) ep.activation(ep.activation_ctx, c + i * ldc, s.n);
  }
}

}  // namespace trt::kernels::gemm
