#include "client/cli/cli_common.h"

#include <algorithm>
#include <iostream>

namespace trt::client::cli {

int ReportError(const std::string& message) {
  std::cerr << "error: " << message << "\n";
  return 1;
}

int ReportError(const Status& status) { return ReportError(status.error_message()); }

void AddConnectionFlags(CLI::App* sub, ConnectionFlags* flags) {
  sub->add_option("-u,--url", flags->url,
                  "KServe v2 gRPC endpoint HOST:PORT; several, comma-separated, are used "
                  "round-robin")
      ->capture_default_str();
  sub->add_option("--timeout-ms", flags->timeout_ms,
                  "Deadline of each RPC in milliseconds (0 = none)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
}

StatusOr<std::unique_ptr<EndpointPool>> Connect(const ConnectionFlags& flags) {
  TRTC_ASSIGN_OR_RETURN(const auto endpoints, ParseEndpoints(flags.url));
  ClientOptions options;
  options.timeout_ms = flags.timeout_ms;
  auto pool = std::make_unique<EndpointPool>(endpoints, options);
  const int64_t probe_ms =
      flags.timeout_ms > 0 ? std::min<int64_t>(flags.timeout_ms, 10000) : 10000;
  TRTC_RETURN_IF_ERROR(pool->CheckReachable(std::chrono::milliseconds(probe_ms)));
  return pool;
}

}  // namespace trt::client::cli
