// Shared pieces of the `trtserve-client` subcommands: registration, the -u/--timeout-ms
// options, connecting with the standard "cannot reach" message, and error printing.
// Commands print results on stdout, progress and errors on stderr ("error: ..." with what
// to do next), and return the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "client/kserve_client.h"
#include "client/status.h"

namespace trt::client::cli {

// Adds the subcommand to `app` and sets *run to the function that executes it.
void RegisterStatus(CLI::App& app, std::function<int()>* run);
void RegisterInfer(CLI::App& app, std::function<int()>* run);
void RegisterPerf(CLI::App& app, std::function<int()>* run);
void RegisterPing(CLI::App& app, std::function<int()>* run);

// Prints "error: <message>" to stderr and returns 1.
int ReportError(const std::string& message);
int ReportError(const Status& status);

struct ConnectionFlags {
  std::string url = kDefaultEndpoint;  // -u HOST:PORT[,HOST:PORT...]
  int64_t timeout_ms = 30000;          // --timeout-ms: deadline of each RPC
};
// Adds -u/--url and --timeout-ms to `sub`.
void AddConnectionFlags(CLI::App* sub, ConnectionFlags* flags);

// Parses -u and probes every endpoint (ServerLive within min(timeout, 10 s)); the error is
// the user-facing "cannot reach KServe server at ..." message.
StatusOr<std::unique_ptr<EndpointPool>> Connect(const ConnectionFlags& flags);

}  // namespace trt::client::cli
