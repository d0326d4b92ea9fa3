// Helpers for tests that talk KServe v2 to trtserve: building ModelInferRequests from tensors,
// reading tensors back out of responses (client side, independent of server/grpc/convert.cc
// so that tests check the server against an independent reading of the wire format), raw
// calls to services without generated stubs (health, reflection), test model repositories
// built from the digits model, and an in-process server on ephemeral ports.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/sync_stream.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "engine/base/status.h"
#include "engine/base/tensor.h"
#include "engine/runtime/bindings.h"
#include "proto/grpc_service.grpc.pb.h"
#include "proto/grpc_service.pb.h"
#include "server/grpc/grpc_server.h"
#include "server/model_config.h"
#include "server/model_repository.h"
#include "tests/e2e/cli_test_util.h"

namespace trt::e2e {

// Appends `t` as input `name` with its bytes in raw_input_contents.
inline void AddRawInput(inference::ModelInferRequest* req, const std::string& name,
                        const Tensor& t) {
  auto* in = req->add_inputs();
  in->set_name(name);
  in->set_datatype(std::string(server::KServeDatatype(t.dtype())));
  for (int64_t d : t.shape()) in->add_shape(d);
  req->add_raw_input_contents()->assign(static_cast<const char*>(t.raw_data()), t.nbytes());
}

inline inference::ModelInferRequest MakeRawRequest(const std::string& model,
                                                   const runtime::NamedTensors& inputs,
                                                   const std::string& id = "") {
  inference::ModelInferRequest req;
  req.set_model_name(model);
  req.set_id(id);
  for (const auto& [name, t] : inputs) AddRawInput(&req, name, t);
  return req;
}

// The response's outputs as tensors (copies), checking that datatype, shape and byte size
// agree with each other.
inline StatusOr<runtime::NamedTensors> OutputsFromResponse(
    const inference::ModelInferResponse& resp) {
  if (resp.raw_output_contents_size() != resp.outputs_size()) {
    return Internal("response has " + std::to_string(resp.outputs_size()) + " outputs but " +
                    std::to_string(resp.raw_output_contents_size()) + " raw_output_contents");
  }
  runtime::NamedTensors out;
  for (int i = 0; i < resp.outputs_size(); ++i) {
    const auto& o = resp.outputs(i);
    std::optional<DType> dtype = server::DTypeFromKServe(o.datatype());
    if (!dtype) return Internal("output '" + o.name() + "' has datatype '" + o.datatype() + "'");
    Shape shape{std::span<const int64_t>(o.shape().data(), o.shape().size())};
    TRT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(*dtype, shape));
    const std::string& bytes = resp.raw_output_contents(i);
    if (bytes.size() != t.nbytes()) {
      return Internal("output '" + o.name() + "': " + std::to_string(bytes.size()) + " bytes for " +
                      t.Description());
    }
    if (!bytes.empty()) std::memcpy(t.raw_data(), bytes.data(), bytes.size());
    out.emplace_back(o.name(), std::move(t));
  }
  return out;
}

// A float32 tensor of `shape` filled with start, start + step, ...
inline Tensor Iota(Shape shape, float start = 0.f, float step = 1.f) {
  Tensor t(DType::kFloat32, std::move(shape));
  for (int64_t i = 0; i < t.NumElements(); ++i) t.data<float>()[i] = start + step * i;
  return t;
}

// --- Calls by method name with raw bytes (for services we have no generated stubs for:
// grpc.health.v1, reflection, and methods our proto does not define).

inline grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

inline std::string FromByteBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return "";
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

inline void SetDeadline(grpc::ClientContext* ctx, int seconds = 30) {
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

// A unary call to "/package.Service/Method" with serialized request bytes.
inline grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& method, const std::string& request,
                                 std::string* response) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  grpc::internal::RpcMethod rpc(method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::ByteBuffer out;
  grpc::Status s = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      channel.get(), rpc, &ctx, ToByteBuffer(request), &out);
  if (response != nullptr) *response = FromByteBuffer(out);
  return s;
}

// grpc.health.v1.Health/Check for `service`: the ServingStatus number (1 SERVING,
// 2 NOT_SERVING) or -code for an RPC error (e.g. -5 NOT_FOUND for an unknown service).
inline int HealthStatus(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  // HealthCheckRequest{service = 1: string}
  std::string request;
  if (!service.empty()) {
    request.push_back(0x0a);
    request.push_back(static_cast<char>(service.size()));  // services here are < 128 bytes
    request += service;
  }
  std::string response;
  grpc::Status s = RawUnaryCall(channel, "/grpc.health.v1.Health/Check", request, &response);
  if (!s.ok()) return -static_cast<int>(s.error_code());
  // HealthCheckResponse{status = 1: enum}; an empty message means UNKNOWN (0).
  if (response.size() == 2 && response[0] == 0x08) return response[1];
  return response.empty() ? 0 : -100;
}

// The service names listed by server reflection (grpc.reflection.v1alpha), as raw response
// bytes (tests search them for service names).
inline std::string ReflectionListServices(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  grpc::internal::RpcMethod rpc("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          channel.get(), rpc, &ctx));
  // ServerReflectionRequest{list_services = 7: string ""}
  const std::string list_services("\x3a\x00", 2);
  if (!stream->Write(ToByteBuffer(list_services))) return "";
  stream->WritesDone();
  grpc::ByteBuffer reply;
  std::string out;
  while (stream->Read(&reply)) out += FromByteBuffer(reply);
  stream->Finish();
  return out;
}

// --- Test model repositories and an in-process server.

// Writes ROOT/NAME/config.yaml (`config_yaml`) and ROOT/NAME/VERSION/model.onnx (the digits
// CNN: input "input" FP32 [batch, 1, 8, 8] -> "logits", "probabilities" FP32 [batch, 10]).
inline void WriteDigitsModel(const fs::path& root, const std::string& name,
                             const std::string& config_yaml, int version = 1) {
  const fs::path dir = root / name / std::to_string(version);
  fs::create_directories(dir);
  fs::copy_file(fs::path(kSrc) / "configs/model_repository/digits/1/model.onnx", dir / "model.onnx",
                fs::copy_options::overwrite_existing);
  std::ofstream(root / name / "config.yaml") << config_yaml;
}

// A digits config.yaml: max_batch_size 16, profiles latency (batch 1) and dynamic (1..16,
// opt 4), no warmup, and `dynamic_batching` (a YAML flow mapping) as given.
inline std::string DigitsYaml(const std::string& dynamic_batching = "{max_queue_delay_us: 0}") {
  return "max_batch_size: 16\n"
         "profiles:\n"
         "  - name: latency\n"
         "    shapes: {input: [1, 1, 8, 8]}\n"
         "  - name: dynamic\n"
         "    shapes: {input: {min: [1, 1, 8, 8], opt: [4, 1, 8, 8], max: [16, 1, 8, 8]}}\n"
         "dynamic_batching: " +
         dynamic_batching + "\nwarmup: {iterations: 0}\n";
}

// Rows [begin, begin + count) of the 16 held-out digit images (wrapping around), and the
// matching reference logits from PyTorch.
inline Tensor DigitRows(const std::string& npy, int begin, int count) {
  static const Tensor images = MustRead(kSrc + "/tests/data/digits/images.npy");
  static const Tensor logits = MustRead(kSrc + "/tests/data/digits/logits.npy");
  const Tensor& src = npy == "logits" ? logits : images;
  Shape shape = src.shape();
  const int64_t row = src.NumElements() / shape[0];
  shape[0] = count;
  Tensor out(src.dtype(), shape);
  for (int i = 0; i < count; ++i) {
    std::memcpy(out.data<float>() + i * row, src.data<float>() + ((begin + i) % 16) * row,
                row * sizeof(float));
  }
  return out;
}
inline Tensor Images(int begin, int count) { return DigitRows("images", begin, count); }
inline Tensor Logits(int begin, int count) { return DigitRows("logits", begin, count); }

inline inference::ModelInferRequest DigitsRequest(const std::string& model, int begin, int count,
                                                  const std::string& id = "",
                                                  int64_t priority = 0) {
  inference::ModelInferRequest req = MakeRawRequest(model, {{"input", Images(begin, count)}}, id);
  if (priority > 0) (*req.mutable_parameters())["priority"].set_int64_param(priority);
  return req;
}

// The "logits" output of a response ("" and an undefined tensor when missing).
inline Tensor OutputNamed(const inference::ModelInferResponse& resp, const std::string& name) {
  auto outs = OutputsFromResponse(resp);
  EXPECT_TRUE(outs.ok()) << outs.status();
  if (!outs.ok()) return Tensor();
  for (auto& [n, t] : *outs) {
    if (n == name) return t;
  }
  ADD_FAILURE() << "response has no output '" << name << "'";
  return Tensor();
}

// A repository opened in-process and served by a GrpcServer on 127.0.0.1:<free port>.
class InProcessServer {
 public:
  static StatusOr<std::unique_ptr<InProcessServer>> Start(
      server::RepositoryOptions repo_options, server::GrpcServerOptions grpc_options = {}) {
    std::unique_ptr<InProcessServer> s(new InProcessServer());
    TRT_ASSIGN_OR_RETURN(s->repository_, server::ModelRepository::Open(std::move(repo_options)));
    grpc_options.address = "127.0.0.1:0";
    TRT_ASSIGN_OR_RETURN(s->grpc_, server::GrpcServer::Start(s->repository_.get(), grpc_options));
    s->channel_ = grpc::CreateChannel(s->grpc_->address(), grpc::InsecureChannelCredentials());
    s->stub_ = inference::GRPCInferenceService::NewStub(s->channel_);
    return s;
  }
  ~InProcessServer() {
    if (grpc_) grpc_->Shutdown(std::chrono::seconds(10));
    if (repository_) repository_->Shutdown();
  }

  server::ModelRepository& repository() { return *repository_; }
  server::GrpcServer& grpc() { return *grpc_; }
  const std::shared_ptr<grpc::Channel>& channel() { return channel_; }
  inference::GRPCInferenceService::Stub& stub() { return *stub_; }
  // A snapshot of the ready model's statistics (version "" = the highest).
  server::ModelStatsSnapshot Stats(const std::string& model) {
    auto m = repository_->Find(model, "");
    EXPECT_TRUE(m.ok()) << m.status();
    return m.ok() ? (*m)->stats()->Snapshot() : server::ModelStatsSnapshot{};
  }

 private:
  InProcessServer() = default;
  std::unique_ptr<server::ModelRepository> repository_;
  std::unique_ptr<server::GrpcServer> grpc_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
};

// One ModelInfer call with a generous deadline.
inline grpc::Status Infer(inference::GRPCInferenceService::Stub& stub,
                          const inference::ModelInferRequest& request,
                          inference::ModelInferResponse* response) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx, 60);
  return stub.ModelInfer(&ctx, request, response);
}

// Writes `requests` on one ModelStreamInfer stream, half-closes, and reads every response (in
// arrival order). `after_writes` runs between the writes and the reads.
struct StreamResult {
  std::vector<inference::ModelStreamInferResponse> responses;
  grpc::Status status;
};
inline StreamResult RunStream(inference::GRPCInferenceService::Stub& stub,
                              const std::vector<inference::ModelInferRequest>& requests,
                              const std::function<void()>& after_writes = {}) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx, 120);
  auto stream = stub.ModelStreamInfer(&ctx);
  for (const auto& r : requests) {
    if (!stream->Write(r)) break;
  }
  stream->WritesDone();
  if (after_writes) after_writes();
  StreamResult result;
  inference::ModelStreamInferResponse resp;
  while (stream->Read(&resp)) result.responses.push_back(resp);
  result.status = stream->Finish();
  return result;
}

// --- The real `trtserve serve` as a child process.

// Runs `trtserve ARGS...` with stdout and stderr on one pipe. Kills the child (SIGKILL) if it
// is still running when destroyed.
class ServeProcess {
 public:
  explicit ServeProcess(const std::vector<std::string>& args) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      dup2(fds[1], STDERR_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      argv.push_back(const_cast<char*>(kTrtserve.c_str()));
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(kTrtserve.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_fd_ = fds[0];
  }
  ~ServeProcess() {
    if (pid_ > 0 && exit_code_ == kRunning) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
  }

  // Reads output until a line containing `text` has arrived (true) or the child's output ends
  // or `timeout_s` passes (false).
  bool WaitForLine(const std::string& text, int timeout_s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (output_.find(text) == std::string::npos ||
           output_.find('\n', output_.find(text)) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !ReadSome(static_cast<int>(left.count()))) return false;
    }
    return true;
  }
  // The text after `prefix` on the first line containing it, up to the next space or comma.
  std::string Field(const std::string& prefix) const {
    const size_t at = output_.find(prefix);
    if (at == std::string::npos) return "";
    const size_t begin = at + prefix.size();
    return output_.substr(begin, output_.find_first_of(" ,\n", begin) - begin);
  }
  void Signal(int sig) { kill(pid_, sig); }
  // Waits up to timeout_s for the exit code (-1: killed by a signal, -2: still running).
  int Wait(int timeout_s) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (exit_code_ == kRunning && std::chrono::steady_clock::now() < deadline) {
      ReadSome(100);
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
    }
    while (exit_code_ != kRunning && ReadSome(100)) {
    }
    return exit_code_ == kRunning ? -2 : exit_code_;
  }
  const std::string& output() const { return output_; }
  bool started() const { return pid_ > 0; }

 private:
  static constexpr int kRunning = -1000;
  bool ReadSome(int timeout_ms) {
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char buf[4096];
    const ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) return false;
    output_.append(buf, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int exit_code_ = kRunning;
  std::string output_;
};

}  // namespace trt::e2e
