// trtserve: the command-line entry point (inspect, run, build, bench, serve).
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "engine/base/cpu_features.h"
#include "engine/base/logging.h"
#include "server/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "trtserve: compile ONNX models into CPU engines and serve them over KServe v2 gRPC.\n"
      "Examples:\n"
      "  trtserve inspect model.onnx\n"
      "  trtserve build model.onnx -o model.plan --profile "
      "dynamic:input=1x3x224x224..8x3x224x224..32x3x224x224\n"
      "  trtserve bench model.plan --shapes=input:8x3x224x224\n"
      "  trtserve run model.onnx --input input=images.npy --output-dir out/\n"
      "  trtserve serve --model-repository configs/model_repository\n"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")
      ->capture_default_str();
  app.set_version_flag("--version", std::string("trtserve 0.1.0"));
  std::map<std::string, std::function<int()>> commands;
  trt::cli::RegisterBuild(app, &commands["build"]);
  trt::cli::RegisterBench(app, &commands["bench"]);
  trt::cli::RegisterInspect(app, &commands["inspect"]);
  trt::cli::RegisterRun(app, &commands["run"]);
  trt::cli::RegisterServe(app, &commands["serve"]);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!trt::SetLogLevel(log_level)) {
    return trt::cli::ReportError("unknown --log-level '" + log_level + "'");
  }
  for (CLI::App* sub : app.get_subcommands()) {
    auto it = commands.find(sub->get_name());
    if (it != commands.end()) return it->second();
  }
  return 1;
}
