// trtserve-client: talk to a KServe v2 gRPC server (trtserve, Triton, ...) from a shell:
// `status`, `infer` (one request), `perf` (the load tester) and `ping` (transport round trip).
#include <CLI/CLI.hpp>
#include <map>

#include "client/cli/cli_common.h"

int main(int argc, char** argv) {
  CLI::App app{
      "trtserve-client: query, call and load-test KServe v2 gRPC inference servers "
      "(trtserve, Triton, KServe).\n"
      "Examples:\n"
      "  trtserve-client status\n"
      "  trtserve-client infer -m digits --input input=images.npy --output-dir out/\n"
      "  trtserve-client perf -m digits --concurrency-range 1:8:2 -f results.csv\n"
      "  trtserve-client perf -m digits --request-rate-range 100:400:100 "
      "--request-distribution poisson\n"
      "  trtserve-client ping -n 1000\n"
      "Every command takes -u HOST:PORT (default 127.0.0.1:8001); see COMMAND --help."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("trtserve-client 0.1.0"));
  std::map<std::string, std::function<int()>> commands;
  trt::client::cli::RegisterStatus(app, &commands["status"]);
  trt::client::cli::RegisterInfer(app, &commands["infer"]);
  trt::client::cli::RegisterPerf(app, &commands["perf"]);
  trt::client::cli::RegisterPing(app, &commands["ping"]);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (CLI::App* sub : app.get_subcommands()) {
    auto it = commands.find(sub->get_name());
    if (it != commands.end()) return it->second();
  }
  return 1;
}
