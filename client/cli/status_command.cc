// `trtserve-client status`: liveness/readiness, server metadata, the repository index with
// states and reasons, and each ready model's versions, inputs and outputs.
// Exit code: 0 when every endpoint is live and ready, 2 when one answers but is not, 1 on
// errors (unreachable, bad flags).
#include <iomanip>
#include <iostream>
#include <set>

#include "client/cli/cli_common.h"
#include "client/host_tensor.h"
#include "client/infer_io.h"

namespace trt::client::cli {
namespace {

struct StatusOptions {
  ConnectionFlags connection;
  std::string model;  // only this model ("" = every model)
};

std::string YesNo(const StatusOr<bool>& v, const char* yes, const char* no) {
  if (!v.ok()) return "unknown (" + v.status().error_message() + ")";
  return *v ? yes : no;
}

void PrintTensors(const char* title, const std::vector<TensorSpec>& tensors) {
  std::cout << "    " << title << ":\n";
  size_t width = 0;
  for (const auto& t : tensors) width = std::max(width, t.name.size());
  for (const auto& t : tensors) {
    std::cout << "      " << std::left << std::setw(static_cast<int>(width) + 2) << t.name
              << std::setw(7) << t.datatype << ShapeToString(t.shape) << "\n";
  }
}

// Prints one model's metadata; returns false if it could not be fetched.
void PrintModel(KServeClient& client, const std::string& name, const std::string& version) {
  auto info = FetchModelInfo(client, name, version);
  if (!info.ok()) {
    std::cout << "  model " << name << ": " << info.status().error_message() << "\n";
    return;
  }
  std::cout << "  model " << info->name << ": versions [";
  for (size_t i = 0; i < info->versions.size(); ++i) {
    std::cout << (i ? ", " : "") << info->versions[i];
  }
  std::cout << "]";
  if (!info->platform.empty()) std::cout << ", platform " << info->platform;
  if (info->config_known) std::cout << ", max_batch_size " << info->max_batch_size;
  std::cout << "\n";
  PrintTensors("inputs", info->inputs);
  PrintTensors("outputs", info->outputs);
}

int PrintEndpoint(KServeClient& client, const StatusOptions& o) {
  const auto live = client.ServerLive();
  const auto ready = client.ServerReady();
  std::cout << "Server " << client.address() << ": " << YesNo(live, "live", "NOT live") << ", "
            << YesNo(ready, "ready", "NOT ready") << "\n";
  auto meta = client.ServerMetadata();
  if (meta.ok()) {
    std::cout << "  name: " << meta->name() << ", version: " << meta->version() << "\n"
              << "  extensions:";
    for (const auto& e : meta->extensions()) std::cout << " " << e;
    std::cout << "\n";
  } else {
    std::cout << "  metadata: " << meta.status().error_message() << "\n";
  }
  std::set<std::string> ready_models;
  auto index = client.RepositoryIndex(false);
  if (index.ok()) {
    std::cout << "  repository index (" << index->models_size() << " entries):\n";
    size_t width = 5;
    for (const auto& m : index->models()) width = std::max(width, m.name().size());
    std::cout << "    " << std::left << std::setw(static_cast<int>(width) + 2) << "MODEL"
              << std::setw(9) << "VERSION" << std::setw(14) << "STATE"
              << "REASON\n";
    for (const auto& m : index->models()) {
      std::cout << "    " << std::left << std::setw(static_cast<int>(width) + 2) << m.name()
                << std::setw(9) << (m.version().empty() ? "-" : m.version()) << std::setw(14)
                << (m.state().empty() ? "-" : m.state()) << m.reason() << "\n";
      if (m.state() == "READY") ready_models.insert(m.name());
    }
  } else {
    std::cout << "  repository index: " << index.status().error_message() << "\n";
  }
  if (!o.model.empty()) {
    PrintModel(client, o.model, "");
  } else {
    for (const std::string& name : ready_models) PrintModel(client, name, "");
  }
  return live.ok() && *live && ready.ok() && *ready ? 0 : 2;
}

int RunStatus(const StatusOptions& o) {
  auto pool = Connect(o.connection);
  if (!pool.ok()) return ReportError(pool.status());
  int code = 0;
  for (size_t i = 0; i < (*pool)->size(); ++i) {
    if (i) std::cout << "\n";
    code = std::max(code, PrintEndpoint((*pool)->at(i), o));
  }
  return code;
}

}  // namespace

void RegisterStatus(CLI::App& app, std::function<int()>* run) {
  auto opts = std::make_shared<StatusOptions>();
  CLI::App* sub = app.add_subcommand(
      "status", "Show server liveness/readiness, metadata, models with versions and state");
  AddConnectionFlags(sub, &opts->connection);
  sub->add_option("-m,--model", opts->model,
                  "Show only this model's metadata (default: every READY model)");
  sub->footer(
      "Exit code: 0 = live and ready, 2 = answering but not live/ready, 1 = error.\n"
      "Examples:\n"
      "  trtserve-client status\n"
      "  trtserve-client status -u 10.0.0.5:8001 -m digits\n"
      "  trtserve-client status -u host1:8001,host2:8001");
  *run = [opts] { return RunStatus(*opts); };
}

}  // namespace trt::client::cli
