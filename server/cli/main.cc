// trtserve: the command-line entry point (inspect, run; build/bench/serve in later issues).
#include <CLI/CLI.hpp>
#include <iostream>

#include "engine/base/cpu_features.h"
#include "engine/base/logging.h"
#include "server/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "trtserve: compile ONNX models into CPU engines and serve them over KServe v2 gRPC.\n"
      "Examples:\n"
      "  trtserve inspect model.onnx\n"
      "  trtserve run model.onnx --input input=images.npy --output-dir out/\n"};
  app.require_subcommand(1);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|off")
      ->capture_default_str();
  app.set_version_flag("--version", std::string("trtserve 0.1.0"));
  std::function<int()> run_inspect, run_run;
  trt::cli::RegisterInspect(app, &run_inspect);
  trt::cli::RegisterRun(app, &run_run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!trt::SetLogLevel(log_level)) {
    return trt::cli::ReportError("unknown --log-level '" + log_level + "'");
  }
  for (CLI::App* sub : app.get_subcommands()) {
    if (sub->get_name() == "inspect") return run_inspect();
    if (sub->get_name() == "run") return run_run();
  }
  return 1;
}
