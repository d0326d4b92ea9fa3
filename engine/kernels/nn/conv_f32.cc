// Optimized FP32 convolution on the packed GEMM core (see conv_f32.h).
#include "engine/kernels/nn/conv_f32.h"

#include <algorithm>
#include <string>

#include "engine/base/aligned_alloc.h"
#include "engine/kernels/fused/gemm_epilogue.h"
#include "engine/kernels/gemm/gemm.h"
#include "engine/kernels/nn/im2col.h"

namespace trt::kernels::nn {
namespace {

using gemm::F32GemmVariant;

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
        Im2colSource im{xg, g, g->InSize()};
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
