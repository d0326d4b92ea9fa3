#include "server/model_instance.h"

#include <random>
#include <type_traits>

namespace trt::server {
namespace {

uint64_t ElapsedNs(TimePoint from, TimePoint to) {
  return to > from ? static_cast<uint64_t>((to - from).count()) : 0;
}

void FillRandom(Tensor& t, std::mt19937& rng) {
  const int64_t n = t.NumElements();
  VisitDType(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* p = t.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
        p[i] = T(std::uniform_real_distribution<float>(0.f, 1.f)(rng));
      } else if constexpr (std::is_floating_point_v<T>) {
        p[i] = static_cast<T>(std::uniform_real_distribution<double>(0.0, 1.0)(rng));
      } else {
        p[i] = static_cast<T>(rng() & 1);
      }
    }
  });
}

}  // namespace

StatusOr<std::unique_ptr<ModelInstance>> ModelInstance::Create(
    std::shared_ptr<const runtime::Plan> plan, std::shared_ptr<const ModelLayout> layout, int index,
    int threads) {
  std::unique_ptr<ModelInstance> inst(new ModelInstance());
  inst->plan_ = std::move(plan);
  inst->layout_ = std::move(layout);
  inst->index_ = index;
  const auto& profiles = inst->plan_->profiles();
  // One intra-op pool per instance, shared by its per-profile contexts (the instance's worker
  // runs one batch at a time, so they never compete for it).
  if (threads > 1) inst->pool_ = std::make_shared<ThreadPool>(threads);
  for (size_t p = 0; p < profiles.size(); ++p) {
    auto ctx = runtime::ExecutionContext::Create(inst->plan_, static_cast<int>(p), inst->pool_);
    if (!ctx.ok()) {
      return Status(ctx.status().code(), "model '" + inst->layout_->model_name + "': instance " +
                                             std::to_string(index) + ", profile '" +
                                             profiles[p].name + "': " + ctx.status().message());
    }
    inst->contexts_.push_back(std::move(ctx).value());
    std::vector<Shape> max_shapes;
    for (const auto& in : inst->layout_->inputs) {
      const runtime::InputShapeRange* r = profiles[p].Find(in.name);
      max_shapes.push_back(r ? r->max : Shape{});
    }
    inst->max_shapes_.push_back(std::move(max_shapes));
  }
  inst->buffers_.resize(profiles.size());
  return inst;
}

Status ModelInstance::Warmup(int iterations, WarmupConfig::Data data) {
  if (iterations <= 0) return Status::Ok();
  std::mt19937 rng(static_cast<uint32_t>(12345 + index_));
  const auto& profiles = plan_->profiles();
  for (size_t p = 0; p < contexts_.size(); ++p) {
    runtime::NamedTensors inputs;
    for (const auto& in : layout_->inputs) {
      const runtime::InputShapeRange* r = profiles[p].Find(in.name);
      TRT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(in.dtype, r ? r->opt : Shape{}));
      if (data == WarmupConfig::Data::kRandom) FillRandom(t, rng);
      inputs.emplace_back(in.name, std::move(t));
    }
    for (int it = 0; it < iterations; ++it) {
      Status s = contexts_[p]->Run(inputs, &outputs_);
      if (!s.ok()) {
        return Status(s.code(), "model '" + layout_->model_name + "': warmup of profile '" +
                                    profiles[p].name + "' on instance " + std::to_string(index_) +
                                    " failed: " + s.message());
      }
    }
  }
  return Status::Ok();
}

Status ModelInstance::Execute(const Batch& batch, const Clock& clock, BatchTiming* timing) {
  *timing = BatchTiming{};
  if (batch.profile < 0 || batch.profile >= num_profiles() || batch.pieces.empty()) {
    return Internal("model '" + layout_->model_name + "': invalid batch (profile " +
                    std::to_string(batch.profile) + ", " + std::to_string(batch.pieces.size()) +
                    " pieces)");
  }
  auto fail = [&](const Status& s) {
    for (auto& [name, t] : bound_) t = Tensor();
    std::string msg = s.message();
    const std::string engine_prefix = "model '" + plan_->model().name + "': ";
    if (msg.rfind(engine_prefix, 0) == 0) msg = msg.substr(engine_prefix.size());
    return Status(s.code(), "model '" + layout_->model_name + "', profile '" +
                                layout_->profile_names[batch.profile] + "', batch of " +
                                std::to_string(batch.rows) + ": " + msg);
  };
  const TimePoint t0 = clock.Now();
  Status s = GatherInputs(*layout_, batch, max_shapes_[batch.profile], &buffers_[batch.profile],
                          &bound_, &timing->counts);
  if (!s.ok()) return fail(s);
  const TimePoint t1 = clock.Now();
  s = contexts_[batch.profile]->Run(bound_, &outputs_);
  const TimePoint t2 = clock.Now();
  timing->input_ns = ElapsedNs(t0, t1);
  timing->infer_ns = ElapsedNs(t1, t2);
  if (!s.ok()) return fail(s);
  s = ScatterOutputs(*layout_, batch, outputs_);
  timing->output_ns = ElapsedNs(t2, clock.Now());
  if (!s.ok()) return fail(s);
  // Drop the views of the requests' rows so that no input outlives its request here.
  for (auto& [name, t] : bound_) t = Tensor();
  return Status::Ok();
}

}  // namespace trt::server
