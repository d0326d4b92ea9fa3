// Optimized FP32 convolution on the packed GEMM core (see conv_f32.h).
#include "engine/kernels/nn/conv_f32.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "engine/base/aligned_alloc.h"
#include "engine/kernels/fused/gemm_epilogue.h"
#include "engine/kernels/gemm/gemm.h"

namespace trt::kernels::nn {
namespace {

using gemm::F32GemmVariant;

// The implicit im2col source of one image and group.
struct Im2col {
  const float* x;  // first input channel of the group in this image
  const WindowGeometry* g;
  int64_t in_size;  // elements per input channel
};

// Packs output positions [first, first + count) x depth [k0, k0 + kc) into NR panels.
// Depth index = channel * taps + (t0 * k1 + t1) * k2 + t2, the row-major order of W.
void PackPatches(const void* vctx, int nr, int64_t first, int64_t count, int64_t k0, int64_t kc,
                 float* dst) {
  const Im2col& src = *static_cast<const Im2col*>(vctx);
  const WindowGeometry& g = *src.g;
  constexpr int kMaxSegments = 65;  // a panel of <= 64 columns
  int64_t seg_o0[kMaxSegments], seg_o1[kMaxSegments], seg_o2[kMaxSegments];
  int seg_len[kMaxSegments];
  const int64_t out12 = g.out[1] * g.out[2];
  for (int64_t j0 = first; j0 < first + count; j0 += nr) {
    const int cols = static_cast<int>(std::min<int64_t>(nr, first + count - j0));
    float* panel = dst + ((j0 - first) / nr) * nr * kc;
    // Runs of consecutive output positions along the last spatial dim.
    int segs = 0;
    for (int done = 0; done < cols;) {
      const int64_t pos = j0 + done;
      const int64_t o0 = pos / out12, rem = pos % out12, o1 = rem / g.out[2], o2 = rem % g.out[2];
      const int len = static_cast<int>(std::min<int64_t>(cols - done, g.out[2] - o2));
      seg_o0[segs] = o0;
      seg_o1[segs] = o1;
      seg_o2[segs] = o2;
      seg_len[segs] = len;
      ++segs;
      done += len;
    }
    // Per (segment, tap along the last dim): the valid range [lo, hi) of the segment's columns
    // and the input offset of column 0 within the row, computed once per panel instead of
    // (with two divisions) for every depth index.
    constexpr int kMaxTaps2 = 16;
    const bool tabled = g.kernel[2] <= kMaxTaps2;
    int16_t tab_lo[kMaxSegments][kMaxTaps2], tab_hi[kMaxSegments][kMaxTaps2];
    int64_t tab_base[kMaxSegments][kMaxTaps2];
    const int64_t s2 = g.stride[2];
    for (int s = 0; tabled && s < segs; ++s) {
      for (int64_t k2 = 0; k2 < g.kernel[2]; ++k2) {
        const int64_t base = seg_o2[s] * s2 - g.pad_begin[2] + k2 * g.dilation[2];
        int64_t lo = base >= 0 ? 0 : (-base + s2 - 1) / s2;
        int64_t hi = g.in[2] - base <= 0 ? 0 : (g.in[2] - base + s2 - 1) / s2;
        lo = std::min<int64_t>(lo, seg_len[s]);
        hi = std::max(lo, std::min<int64_t>(hi, seg_len[s]));
        tab_lo[s][k2] = static_cast<int16_t>(lo);
        tab_hi[s][k2] = static_cast<int16_t>(hi);
        tab_base[s][k2] = base;
      }
    }
    // Decompose the first depth index, then advance the counters one tap at a time.
    const int64_t taps = g.KernelSize();
    int64_t c = k0 / taps, t = k0 % taps;
    int64_t t0 = t / (g.kernel[1] * g.kernel[2]);
    int64_t t1 = (t / g.kernel[2]) % g.kernel[1];
    int64_t t2 = t % g.kernel[2];
    for (int64_t p = 0; p < kc; ++p) {
      float* d = panel + p * nr;
      const float* xc = src.x + c * src.in_size;
      for (int s = 0; s < segs; ++s) {
        const int len = seg_len[s];
        const int64_t i0 = seg_o0[s] * g.stride[0] - g.pad_begin[0] + t0 * g.dilation[0];
        const int64_t i1 = seg_o1[s] * g.stride[1] - g.pad_begin[1] + t1 * g.dilation[1];
        if (i0 < 0 || i0 >= g.in[0] || i1 < 0 || i1 >= g.in[1]) {
          std::fill(d, d + len, 0.0f);
          d += len;
          continue;
        }
        const float* row = xc + (i0 * g.in[1] + i1) * g.in[2];
        int64_t base, lo, hi;
        if (tabled) {
          base = tab_base[s][t2];
          lo = tab_lo[s][t2];
          hi = tab_hi[s][t2];
        } else {
          base = seg_o2[s] * s2 - g.pad_begin[2] + t2 * g.dilation[2];
          // Valid q: 0 <= base + q * s2 < in2.
          lo = base >= 0 ? 0 : (-base + s2 - 1) / s2;
          hi = g.in[2] - base <= 0 ? 0 : (g.in[2] - base + s2 - 1) / s2;
          lo = std::min<int64_t>(lo, len);
          hi = std::max(lo, std::min<int64_t>(hi, len));
        }
        // d (the panel) and the input never overlap: plain copies, no alias checks.
        if (lo > 0) std::memset(d, 0, static_cast<size_t>(lo) * sizeof(float));
        if (s2 == 1) {
          std::memcpy(d + lo, row + base + lo, static_cast<size_t>(hi - lo) * sizeof(float));
        } else {
          float* __restrict out = d;
          const float* __restrict in = row + base;
          for (int64_t q = lo; q < hi; ++q) out[q] = in[q * s2];
        }
        if (hi < len) std::memset(d + hi, 0, static_cast<size_t>(len - hi) * sizeof(float));
        d += len;
      }
      for (int j = cols; j < nr; ++j) panel[p * nr + j] = 0.0f;
      if (++t2 == g.kernel[2]) {
        t2 = 0;
        if (++t1 == g.kernel[1]) {
          t1 = 0;
          if (++t0 == g.kernel[0]) {
            t0 = 0;
            ++c;
          }
        }
      }
    }
  }
}

class ConvF32Kernel final : public Kernel {
 public:
  // Packs W per group as GEMM A panels, or adopts the panels the plan file stored.
  ConvF32Kernel(const KernelInfo& info, const F32GemmVariant& v, WindowAttrs attrs, int64_t group,
                fused::Activation act, const Tensor& w)
      : v_(v), attrs_(std::move(attrs)), group_(group), act_(act), w_shape_(w.shape()) {
    const int64_t m = w.shape()[0] / group_;
    k_ = w.NumElements() / std::max<int64_t>(1, w.shape()[0]);
    per_group_ = gemm::PackedASize(v_, m, k_);
    const size_t bytes = static_cast<size_t>(per_group_ * group_) * sizeof(float);
    if (const void* stored = info.Prepacked(0, bytes)) {
      packed_data_ = static_cast<const float*>(stored);
      owner_ = info.PrepackedOwner();
      return;
    }
    packed_.reset(AlignedAlloc(std::max<size_t>(bytes, sizeof(float))));
    float* dst = static_cast<float*>(packed_.get());
    for (int64_t g = 0; g < group_; ++g) {
      gemm::MatrixView view{w.data<float>() + g * m * k_, k_, false};
      gemm::PackAWeights(v_, view, m, k_, dst + g * per_group_);
    }
    packed_data_ = dst;
  }

  std::string_view Name() const override { return v_.name; }

  std::vector<std::span<const std::byte>> PackedWeights() const override {
    return {{reinterpret_cast<const std::byte*>(packed_data_),
             static_cast<size_t>(per_group_ * group_) * sizeof(float)}};
  }

  Status Compute(KernelContext& ctx) const override {
    const Tensor* x = ctx.Input(0);
    const Tensor* w = ctx.Input(1);
    const Tensor* b = ctx.Input(2);
    const Tensor* z = ctx.num_inputs() > 3 ? ctx.Input(3) : nullptr;
    if (!x || !w) return ctx.Invalid("inputs X and W are required");
    if (x->dtype() != DType::kFloat32) {
      return ctx.Invalid("input 0 (X) is " + x->Description() + ", expected float32 like W");
    }
    if (w->shape() != w_shape_) {
      return ctx.Invalid("input 1 (W) has shape " + w->shape().ToString() + ", expected " +
                         w_shape_.ToString());
    }
    ConvShape cs;
    auto geo = ResolveConv(attrs_, group_, x->shape(), w->shape(), 1, &cs);
    if (!geo.ok()) return NodeError(ctx.info(), geo.status());
    if (b &&
        (b->dtype() != DType::kFloat32 || b->rank() != 1 || b->shape()[0] != cs.out_channels)) {
      return ctx.Invalid("input 2 (B) is " + b->Description() + ", expected float32[" +
                         std::to_string(cs.out_channels) + "]");
    }
    Shape y_shape{cs.batch, cs.out_channels};
    for (int64_t d : geo->OutDims()) y_shape.push_back(d);
    if (z && (z->dtype() != DType::kFloat32 || z->shape() != y_shape)) {
      return ctx.Invalid("input 3 (Z) is " + z->Description() + ", expected float32" +
                         y_shape.ToString() + " like the output");
    }
    TRT_ASSIGN_OR_RETURN(Tensor * y, ctx.AllocateOutput(0, DType::kFloat32, y_shape));
    if (y->NumElements() == 0) return Status::Ok();
    const WindowGeometry& g = *geo;
    const int64_t m = cs.out_channels / group_, cpg = cs.in_channels / group_;
    const int64_t positions = g.OutSize();
    const gemm::GemmShape gs{m, positions, k_};
    const bool pointwise = g.KernelSize() == 1 && g.InSize() == positions &&
                           g.stride == std::array<int64_t, 3>{1, 1, 1} &&
                           g.pad_begin == std::array<int64_t, 3>{0, 0, 0};
    ThreadPool* pool = ctx.thread_pool();
    const int threads = pool ? pool->num_threads() : 1;
    Job job{this,
            &g,
            x->data<float>(),
            b ? b->data<float>() : nullptr,
            z ? z->data<float>() : nullptr,
            y->data<float>(),
            gs,
            pointwise,
            cs.in_channels,
            cs.out_channels,
            cpg,
            m,
            positions,
            nullptr,
            0};
    fused::SetGemmActivation(act_, v_.isa, &job.ep);
    // Batches of at least two images per thread: whole images per thread, each GEMM on one
    // thread (no split of small GEMMs, no duplicated packing); otherwise every GEMM splits
    // over the pool.
    if (threads > 1 && cs.batch >= 2 * threads) {
      job.scratch_per_slot = gemm::F32GemmScratchFloats(v_, gs, job.AOp(), job.BOp(), 1);
      job.scratch = ScratchArray<float>(ctx, job.scratch_per_slot * threads);
      const int64_t per_slot = (cs.batch + threads - 1) / threads;
      struct Split {
        const Job* job;
        int64_t per_slot, batch;
      } split{&job, per_slot, cs.batch};
      const Split* sp = &split;
      pool->ParallelFor(threads, 1, [sp](int64_t begin, int64_t end) {
        for (int64_t slot = begin; slot < end; ++slot) {
          const int64_t first = slot * sp->per_slot;
          const int64_t last = std::min(sp->batch, first + sp->per_slot);
          for (int64_t n = first; n < last; ++n) {
            sp->job->Image(n, sp->job->scratch + slot * sp->job->scratch_per_slot, nullptr);
          }
        }
      });
      return Status::Ok();
    }
    job.scratch =
        ScratchArray<float>(ctx, gemm::F32GemmScratchFloats(v_, gs, job.AOp(), job.BOp(), threads));
    for (int64_t n = 0; n < cs.batch; ++n) job.Image(n, job.scratch, pool);
    return Status::Ok();
  }

 private:
  // One convolution call: Image(n) runs every group of image n as GEMMs.
  struct Job {
    const ConvF32Kernel* k;
    const WindowGeometry* g;
    const float* x;
    const float* bias;
    const float* z;
    float* y;
    gemm::GemmShape gs;
    bool pointwise;
    int64_t in_channels, out_channels, cpg, m, positions;
    float* scratch;
    int64_t scratch_per_slot;
    gemm::Epilogue ep;

    gemm::Operand AOp() const {
      gemm::Operand ao;
      ao.kind = gemm::Operand::kPacked;
      return ao;
    }
    gemm::Operand BOp() const {
      gemm::Operand bo;
      if (pointwise) {
        bo.kind = gemm::Operand::kMatrix;
      } else {
        bo.kind = gemm::Operand::kCustom;
        bo.pack = &PackPatches;
      }
      return bo;
    }
    void Image(int64_t n, float* scratch_buf, ThreadPool* pool) const {
      for (int64_t grp = 0; grp < k->group_; ++grp) {
        const float* xg = x + (n * in_channels + grp * cpg) * g->InSize();
        const int64_t y_off = (n * out_channels + grp * m) * positions;
        gemm::Operand ao = AOp(), bo = BOp();
        ao.packed = k->PackedGroup(grp);
        Im2col im{xg, g, g->InSize()};
        if (pointwise) {
          bo.matrix = {xg, positions, false};
        } else {
          bo.pack_ctx = &im;
        }
        gemm::Epilogue gep = ep;
        gep.row_bias = bias ? bias + grp * m : nullptr;
        if (z) {
          gep.residual = z + y_off;
          gep.ld_residual = positions;
        }
        gemm::F32Gemm(k->v_, gs, ao, bo, y + y_off, positions, gep, scratch_buf, pool);
      }
    }
  };

  const float* PackedGroup(int64_t g) const { return packed_data_ + g * per_group_; }

  const F32GemmVariant& v_;
  WindowAttrs attrs_;
  int64_t group_;
  fused::Activation act_;
  Shape w_shape_;
  int64_t k_ = 0;                      // depth: input channels per group x taps
  int64_t per_group_ = 0;              // packed floats per group
  AlignedBuffer packed_;               // when packed here
  std::shared_ptr<const void> owner_;  // when the plan's mapping holds the panels
  const float* packed_data_ = nullptr;
};

}  // namespace

StatusOr<KernelPtr> CreateConvF32(const KernelInfo& info, const WindowAttrs& attrs, int64_t group,
                                  const fused::Activation& act) {
  const F32GemmVariant* v = gemm::SelectF32Gemm(info.isa());
  const Tensor* w = info.ConstantInput(1);
  if (v == nullptr || info.InputDType(0) != DType::kFloat32 || w == nullptr ||
      w->dtype() != DType::kFloat32 || w->rank() < 3 || w->rank() > 5 || w->NumElements() == 0 ||
      w->shape()[0] % group != 0) {
    return KernelPtr();
  }
  if (group > 1 && w->shape()[1] == 1) return KernelPtr();  // depthwise: reference for now
  return KernelPtr(new ConvF32Kernel(info, *v, attrs, group, act, *w));
}

}  // namespace trt::kernels::nn
