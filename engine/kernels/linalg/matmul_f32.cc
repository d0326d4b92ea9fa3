// Optimized FP32 Gemm / MatMul family on the packed GEMM core (see matmul_f32.h).
#include "engine/kernels/linalg/matmul_f32.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "engine/base/aligned_alloc.h"
#include "engine/kernels/fused/gemm_epilogue.h"
#include "engine/kernels/gemm/gemm.h"

namespace trt::kernels::linalg {
namespace {

using gemm::F32GemmVariant;

constexpr int kMaxBatchRank = 8;
// Batched products at most this many multiply-adds per matrix run whole matrices per thread.
constexpr int64_t kBatchParallelMacs = int64_t{4} << 20;

// B packed once at creation (or taken from the plan file): one full-K packed matrix per
// batch matrix of B.
struct PackedB {
  AlignedBuffer storage;              // when packed here
  std::shared_ptr<const void> owner;  // when the plan's mapping holds the panels
  const float* data = nullptr;
  int64_t per_matrix = 0;  // floats
  int64_t count = 0;       // matrices
  const float* matrix(int64_t i) const { return data + i * per_matrix; }
};

PackedB PackConstantB(const KernelInfo& info, const F32GemmVariant& v, const Tensor& b,
                      bool trans_b) {
  const int rank = b.rank();
  const int64_t rows = b.shape()[rank - 2], cols = b.shape()[rank - 1];
  const int64_t k = trans_b ? cols : rows, n = trans_b ? rows : cols;
  PackedB p;
  p.count = b.NumElements() / std::max<int64_t>(1, rows * cols);
  p.per_matrix = gemm::PackedBSize(v, k, n);
  const size_t bytes = static_cast<size_t>(p.per_matrix * p.count) * sizeof(float);
  if (const void* stored = info.Prepacked(0, bytes)) {
    p.data = static_cast<const float*>(stored);
    p.owner = info.PrepackedOwner();
    return p;
  }
  p.storage.reset(AlignedAlloc(std::max<size_t>(bytes, sizeof(float))));
  float* dst = static_cast<float*>(p.storage.get());
  for (int64_t i = 0; i < p.count; ++i) {
    gemm::MatrixView view{b.data<float>() + i * rows * cols, cols, trans_b};
    gemm::PackBWeights(v, view, k, n, dst + i * p.per_matrix);
  }
  p.data = dst;
  return p;
}

// Runs one (possibly batched) product: for each output batch index, C_b = op(A_a) op(B_b).
struct BatchGeometry {
  int rank = 0;
  std::array<int64_t, kMaxBatchRank> dims{}, a_stride{}, b_stride{};  // in matrices
  int64_t count = 1;
};

// numpy.matmul geometry without allocation. Fills m/k/n, the output shape and the batch walk.
Status Resolve(const Shape& as, const Shape& bs, bool ta, bool tb, int64_t* m, int64_t* k,
               int64_t* n, Shape* out, BatchGeometry* bg) {
  const int ar = as.rank(), br = bs.rank();
  if (ar < (ta ? 2 : 1) || br < (tb ? 2 : 1)) {
    return InvalidArgument("A " + as.ToString() + " and B " + bs.ToString() +
                           " must have rank >= 1, and >= 2 when transposed");
  }
  const bool a_vec = ar == 1, b_vec = br == 1;
  const int64_t a_rows = a_vec ? 1 : as[ar - 2], a_cols = as[ar - 1];
  const int64_t b_rows = b_vec ? bs[0] : bs[br - 2], b_cols = b_vec ? 1 : bs[br - 1];
  *m = ta ? a_cols : a_rows;
  *k = ta ? a_rows : a_cols;
  const int64_t kb = tb ? b_cols : b_rows;
  *n = tb ? b_rows : b_cols;
  if (*k != kb) {
    return InvalidArgument("B " + bs.ToString() + " is incompatible with A " + as.ToString() +
                           " (K must match: " + std::to_string(*k) + " vs " + std::to_string(kb) +
                           ")");
  }
  const int a_batch = std::max(0, ar - 2), b_batch = std::max(0, br - 2);
  bg->rank = std::max(a_batch, b_batch);
  if (bg->rank > kMaxBatchRank) {
    return Unimplemented("more than " + std::to_string(kMaxBatchRank) + " batch dims");
  }
  *out = Shape{};
  int64_t sa = 1, sb = 1;
  for (int d = bg->rank - 1; d >= 0; --d) {
    const int ia = d - (bg->rank - a_batch), ib = d - (bg->rank - b_batch);
    const int64_t da = ia >= 0 ? as[ia] : 1, db = ib >= 0 ? bs[ib] : 1;
    if (da != db && da != 1 && db != 1) {
      return InvalidArgument("batch dims of A " + as.ToString() + " and B " + bs.ToString() +
                             " do not broadcast");
    }
    bg->dims[d] = std::max(da, db);
    if (da == 0 || db == 0) bg->dims[d] = 0;
    bg->a_stride[d] = da == 1 ? 0 : sa;
    bg->b_stride[d] = db == 1 ? 0 : sb;
    sa *= da;
    sb *= db;
  }
  bg->count = 1;
  for (int d = 0; d < bg->rank; ++d) {
    out->push_back(bg->dims[d]);
    bg->count *= bg->dims[d];
  }
  if (!a_vec) out->push_back(*m);
  if (!b_vec) out->push_back(*n);
  return Status::Ok();
}

class MatMulF32Kernel final : public Kernel {
 public:
  enum class BiasKind { kNone, kCol, kRow, kFull };

  MatMulF32Kernel(const F32GemmVariant& v, bool ta, bool tb, float alpha, float beta,
                  fused::Activation act, bool gemm_c)
      : v_(v), ta_(ta), tb_(tb), alpha_(alpha), beta_(beta), act_(act), gemm_c_(gemm_c) {}

  void SetPackedB(PackedB packed, Shape b_shape) {
    packed_ = std::move(packed);
    packed_shape_ = std::move(b_shape);
    has_packed_ = true;
  }

  std::string_view Name() const override { return v_.name; }

  // Batch-parallel form: slot i computes matrices [i * per_thread, (i + 1) * per_thread).
  struct BatchJob {
    const MatMulF32Kernel* k;
    const BatchGeometry* bg;
    const Tensor* a;
    const Tensor* b;
    Tensor* y;
    bool use_packed;
    gemm::GemmShape gs;
    gemm::Operand ao, bo;
    const gemm::Epilogue* ep;
    float* scratch;
    int64_t scratch_per_slot, per_thread, a_mat, b_mat, y_mat;

    void Run(int64_t slot) const {
      const int64_t first = slot * per_thread;
      const int64_t last = std::min(bg->count, first + per_thread);
      gemm::Operand a_op = ao, b_op = bo;
      for (int64_t batch = first; batch < last; ++batch) {
        // Mixed-radix decode of the batch index into A and B matrix offsets.
        int64_t rest = batch, a_off = 0, b_off = 0;
        for (int d = bg->rank - 1; d >= 0; --d) {
          const int64_t i = rest % bg->dims[d];
          rest /= bg->dims[d];
          a_off += i * bg->a_stride[d];
          b_off += i * bg->b_stride[d];
        }
        a_op.matrix = {a->data<float>() + a_off * a_mat, k->ta_ ? gs.m : gs.k, k->ta_};
        if (use_packed) {
          b_op.packed = k->packed_.matrix(b_off);
        } else {
          b_op.matrix = {b->data<float>() + b_off * b_mat, k->tb_ ? gs.k : gs.n, k->tb_};
        }
        gemm::Epilogue bep = *ep;
        if (bep.residual) bep.residual += batch * y_mat;
        gemm::F32Gemm(k->v_, gs, a_op, b_op, y->data<float>() + batch * y_mat, gs.n, bep,
                      scratch + slot * scratch_per_slot, nullptr);
      }
    }
  };

  std::vector<std::span<const std::byte>> PackedWeights() const override {
    if (!has_packed_) return {};
    const size_t bytes = static_cast<size_t>(packed_.per_matrix * packed_.count) * sizeof(float);
    return {{reinterpret_cast<const std::byte*>(packed_.data), bytes}};
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor* a = ctx.Input(0);
    const Tensor* b = ctx.Input(1);
    const Tensor* c = ctx.Input(2);
    if (!a || !b) return ctx.Invalid("inputs 0 (A) and 1 (B) are required");
    if (a->dtype() != DType::kFloat32 || b->dtype() != DType::kFloat32 ||
        (c && c->dtype() != DType::kFloat32)) {
      return ctx.Invalid("inputs must all be float32, got A " + a->Description() + ", B " +
                         b->Description() + (c ? ", C " + c->Description() : std::string()));
    }
    if (gemm_c_ && (a->rank() != 2 || b->rank() != 2)) {
      return ctx.Invalid("inputs A " + a->shape().ToString() + " and B " + b->shape().ToString() +
                         " must have rank 2");
    }
    if (gemm_c_) {
      const int64_t ka = ta_ ? a->shape()[0] : a->shape()[1];
      const int64_t kb = tb_ ? b->shape()[1] : b->shape()[0];
      if (ka != kb) {  // the reference Gemm's wording
        return ctx.Invalid("input 1 (B) has shape " + b->shape().ToString() + ", expected " +
                           (tb_ ? "[N, K]" : "[K, N]") + " with K matching A " +
                           a->shape().ToString() + " (K: " + std::to_string(ka) + " vs " +
                           std::to_string(kb) + ")");
      }
    }
    int64_t m, k, n;
    Shape out_shape;
    BatchGeometry bg;
    Status s = Resolve(a->shape(), b->shape(), ta_, tb_, &m, &k, &n, &out_shape, &bg);
    if (!s.ok()) return ctx.Invalid(s.message());
    const bool use_packed = has_packed_ && b->shape() == packed_shape_;
    gemm::Epilogue ep;
    ep.alpha = alpha_;
    fused::SetGemmActivation(act_, v_.isa, &ep);
    TRT_RETURN_IF_ERROR(BindBias(ctx, c, m, n, &ep));
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, out_shape));
    if (y->NumElements() == 0) return Status::Ok();
    ThreadPool* pool = ctx.thread_pool();
    const gemm::GemmShape gs{m, n, k};
    gemm::Operand ao, bo;
    ao.kind = gemm::Operand::kMatrix;
    bo.kind = use_packed ? gemm::Operand::kPacked : gemm::Operand::kMatrix;
    const int threads = pool ? pool->num_threads() : 1;
    const int64_t a_mat = m * k, b_mat = k * n, y_mat = m * n;
    // Many small products (attention: batch x heads matrices of seq x 64): whole matrices per
    // thread, each GEMM on one thread, instead of splitting every small GEMM.
    if (threads > 1 && bg.count >= 2 * threads && m * n * k <= kBatchParallelMacs) {
      const int64_t per_slot = gemm::F32GemmScratchFloats(v_, gs, ao, bo, 1);
      BatchJob job{this,
                   &bg,
                   a,
                   b,
                   y,
                   use_packed,
                   gs,
                   ao,
                   bo,
                   &ep,
                   ScratchArray<float>(ctx, per_slot * threads),
                   per_slot,
                   (bg.count + threads - 1) / threads,
                   a_mat,
                   b_mat,
                   y_mat};
      const BatchJob* jp = &job;
      pool->ParallelFor(threads, 1, [jp](int64_t begin, int64_t end) {
        for (int64_t slot = begin; slot < end; ++slot) jp->Run(slot);
      });
      return Status::Ok();
    }
    float* scratch = ScratchArray<float>(ctx, gemm::F32GemmScratchFloats(v_, gs, ao, bo, threads));
    std::array<int64_t, kMaxBatchRank> idx{};
    int64_t a_off = 0, b_off = 0;
    for (int64_t batch = 0; batch < bg.count; ++batch) {
      ao.matrix = {a->data<float>() + a_off * a_mat, ta_ ? m : k, ta_};
      if (use_packed) {
        bo.packed = packed_.matrix(b_off);
      } else {
        bo.matrix = {b->data<float>() + b_off * b_mat, tb_ ? k : n, tb_};
      }
      gemm::Epilogue bep = ep;
      if (bep.residual) bep.residual += batch * y_mat;
      gemm::F32Gemm(v_, gs, ao, bo, y->data<float>() + batch * y_mat, n, bep, scratch, pool);
      for (int d = bg.rank - 1; d >= 0; --d) {  // odometer over the batch dims
        if (++idx[d] < bg.dims[d]) {
          a_off += bg.a_stride[d];
          b_off += bg.b_stride[d];
          break;
        }
        a_off -= bg.a_stride[d] * (bg.dims[d] - 1);
        b_off -= bg.b_stride[d] * (bg.dims[d] - 1);
        idx[d] = 0;
      }
    }
    return Status::Ok();
  }

 private:
  // Gemm's beta * C or FusedMatMul's bias, as a column bias, row bias or residual matrix.
  Status BindBias(KernelContext& ctx, const Tensor* c, int64_t m, int64_t n,
                  gemm::Epilogue* ep) const {
    if (c == nullptr || beta_ == 0.0f) return Status::Ok();
    const Shape& cs = c->shape();
    const float* cd = c->data<float>();
    const int64_t total = c->NumElements();
    int64_t rows = 1, cols = 1;
    if (gemm_c_) {
      if (cs.rank() > 2)
        return ctx.Invalid("input 2 (C) has shape " + cs.ToString() + ", expected rank <= 2");
      rows = cs.rank() == 2 ? cs[0] : 1;
      cols = cs.rank() >= 1 ? cs[cs.rank() - 1] : 1;
      if ((rows != m && rows != 1) || (cols != n && cols != 1)) {
        return ctx.Invalid("input 2 (C) has shape " + cs.ToString() +
                           ", expected it to broadcast to [" + std::to_string(m) + ", " +
                           std::to_string(n) + "]");
      }
    } else {
      if (total != n && total != 1) {
        return ctx.Invalid("bias " + cs.ToString() + " must have N = " + std::to_string(n) +
                           " or 1 elements");
      }
      cols = total;
    }
    const bool scaled = beta_ != 1.0f;
    if (rows == m && cols == n && m > 1 && n > 1) {  // full matrix: a residual
      float* r = const_cast<float*>(cd);
      if (scaled) {
        r = ScratchArray<float>(ctx, m * n);
        for (int64_t i = 0; i < m * n; ++i) r[i] = beta_ * cd[i];
      }
      ep->residual = r;
      ep->ld_residual = n;
      return Status::Ok();
    }
    if (cols == 1 && rows == m && m > 1) {  // one value per row
      float* r = const_cast<float*>(cd);
      if (scaled) {
        r = ScratchArray<float>(ctx, m);
        for (int64_t i = 0; i < m; ++i) r[i] = beta_ * cd[i];
      }
      ep->row_bias = r;
      return Status::Ok();
    }
    float* r = const_cast<float*>(cd);
    if (scaled || cols != n) {
      r = ScratchArray<float>(ctx, n);
      for (int64_t j = 0; j < n; ++j) r[j] = beta_ * cd[cols == n ? j : 0];
    }
    ep->col_bias = r;
    return Status::Ok();
  }

  const F32GemmVariant& v_;
  bool ta_, tb_;
  float alpha_, beta_;
  fused::Activation act_;
  bool gemm_c_;  // input 2 is Gemm's C (else FusedMatMul's bias)
  bool has_packed_ = false;
  PackedB packed_;
  Shape packed_shape_;
};

StatusOr<KernelPtr> Make(const KernelInfo& info, bool ta, bool tb, float alpha, float beta,
                         const fused::Activation& act, bool gemm_c) {
  const F32GemmVariant* v = gemm::SelectF32Gemm(info.isa());
  if (v == nullptr || info.InputDType(0) != DType::kFloat32) return KernelPtr();
  auto kernel = std::make_unique<MatMulF32Kernel>(*v, ta, tb, alpha, beta, act, gemm_c);
  const Tensor* b = info.ConstantInput(1);
  if (b != nullptr && b->dtype() == DType::kFloat32 && b->rank() >= 2 && b->NumElements() > 0) {
    kernel->SetPackedB(PackConstantB(info, *v, *b, tb), b->shape());
  }
  return KernelPtr(std::move(kernel));
}

}  // namespace

StatusOr<KernelPtr> CreateGemmF32(const KernelInfo& info, const fused::Activation& act) {
  if (info.opset() < 7) return KernelPtr();
  return Make(info, info.GetInt("transA", 0) != 0, info.GetInt("transB", 0) != 0,
              info.GetFloat("alpha", 1.0f), info.GetFloat("beta", 1.0f), act, /*gemm_c=*/true);
}

StatusOr<KernelPtr> CreateMatMulF32(const KernelInfo& info, bool trans_a, bool trans_b, float alpha,
                                    const fused::Activation& act) {
  return Make(info, trans_a, trans_b, alpha, 1.0f, act, /*gemm_c=*/false);
}

}  // namespace trt::kernels::linalg
