// `trtserve build MODEL.onnx -o MODEL.plan --profile ...`: compiles a model into a plan file
// (graph passes, kernel selection, per-profile memory plans), like trtexec --saveEngine.
#include <chrono>
#include <filesystem>
#include <iostream>

#include "engine/runtime/plan_file.h"
#include "server/cli/commands.h"
#include "server/cli/engine_loader.h"

namespace trt::cli {
namespace {

struct BuildOptions {
  std::string model;
  std::string output;
  ProfileFlags profiles;
};

std::string Mib(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

int RunBuild(const BuildOptions& o) {
  auto profiles = o.profiles.Parse();
  if (!profiles.ok()) return ReportError(profiles.status().ToString());
  const auto start = std::chrono::steady_clock::now();
  runtime::BuildReport report;
  auto plan = LoadOrBuildPlan(o.model, *profiles, o.profiles.opt_level, &report);
  if (!plan.ok()) return ReportError(plan.status().ToString());
  const std::string out = o.output.empty()
                              ? std::filesystem::path(o.model).replace_extension(".plan").string()
                              : o.output;
  Status s = runtime::SavePlan(**plan, out);
  if (!s.ok()) return ReportError(s.ToString());
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "Built " << out << " (" << Mib(static_cast<int64_t>(std::filesystem::file_size(out)))
            << ") in " << secs << " s\n";
  std::cout << "  nodes: " << report.nodes_before << " -> " << report.nodes_after << "\n";
  for (const auto& p : report.passes) {
    if (p.times_changed > 0) std::cout << "  pass " << p.name << ": applied\n";
  }
  for (size_t i = 0; i < (*plan)->profiles().size(); ++i) {
    std::cout << "  profile " << (*plan)->profiles()[i].ToString() << "  arena "
              << Mib((*plan)->memory(static_cast<int>(i)).plan.arena_bytes) << "\n";
  }
  return 0;
}

}  // namespace

void RegisterBuild(CLI::App& app, std::function<int()>* run) {
  auto opts = std::make_shared<BuildOptions>();
  CLI::App* sub = app.add_subcommand(
      "build", "Compile an ONNX model into a plan file with optimization profiles");
  sub->add_option("model", opts->model, "Path to an .onnx model")->required();
  sub->add_option("-o,--output", opts->output, "Plan file to write (default: MODEL.plan)");
  opts->profiles.Register(sub);
  sub->footer(
      "Examples:\n"
      "  trtserve build resnet50.onnx -o resnet50.plan \\\n"
      "      --profile latency:input=1x3x224x224 \\\n"
      "      --profile dynamic:input=1x3x224x224..4x3x224x224..32x3x224x224\n"
      "  trtserve build bert.onnx --minShapes=input_ids:1x16,attention_mask:1x16 \\\n"
      "      --optShapes=input_ids:8x128,attention_mask:8x128 \\\n"
      "      --maxShapes=input_ids:32x512,attention_mask:32x512");
  *run = [opts] { return RunBuild(*opts); };
}

}  // namespace trt::cli
