// `trtserve run MODEL.onnx --input NAME=FILE.npy ... [--output-dir DIR]`: runs a model on
// .npy inputs, prints each output's name, dtype and shape, and writes DIR/NAME.npy.
#include <chrono>
#include <filesystem>
#include <iostream>

#include "engine/base/npy.h"
#include "engine/graph/onnx_import.h"
#include "engine/runtime/execution_context.h"
#include "engine/runtime/executor.h"
#include "engine/runtime/model_loader.h"
#include "engine/runtime/plan_file.h"
#include "server/cli/commands.h"

namespace trt::cli {
namespace {

namespace fs = std::filesystem;

struct RunOptions {
  std::string model;
  std::vector<std::string> inputs;
  std::string output_dir;
  std::string profile;
  int threads = 1;
};

// Output names may contain characters that are not file-name safe ('/', ':').
std::string FileNameFor(const std::string& tensor_name) {
  std::string s = tensor_name;
  for (char& c : s) {
    if (c == '/' || c == '\\' || c == ':' || c == ' ') c = '_';
  }
  return s.empty() ? "output" : s;
}

std::string Preview(const Tensor& t) {
  std::string s = "[";
  const int64_t n = std::min<int64_t>(t.NumElements(), 6);
  for (int64_t i = 0; i < n; ++i) {
    if (i) s += ", ";
    if (IsFloatingPoint(t.dtype())) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", t.GetAsDouble(i));
      s += buf;
    } else {
      s += std::to_string(t.GetAsInt64(i));
    }
  }
  if (t.NumElements() > n) s += ", ...";
  return s + "]";
}

int RunRun(const RunOptions& o) {
  const bool is_plan = runtime::LooksLikePlanFile(o.model);
  std::shared_ptr<runtime::Plan> plan;
  std::shared_ptr<const graph::Model> shared;
  if (is_plan) {
    auto loaded = runtime::LoadPlan(o.model);
    if (!loaded.ok()) return ReportError(loaded.status().ToString());
    plan = std::move(loaded).value();
    shared = plan->shared_model();
  } else {
    if (!o.profile.empty()) {
      return ReportError("--profile applies to .plan files; '" + o.model + "' is an ONNX model");
    }
    auto model = runtime::LoadModel(o.model);
    if (!model.ok()) return ReportError(model.status().ToString());
    shared = std::move(model).value();
  }
  const auto& graph_inputs = shared->graph->inputs();
  runtime::NamedTensors feeds;
  for (const std::string& spec : o.inputs) {
    std::string name, path;
    const size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      if (graph_inputs.size() != 1) {
        return ReportError("--input '" + spec + "' has no NAME=; the model has " +
                           std::to_string(graph_inputs.size()) +
                           " inputs, so write --input NAME=FILE.npy");
      }
      name = graph_inputs[0]->name;
      path = spec;
    } else {
      name = spec.substr(0, eq);
      path = spec.substr(eq + 1);
    }
    auto t = ReadNpy(path);
    if (!t.ok()) return ReportError("input '" + name + "': " + t.status().message());
    feeds.emplace_back(name, std::move(t).value());
  }
  auto start = std::chrono::steady_clock::now();
  StatusOr<runtime::NamedTensors> outs = Internal("not run");
  std::unique_ptr<runtime::ExecutionContext> context;  // outputs alias its arena: keep it alive
  if (plan) {
    int profile = 0;
    if (!o.profile.empty()) {
      auto idx = plan->FindProfile(o.profile);
      if (!idx.ok()) return ReportError(idx.status().ToString());
      profile = *idx;
    } else {
      std::vector<std::pair<std::string, Shape>> shapes;
      for (const auto& [name, t] : feeds) shapes.emplace_back(name, t.shape());
      auto idx = runtime::SelectProfile(plan->profiles(), shapes);
      if (!idx.ok()) return ReportError(idx.status().ToString());
      profile = *idx;
    }
    auto ctx = runtime::ExecutionContext::Create(plan, profile, o.threads);
    if (!ctx.ok()) return ReportError(ctx.status().ToString());
    context = std::move(ctx).value();
    std::cerr << "profile: " << context->profile().name << "\n";
    start = std::chrono::steady_clock::now();
    outs = context->Run(feeds);
  } else {
    auto exec = runtime::Executor::Create(shared, {.num_threads = o.threads});
    if (!exec.ok()) return ReportError(exec.status().ToString());
    start = std::chrono::steady_clock::now();
    outs = (*exec)->Run(feeds);
  }
  const auto end = std::chrono::steady_clock::now();
  if (!outs.ok()) return ReportError(outs.status().ToString());
  if (!o.output_dir.empty()) {
    std::error_code ec;
    fs::create_directories(o.output_dir, ec);
    if (ec)
      return ReportError("cannot create --output-dir '" + o.output_dir + "': " + ec.message());
  }
  for (const auto& [name, t] : *outs) {
    std::cout << name << ": " << DTypeName(t.dtype()) << " " << t.shape().ToString() << " "
              << Preview(t);
    if (!o.output_dir.empty()) {
      const std::string path = (fs::path(o.output_dir) / (FileNameFor(name) + ".npy")).string();
      Status s = WriteNpy(path, t);
      if (!s.ok()) return ReportError(s.ToString());
      std::cout << " -> " << path;
    }
    std::cout << "\n";
    // Classifier-shaped outputs ([N, C] floats): show the predicted class per row.
    if (t.rank() == 2 && IsFloatingPoint(t.dtype()) && t.shape()[1] > 1) {
      std::cout << "  argmax per row: [";
      for (int64_t r = 0; r < t.shape()[0]; ++r) {
        int64_t best = 0;
        for (int64_t c = 1; c < t.shape()[1]; ++c) {
          if (t.GetAsDouble(r * t.shape()[1] + c) > t.GetAsDouble(r * t.shape()[1] + best))
            best = c;
        }
        std::cout << (r ? ", " : "") << best;
      }
      std::cout << "]\n";
    }
  }
  std::cerr << "ran in " << std::chrono::duration<double, std::milli>(end - start).count()
            << " ms\n";
  return 0;
}

}  // namespace

void RegisterRun(CLI::App& app, std::function<int()>* run) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* sub = app.add_subcommand(
      "run", "Run a model on .npy inputs and print (and optionally save) its outputs");
  sub->add_option("model", opts->model, "Path to an .onnx model or a .plan file")->required();
  sub->add_option("--profile", opts->profile,
                  "Plan profile to run (default: the profile whose opt is closest to the inputs)");
  sub->add_option("--input,-i", opts->inputs,
                  "NAME=FILE.npy, once per model input (NAME= may be omitted for a "
                  "single-input model)")
      ->required();
  sub->add_option("--output-dir,-o", opts->output_dir, "Write each output as DIR/NAME.npy");
  sub->add_option("--threads", opts->threads, "Intra-op threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  sub->footer("Example: trtserve run model.onnx --input input=images.npy --output-dir out/");
  *run = [opts] { return RunRun(*opts); };
}

}  // namespace trt::cli
