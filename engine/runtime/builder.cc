// Builder: passes, profile validation, kernel selection, per-profile memory planning.
#include "engine/runtime/builder.h"

#include "engine/graph/passes/pass.h"
#include "engine/graph/shape_inference.h"
#include "engine/runtime/node_evaluator.h"

namespace trt::runtime {
namespace {

std::string PrecisionOf(const graph::Node& n) {
  if (n.op_type.rfind("QLinear", 0) == 0 || n.op_type == "MatMulInteger" ||
      n.op_type == "ConvInteger" || n.op_type == "QuantizeLinear" ||
      n.op_type == "DynamicQuantizeLinear") {
    return "int8";
  }
  for (const graph::Value* out : n.outputs) {
    if (!out) continue;
    switch (out->dtype) {
      case DType::kFloat32:
        return "fp32";
      case DType::kFloat16:
        return "fp16";
      case DType::kBFloat16:
        return "bf16";
      case DType::kFloat64:
        return "fp64";
      default:
        return std::string(DTypeName(out->dtype));
    }
  }
  return "-";
}

std::vector<NodeChoice> RecordChoices(const GraphProgram& program) {
  std::vector<NodeChoice> choices;
  for (const auto& step : program.steps) {
    const graph::Node& n = *step.node;
    NodeChoice c;
    c.node = n.name.empty() ? "#" + std::to_string(n.index) : n.name;
    c.op = (n.domain.empty() ? "" : n.domain + ".") + n.op_type;
    c.kernel = step.kernel_name;
    c.precision = PrecisionOf(n);
    if (const graph::Attribute* a = n.FindAttr("activation");
        a && a->kind == graph::Attribute::Kind::kString && !a->s.empty()) {
      c.fused.push_back(a->s);
    }
    choices.push_back(std::move(c));
  }
  return choices;
}

Status DefaultProfile(const graph::Graph& g, std::vector<OptimizationProfile>* profiles) {
  OptimizationProfile p;
  p.name = "default";
  for (const graph::Value* v : g.inputs()) {
    bool is_static = v->shape.has_value();
    if (v->shape) {
      for (const auto& d : *v->shape) is_static &= d.is_known();
    }
    if (!is_static) {
      return InvalidArgument(
          "input '" + v->name + "' " + v->TypeString() +
          " has dynamic dims, so the plan needs an optimization profile: give --profile "
          "NAME:" +
          v->name +
          "=MIN..OPT..MAX (e.g. 1x3x224x224..8x3x224x224..32x3x224x224) "
          "or --minShapes/--optShapes/--maxShapes");
    }
  }
  profiles->push_back(std::move(p));
  return Status::Ok();
}

// Symbols (named input dims) that every profile fixes to the same value (min == max), e.g.
// batch in a latency-only plan or seq when all profiles use 128. Substituting them makes the
// shape subgraphs that read them (Shape -> Gather -> ...) constant, so constant folding
// removes them from the plan.
Status SpecializeFixedDims(graph::Model& model, std::vector<OptimizationProfile> profiles,
                           int* specialized) {
  *specialized = 0;
  if (profiles.empty()) return Status::Ok();
  for (auto& p : profiles) TRT_RETURN_IF_ERROR(ValidateProfile(*model.graph, p));
  std::map<std::string, int64_t> fixed;
  bool first = true;
  for (const auto& p : profiles) {
    const auto lo = BindSymbols(*model.graph, p, ProfilePoint::kMin);
    const auto hi = BindSymbols(*model.graph, p, ProfilePoint::kMax);
    std::map<std::string, int64_t> here;
    for (const auto& [sym, v] : lo) {
      if (hi.at(sym) == v) here[sym] = v;
    }
    if (first) {
      fixed = here;
      first = false;
    } else {
      for (auto it = fixed.begin(); it != fixed.end();) {
        auto h = here.find(it->first);
        it = (h == here.end() || h->second != it->second) ? fixed.erase(it) : std::next(it);
      }
    }
  }
  if (fixed.empty()) return Status::Ok();
  for (graph::Value* v : model.graph->inputs()) {
    if (!v->shape) continue;
    for (graph::Dim& d : *v->shape) {
      if (!d.is_symbol()) continue;
      auto it = fixed.find(d.ToString());
      if (it != fixed.end()) {
        d = graph::Dim(it->second);
        ++*specialized;
      }
    }
  }
  return graph::InferShapes(model);
}

}  // namespace

StatusOr<std::shared_ptr<Plan>> AssemblePlan(std::shared_ptr<graph::Model> model,
                                             std::vector<OptimizationProfile> profiles, Isa isa,
                                             const GraphProgram::PrepackedMap* prepacked) {
  const std::string where = "model '" + model->name + "'";
  if (profiles.empty()) {
    Status s = DefaultProfile(*model->graph, &profiles);
    if (!s.ok()) return s.WithContext(where);
  }
  for (size_t i = 0; i < profiles.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (profiles[i].name == profiles[j].name) {
        return InvalidArgument(where + ": two profiles are named '" + profiles[i].name + "'");
      }
    }
    Status s = ValidateProfile(*model->graph, profiles[i]);
    if (!s.ok()) return s.WithContext(where);
  }
  auto program = GraphProgram::Build(*model->graph, isa, prepacked);
  if (!program.ok()) return program.status().WithContext(where);
  std::vector<ProfileMemory> memory;
  for (const auto& p : profiles) memory.push_back(PlanProfileMemory(**program, *model, p));
  std::vector<NodeChoice> choices = RecordChoices(**program);
  return std::make_shared<Plan>(std::move(model), std::move(program).value(), std::move(profiles),
                                std::move(memory), std::move(choices), isa);
}

StatusOr<std::shared_ptr<Plan>> BuildPlan(std::shared_ptr<graph::Model> model,
                                          const BuildConfig& config, BuildReport* report) {
  auto progress = [&](std::string_view stage, double f) {
    if (config.progress) config.progress(stage, f);
  };
  BuildReport local;
  BuildReport& r = report ? *report : local;
  r.nodes_before = static_cast<int>(model->graph->num_nodes());
  progress("specializing dims fixed by every profile", 0.0);
  Status spec = SpecializeFixedDims(*model, config.profiles, &r.specialized_dims);
  if (!spec.ok()) return spec.WithContext("model '" + model->name + "'");
  progress("optimizing graph", 0.1);
  graph::PassContext ctx;
  ctx.evaluate = MakeRegistryEvaluator();
  auto passes = graph::RunPasses(*model->graph, config.opt_level, ctx);
  if (!passes.ok()) return passes.status().WithContext("model '" + model->name + "'");
  r.passes = std::move(passes).value();
  r.nodes_after = static_cast<int>(model->graph->num_nodes());
  progress("selecting kernels and planning memory", 0.5);
  auto plan = AssemblePlan(std::move(model), config.profiles);
  progress("done", 1.0);
  return plan;
}

}  // namespace trt::runtime
