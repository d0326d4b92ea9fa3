// TransposeFast: simplified permutation, row copies or tiled 2-D transposes (see the header).
#include "engine/kernels/tensor/transpose_fast.h"

#include <algorithm>
#include <cstring>

namespace trt::kernels::tensor {
namespace {

// Below this many bytes a transpose runs on the caller only.
constexpr int64_t kParallelBytes = 1 << 18;
// Tile edge of the 2-D transpose (elements).
constexpr int64_t kTile = 16;

struct Plan {
  int n = 0;                        // axes after simplification
  int64_t in_shape[kMaxFastRank];   // simplified input shape
  int64_t in_stride[kMaxFastRank];  // elements
  int perm[kMaxFastRank];           // out axis d <- input axis perm[d]
  int64_t out_shape[kMaxFastRank];
  int64_t out_stride[kMaxFastRank];  // elements
};

// Drops size-1 axes and merges input axes that stay adjacent and in order in the output.
// Returns false when more than kMaxFastRank axes remain.
bool Simplify(const Shape& in, const std::vector<int>& perm, Plan* p) {
  const int r = static_cast<int>(perm.size());
  if (r > 64) return false;
  int kept_index[64];
  int kept = 0;
  for (int a = 0; a < r; ++a) kept_index[a] = in[a] == 1 ? -1 : kept++;
  // Output order of the kept axes, as kept indices.
  int o[64];
  int no = 0;
  for (int d = 0; d < r; ++d) {
    if (kept_index[perm[d]] >= 0) o[no++] = kept_index[perm[d]];
  }
  int64_t kept_size[64];
  for (int a = 0; a < r; ++a) {
    if (kept_index[a] >= 0) kept_size[kept_index[a]] = in[a];
  }
  // Groups of consecutive kept axes in output order.
  int group_first[64];
  int64_t group_size[64];
  int ng = 0;
  for (int i = 0; i < no; ++i) {
    if (i > 0 && o[i] == o[i - 1] + 1) {
      group_size[ng - 1] *= kept_size[o[i]];
    } else {
      if (ng == kMaxFastRank) return false;
      group_first[ng] = o[i];
      group_size[ng] = kept_size[o[i]];
      ++ng;
    }
  }
  p->n = ng;
  // Input order of the groups: by first kept axis.
  for (int g = 0; g < ng; ++g) {
    int rank = 0;
    for (int h = 0; h < ng; ++h) rank += group_first[h] < group_first[g];
    p->perm[g] = rank;
    p->in_shape[rank] = group_size[g];
  }
  int64_t s = 1;
  for (int a = ng - 1; a >= 0; --a) {
    p->in_stride[a] = s;
    s *= p->in_shape[a];
  }
  s = 1;
  for (int d = ng - 1; d >= 0; --d) {
    p->out_shape[d] = p->in_shape[p->perm[d]];
    p->out_stride[d] = s;
    s *= p->out_shape[d];
  }
  return true;
}

struct Job {
  const Plan* plan;
  const uint8_t* src;
  uint8_t* dst;
  size_t esize;
  // Row copy (inner axis kept): rows of `row_elems`.
  int64_t row_elems;
  // 2-D transpose: output axis `db` (input-contiguous) against the output's last axis.
  int db;
  int64_t tiles_per_outer;
};

// Input offset (elements) of output row `row`, where rows index the output's leading n-1
// axes in row-major order.
int64_t RowInputOffset(const Plan& p, int64_t row, int skip_axis) {
  int64_t off = 0;
  for (int d = p.n - 2; d >= 0; --d) {
    if (d == skip_axis) continue;
    const int64_t i = row % p.out_shape[d];
    row /= p.out_shape[d];
    off += i * p.in_stride[p.perm[d]];
  }
  return off;
}

void CopyRows(const Job& j, int64_t begin, int64_t end) {
  const Plan& p = *j.plan;
  const size_t bytes = static_cast<size_t>(j.row_elems) * j.esize;
  // Walk the output rows with an odometer over the leading axes (no division per row).
  int64_t idx[kMaxFastRank] = {0};
  int64_t rest = begin;
  for (int d = p.n - 2; d >= 0; --d) {
    idx[d] = rest % p.out_shape[d];
    rest /= p.out_shape[d];
  }
  int64_t in_off = RowInputOffset(p, begin, -1);
  uint8_t* dst = j.dst + begin * bytes;
  for (int64_t row = begin; row < end; ++row, dst += bytes) {
    std::memcpy(dst, j.src + in_off * j.esize, bytes);
    for (int d = p.n - 2; d >= 0; --d) {
      in_off += p.in_stride[p.perm[d]];
      if (++idx[d] < p.out_shape[d]) break;
      in_off -= idx[d] * p.in_stride[p.perm[d]];
      idx[d] = 0;
    }
  }
}

// out[i * ld_out + k] = in[i + k * ld_in] for i < rows, k < cols (elements of size E).
template <size_t E>
void Tile(const uint8_t* in, int64_t ld_in, uint8_t* out, int64_t ld_out, int64_t rows,
          int64_t cols) {
  for (int64_t i = 0; i < rows; ++i) {
    uint8_t* o = out + i * ld_out * E;
    const uint8_t* s = in + i * E;
    for (int64_t k = 0; k < cols; ++k) std::memcpy(o + k * E, s + k * ld_in * E, E);
  }
}

void TileAny(size_t e, const uint8_t* in, int64_t ld_in, uint8_t* out, int64_t ld_out, int64_t rows,
             int64_t cols) {
  switch (e) {
    case 1:
      return Tile<1>(in, ld_in, out, ld_out, rows, cols);
    case 2:
      return Tile<2>(in, ld_in, out, ld_out, rows, cols);
    case 4:
      return Tile<4>(in, ld_in, out, ld_out, rows, cols);
    case 8:
      return Tile<8>(in, ld_in, out, ld_out, rows, cols);
    default:
      for (int64_t i = 0; i < rows; ++i) {
        for (int64_t k = 0; k < cols; ++k) {
          std::memcpy(out + (i * ld_out + k) * e, in + (i + k * ld_in) * e, e);
        }
      }
  }
}

// Work item t = (outer index, band of kTile output rows along axis db).
void TransposeTiles(const Job& j, int64_t begin, int64_t end) {
  const Plan& p = *j.plan;
  const int last = p.n - 1;
  const int64_t rows = p.out_shape[j.db];  // input-contiguous axis
  const int64_t cols = p.out_shape[last];  // output-contiguous axis
  const int64_t ld_in = p.in_stride[p.perm[last]];
  const int64_t ld_out = p.out_stride[j.db];
  for (int64_t t = begin; t < end; ++t) {
    const int64_t outer = t / j.tiles_per_outer;
    const int64_t i0 = (t % j.tiles_per_outer) * kTile;
    // Offsets of the outer index over the output axes other than db and last.
    int64_t in_off = 0, out_off = 0, rest = outer;
    for (int d = last - 1; d >= 0; --d) {
      if (d == j.db) continue;
      const int64_t i = rest % p.out_shape[d];
      rest /= p.out_shape[d];
      in_off += i * p.in_stride[p.perm[d]];
      out_off += i * p.out_stride[d];
    }
    const int64_t ni = std::min(kTile, rows - i0);
    for (int64_t k0 = 0; k0 < cols; k0 += kTile) {
      const int64_t nk = std::min(kTile, cols - k0);
      TileAny(j.esize, j.src + (in_off + i0 + k0 * ld_in) * j.esize, ld_in,
              j.dst + (out_off + i0 * ld_out + k0) * j.esize, ld_out, ni, nk);
    }
  }
}

}  // namespace

bool TransposeFast(const Tensor& in, const std::vector<int>& perm, Tensor* out, ThreadPool* pool) {
  Plan p;
  if (!Simplify(in.shape(), perm, &p)) return false;
  const size_t esize = DTypeSize(in.dtype());
  const int64_t total = in.NumElements();
  if (total == 0) return true;
  const auto* src = static_cast<const uint8_t*>(in.raw_data());
  auto* dst = static_cast<uint8_t*>(out->raw_data());
  if (p.n <= 1) {  // nothing moves: one copy
    std::memcpy(dst, src, static_cast<size_t>(total) * esize);
    return true;
  }
  Job j{&p, src, dst, esize, 0, -1, 0};
  const bool parallel = pool != nullptr && pool->num_threads() > 1 &&
                        total * static_cast<int64_t>(esize) >= kParallelBytes;
  const Job* job = &j;
  if (p.perm[p.n - 1] == p.n - 1) {
    j.row_elems = p.in_shape[p.n - 1];
    const int64_t rows = total / j.row_elems;
    if (!parallel) {
      CopyRows(j, 0, rows);
    } else {
      pool->ParallelFor(rows, 16, [job](int64_t b, int64_t e) { CopyRows(*job, b, e); });
    }
    return true;
  }
  for (int d = 0; d < p.n; ++d) {
    if (p.perm[d] == p.n - 1) j.db = d;
  }
  j.tiles_per_outer = (p.out_shape[j.db] + kTile - 1) / kTile;
  const int64_t outer = total / (p.out_shape[j.db] * p.out_shape[p.n - 1]);
  const int64_t items = outer * j.tiles_per_outer;
  if (!parallel) {
    TransposeTiles(j, 0, items);
  } else {
    pool->ParallelFor(items, 1, [job](int64_t b, int64_t e) { TransposeTiles(*job, b, e); });
  }
  return true;
}

}  // namespace trt::kernels::tensor
