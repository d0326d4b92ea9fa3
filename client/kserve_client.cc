#include "client/kserve_client.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <thread>

namespace trt::client {
namespace {

constexpr char kModelInferMethod[] = "/inference.GRPCInferenceService/ModelInfer";

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Quoted(const std::string& model, const std::string& version) {
  std::string s = "'" + model + "'";
  if (!version.empty()) s += " version " + version;
  return s;
}

// ModelReady/ModelMetadata/ModelConfig/ModelStatistics requests all carry name + version.
template <typename Request>
Request NameVersion(const std::string& model, const std::string& version) {
  Request request;
  request.set_name(model);
  request.set_version(version);
  return request;
}

}  // namespace

KServeClient::KServeClient(std::string address, ClientOptions options)
    : address_(std::move(address)), options_(options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);  // model outputs can be far larger than gRPC's 4 MB
  args.SetMaxSendMessageSize(-1);
  channel_ = grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args);
  stub_ = inference::GRPCInferenceService::NewStub(channel_);
  generic_ = std::make_unique<grpc::GenericStub>(channel_);
}

void KServeClient::SetDeadline(grpc::ClientContext* context) const {
  if (options_.timeout_ms > 0) {
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::milliseconds(options_.timeout_ms));
  }
}

template <typename Request, typename Response, typename Method>
StatusOr<Response> KServeClient::Call(Method method, const Request& request,
                                      const std::string& what) {
  grpc::ClientContext context;
  SetDeadline(&context);
  Response response;
  grpc::Status s = (stub_.get()->*method)(&context, request, &response);
  if (!s.ok()) {
    return WithContext(s, what + " at " + address_ + ": " + StatusCodeName(s.error_code()));
  }
  return response;
}

Status KServeClient::CheckReachable(std::chrono::milliseconds timeout) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  inference::ServerLiveResponse response;
  grpc::Status s = stub_->ServerLive(&context, inference::ServerLiveRequest(), &response);
  if (s.ok()) return Status::OK;
  if (s.error_code() == StatusCode::UNAVAILABLE ||
      s.error_code() == StatusCode::DEADLINE_EXCEEDED) {
    return UnavailableError(UnreachableMessage(address_, s, timeout));
  }
  // Something answered but not as a KServe server would (e.g. UNIMPLEMENTED).
  return WithContext(s, "ServerLive at " + address_ + " (is this a KServe v2 gRPC endpoint?)");
}

StatusOr<bool> KServeClient::ServerLive() {
  TRTC_ASSIGN_OR_RETURN(auto r,
                        (Call<inference::ServerLiveRequest, inference::ServerLiveResponse>(
                            &inference::GRPCInferenceService::Stub::ServerLive, {}, "ServerLive")));
  return r.live();
}

StatusOr<bool> KServeClient::ServerReady() {
  TRTC_ASSIGN_OR_RETURN(
      auto r, (Call<inference::ServerReadyRequest, inference::ServerReadyResponse>(
                  &inference::GRPCInferenceService::Stub::ServerReady, {}, "ServerReady")));
  return r.ready();
}

StatusOr<bool> KServeClient::ModelReady(const std::string& model, const std::string& version) {
  const auto req = NameVersion<inference::ModelReadyRequest>(model, version);
  TRTC_ASSIGN_OR_RETURN(auto r, (Call<inference::ModelReadyRequest, inference::ModelReadyResponse>(
                                    &inference::GRPCInferenceService::Stub::ModelReady, req,
                                    "ModelReady " + Quoted(model, version))));
  return r.ready();
}

StatusOr<inference::ServerMetadataResponse> KServeClient::ServerMetadata() {
  return Call<inference::ServerMetadataRequest, inference::ServerMetadataResponse>(
      &inference::GRPCInferenceService::Stub::ServerMetadata, {}, "ServerMetadata");
}

StatusOr<inference::ModelMetadataResponse> KServeClient::ModelMetadata(const std::string& model,
                                                                       const std::string& version) {
  const auto req = NameVersion<inference::ModelMetadataRequest>(model, version);
  return Call<inference::ModelMetadataRequest, inference::ModelMetadataResponse>(
      &inference::GRPCInferenceService::Stub::ModelMetadata, req,
      "ModelMetadata " + Quoted(model, version));
}

StatusOr<inference::ModelConfigResponse> KServeClient::ModelConfig(const std::string& model,
                                                                   const std::string& version) {
  const auto req = NameVersion<inference::ModelConfigRequest>(model, version);
  return Call<inference::ModelConfigRequest, inference::ModelConfigResponse>(
      &inference::GRPCInferenceService::Stub::ModelConfig, req,
      "ModelConfig " + Quoted(model, version));
}

StatusOr<inference::ModelStatisticsResponse> KServeClient::ModelStatistics(
    const std::string& model, const std::string& version) {
  const auto req = NameVersion<inference::ModelStatisticsRequest>(model, version);
  return Call<inference::ModelStatisticsRequest, inference::ModelStatisticsResponse>(
      &inference::GRPCInferenceService::Stub::ModelStatistics, req,
      "ModelStatistics " + Quoted(model, version));
}

StatusOr<inference::RepositoryIndexResponse> KServeClient::RepositoryIndex(bool ready_only) {
  inference::RepositoryIndexRequest req;
  req.set_ready(ready_only);
  return Call<inference::RepositoryIndexRequest, inference::RepositoryIndexResponse>(
      &inference::GRPCInferenceService::Stub::RepositoryIndex, req, "RepositoryIndex");
}

Status KServeClient::LoadModel(const std::string& model) {
  inference::RepositoryModelLoadRequest req;
  req.set_model_name(model);
  return Call<inference::RepositoryModelLoadRequest, inference::RepositoryModelLoadResponse>(
             &inference::GRPCInferenceService::Stub::RepositoryModelLoad, req,
             "RepositoryModelLoad '" + model + "'")
      .status();
}

Status KServeClient::UnloadModel(const std::string& model) {
  inference::RepositoryModelUnloadRequest req;
  req.set_model_name(model);
  return Call<inference::RepositoryModelUnloadRequest, inference::RepositoryModelUnloadResponse>(
             &inference::GRPCInferenceService::Stub::RepositoryModelUnload, req,
             "RepositoryModelUnload '" + model + "'")
      .status();
}

StatusOr<inference::ModelInferResponse> KServeClient::Infer(
    const inference::ModelInferRequest& request) {
  return Call<inference::ModelInferRequest, inference::ModelInferResponse>(
      &inference::GRPCInferenceService::Stub::ModelInfer, request,
      "ModelInfer " + Quoted(request.model_name(), request.model_version()));
}

StatusOr<std::vector<inference::ModelStreamInferResponse>> KServeClient::StreamInfer(
    const std::vector<inference::ModelInferRequest>& requests) {
  grpc::ClientContext context;
  SetDeadline(&context);
  auto stream = stub_->ModelStreamInfer(&context);
  std::vector<inference::ModelStreamInferResponse> responses;
  std::thread reader([&] {
    inference::ModelStreamInferResponse response;
    while (stream->Read(&response)) responses.push_back(std::move(response));
  });
  for (const auto& request : requests) {
    if (!stream->Write(request)) break;  // the stream failed; Finish() says why
  }
  stream->WritesDone();
  reader.join();
  grpc::Status s = stream->Finish();
  if (!s.ok()) {
    return WithContext(s,
                       "ModelStreamInfer at " + address_ + ": " + StatusCodeName(s.error_code()));
  }
  return responses;
}

std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::ByteBuffer>>
KServeClient::StartInferSerialized(grpc::ClientContext* context, const grpc::ByteBuffer& request,
                                   grpc::CompletionQueue* cq, grpc::ByteBuffer* response,
                                   grpc::Status* status, void* tag) {
  auto reader = generic_->PrepareUnaryCall(context, kModelInferMethod, request, cq);
  reader->StartCall();
  reader->Finish(response, status, tag);
  return reader;
}

std::string UnreachableMessage(const std::string& address, const Status& probe,
                               std::chrono::milliseconds timeout) {
  const std::string text = Lower(probe.error_message());
  std::string reason;
  if (text.find("connection refused") != std::string::npos) {
    reason = "connection refused";
  } else if (text.find("dns") != std::string::npos || text.find("not known") != std::string::npos ||
             text.find("could not resolve") != std::string::npos) {
    reason = "host not found";
  } else if (probe.error_code() == StatusCode::DEADLINE_EXCEEDED) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "no answer within %.3g s", timeout.count() / 1000.0);
    reason = buf;
  } else {
    reason = probe.error_message();
  }
  return "cannot reach KServe server at " + address + " (" + reason +
         "): start it with `trtserve serve --model-repository DIR` or pass -u HOST:PORT";
}

StatusOr<std::vector<std::string>> ParseEndpoints(std::string_view list) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find(',', pos);
    if (end == std::string_view::npos) end = list.size();
    std::string entry(list.substr(pos, end - pos));
    pos = end + 1;
    while (!entry.empty() && entry.front() == ' ') entry.erase(entry.begin());
    while (!entry.empty() && entry.back() == ' ') entry.pop_back();
    if (entry.rfind("unix:", 0) == 0 && entry.size() > 5) {
      out.push_back(entry);
      continue;
    }
    const size_t colon = entry.rfind(':');
    int port = 0;
    bool ok = colon != std::string::npos && colon > 0;
    if (ok) {
      const char* first = entry.data() + colon + 1;
      const char* last = entry.data() + entry.size();
      const auto [ptr, ec] = std::from_chars(first, last, port);
      ok = ec == std::errc() && ptr == last && port >= 1 && port <= 65535;
    }
    if (!ok) {
      return InvalidArgumentError("-u: '" + entry +
                                  "' is not HOST:PORT; write e.g. -u 127.0.0.1:8001 or "
                                  "-u host1:8001,host2:8001");
    }
    out.push_back(entry);
  }
  return out;
}

EndpointPool::EndpointPool(const std::vector<std::string>& addresses, ClientOptions options) {
  for (const std::string& a : addresses) {
    clients_.push_back(std::make_unique<KServeClient>(a, options));
  }
}

KServeClient& EndpointPool::Next(size_t* index) {
  const size_t i = next_.fetch_add(1, std::memory_order_relaxed) % clients_.size();
  if (index) *index = i;
  return *clients_[i];
}

Status EndpointPool::CheckReachable(std::chrono::milliseconds timeout) {
  for (auto& c : clients_) TRTC_RETURN_IF_ERROR(c->CheckReachable(timeout));
  return Status::OK;
}

}  // namespace trt::client
