// `trtserve inspect MODEL.onnx`: opsets, inputs/outputs with dtypes and symbolic dims,
// op-type histogram, and the ops this build cannot run.
#include <iomanip>
#include <iostream>
#include <map>

#include "engine/graph/onnx_import.h"
#include "engine/kernels/registry.h"
#include "engine/runtime/model_loader.h"
#include "engine/runtime/plan_file.h"
#include "server/cli/commands.h"

namespace trt::cli {
namespace {

struct InspectOptions {
  std::string model;
};

void CountOps(const graph::Graph& g, std::map<std::string, int>* hist,
              std::vector<std::string>* unsupported) {
  for (const graph::Node* n : g.nodes()) {
    const std::string key = (n->domain.empty() ? "" : n->domain + ".") + n->op_type;
    (*hist)[key]++;
    auto k = kernels::LookupKernel(n->domain, n->op_type, n->opset, DType::kUndefined);
    if (!k.ok()) unsupported->push_back(n->Describe() + ": " + k.status().message());
    for (const auto& [name, a] : n->attrs) {
      if (a.g) CountOps(*a.g, hist, unsupported);
      for (const auto& sg : a.graphs) CountOps(*sg, hist, unsupported);
    }
  }
}

void PrintValues(const char* title, const std::vector<graph::Value*>& values) {
  std::cout << title << " (" << values.size() << "):\n";
  size_t w = 4;
  for (const auto* v : values) w = std::max(w, v->name.size());
  for (const auto* v : values) {
    std::cout << "  " << std::left << std::setw(static_cast<int>(w)) << v->name << "  "
              << std::setw(8) << DTypeName(v->dtype) << " "
              << (v->shape ? graph::SymShapeToString(*v->shape) : std::string("[?]")) << "\n";
  }
}

// Shapes of a value at the opt point of `profile`, e.g. "1x64x56x56"; "?" if unknown.
std::string ShapeAt(const graph::Value* v, const std::map<std::string, int64_t>& env) {
  if (!v || !v->shape) return "?";
  std::string s;
  for (const auto& d : *v->shape) {
    auto x = d.Evaluate(env);
    s += (s.empty() ? "" : "x") + (x ? std::to_string(*x) : d.ToString());
  }
  return s.empty() ? "scalar" : s;
}

int InspectPlan(const std::string& path) {
  auto plan = runtime::LoadPlan(path);
  if (!plan.ok()) return ReportError(plan.status().ToString());
  const runtime::Plan& p = **plan;
  const graph::Graph& g = *p.model().graph;
  std::cout << "Plan: " << path << "  model: " << p.model().name << "  ISA: " << IsaName(p.isa())
            << "\n";
  const auto& packed = p.packed_load_stats();
  std::cout << "Packed weights: " << packed.adopted << " blobs read from the plan";
  if (packed.repacked > 0) {
    std::cout << ", " << packed.repacked
              << " packed again at load (an older plan: rebuild it to load faster)";
  }
  std::cout << "\n";
  PrintValues("Inputs", g.inputs());
  PrintValues("Outputs", g.outputs());
  std::cout << "Profiles (" << p.profiles().size() << "):\n";
  for (size_t i = 0; i < p.profiles().size(); ++i) {
    std::cout << "  " << p.profiles()[i].ToString() << "  arena " << std::fixed
              << std::setprecision(2)
              << static_cast<double>(p.memory(static_cast<int>(i)).plan.arena_bytes) / (1 << 20)
              << " MiB\n";
  }
  const auto env = runtime::BindSymbols(g, p.profiles()[0], runtime::ProfilePoint::kOpt);
  std::cout << "Nodes (" << p.choices().size() << ", output shapes at profile '"
            << p.profiles()[0].name << "' opt):\n";
  std::cout << "  " << std::left << std::setw(32) << "node" << std::setw(28) << "op"
            << std::setw(10) << "kernel" << std::setw(10) << "precision"
            << "output\n";
  for (size_t i = 0; i < p.choices().size(); ++i) {
    const auto& c = p.choices()[i];
    std::string op = c.op;
    for (const auto& f : c.fused) op += "+" + f;
    const graph::Node& n = *p.program().steps[i].node;
    std::cout << "  " << std::left << std::setw(32) << c.node.substr(0, 31) << std::setw(28) << op
              << std::setw(10) << c.kernel << std::setw(10) << c.precision
              << ShapeAt(n.outputs.empty() ? nullptr : n.outputs[0], env) << "\n";
  }
  return 0;
}

int RunInspect(const InspectOptions& o) {
  if (runtime::LooksLikePlanFile(o.model)) return InspectPlan(o.model);
  auto loaded = runtime::LoadModel(o.model);
  if (!loaded.ok()) return ReportError(loaded.status().ToString());
  const graph::Model* model = loaded->get();
  const graph::Graph& g = *model->graph;
  std::cout << "Model: " << model->name << " (" << o.model << ")\n";
  std::cout << "  IR version " << model->ir_version;
  if (!model->producer_name.empty()) {
    std::cout << ", produced by " << model->producer_name << " " << model->producer_version;
  }
  std::cout << "\n  Opsets:";
  for (const auto& [domain, version] : model->opsets) {
    std::cout << " " << (domain.empty() ? "ai.onnx" : domain) << "=" << version;
  }
  std::cout << "\n";
  PrintValues("Inputs", g.inputs());
  PrintValues("Outputs", g.outputs());
  int64_t init_count = 0, init_bytes = 0;
  for (const auto& v : g.values()) {
    if (v->constant) {
      ++init_count;
      init_bytes += static_cast<int64_t>(v->constant->nbytes());
    }
  }
  std::cout << "Constants: " << init_count << " tensors, " << std::fixed << std::setprecision(2)
            << static_cast<double>(init_bytes) / (1 << 20) << " MiB\n";
  std::map<std::string, int> hist;
  std::vector<std::string> unsupported;
  CountOps(g, &hist, &unsupported);
  int total = 0;
  for (const auto& [op, n] : hist) total += n;
  std::cout << "Ops (" << total << " nodes, " << hist.size() << " types):\n";
  std::vector<std::pair<std::string, int>> sorted(hist.begin(), hist.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [op, n] : sorted) {
    std::cout << "  " << std::left << std::setw(28) << op << std::right << std::setw(6) << n
              << "\n";
  }
  if (unsupported.empty()) {
    std::cout << "Unsupported ops: none\n";
  } else {
    std::cout << "Unsupported ops (" << unsupported.size() << " nodes):\n";
    for (const auto& u : unsupported) std::cout << "  " << u << "\n";
  }
  return 0;
}

}  // namespace

void RegisterInspect(CLI::App& app, std::function<int()>* run) {
  auto opts = std::make_shared<InspectOptions>();
  CLI::App* sub = app.add_subcommand(
      "inspect",
      "Print a model's opsets, inputs/outputs (with symbolic dims), op histogram "
      "and unsupported ops");
  sub->add_option("model", opts->model, "Path to an .onnx model or a .plan file")->required();
  *run = [opts] { return RunInspect(*opts); };
}

int ReportError(const std::string& msg) {
  std::cerr << "error: " << msg << "\n";
  return 1;
}

}  // namespace trt::cli
