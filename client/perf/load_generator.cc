#include "client/perf/load_generator.h"

#include <grpcpp/support/proto_buffer_reader.h>

#include <chrono>

#include "client/perf/schedule.h"
#include "proto/grpc_service.pb.h"

namespace trt::client {

struct LoadGenerator::Call {
  grpc::ClientContext context;
  grpc::ByteBuffer request, response;
  RequestSample sample;
};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

LoadGenerator::LoadGenerator(EndpointPool* pool, RequestSource* source, LoadConfig config)
    : pool_(pool), source_(source), config_(config) {}

LoadGenerator::~LoadGenerator() { Stop(); }

void LoadGenerator::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = true;
    window_ = Window();
    window_.start_ns = NowNs();
  }
  if (config_.mode == LoadMode::kRequestRate) {
    dispatcher_ = std::thread([this] { DispatchOpenLoop(); });
    return;
  }
  const int64_t n = static_cast<int64_t>(config_.level);
  {
    std::lock_guard<std::mutex> lock(mu_);
    outstanding_ += n;
  }
  for (int64_t i = 0; i < n; ++i) Issue(NowNs());
}

void LoadGenerator::Issue(int64_t scheduled_ns) {
  auto owned = std::make_shared<Call>();
  Call* call = owned.get();
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_.emplace(call, std::move(owned));
  }
  RequestSample& s = call->sample;
  s.scheduled_ns = scheduled_ns;
  s.send_start_ns = config_.mode == LoadMode::kConcurrency ? scheduled_ns : NowNs();
  auto request = source_->Next();
  if (!request.ok()) {
    s.sent_ns = s.received_ns = s.done_ns = NowNs();
    s.code = request.status().error_code();
    if (Finish(call, RequestSample(s), request.status().error_message())) {
      // A data error repeats for every request: do not spin; the slot ends here.
      std::lock_guard<std::mutex> lock(mu_);
      if (--outstanding_ == 0) cv_.notify_all();
    }
    return;
  }
  call->request = std::move(request->bytes);
  s.batch = request->batch;
  size_t endpoint = 0;
  KServeClient& client = pool_->Next(&endpoint);
  s.endpoint = static_cast<uint32_t>(endpoint);
  client.SetDeadline(&call->context);
  // Stamped before the hand-off: the callback may run on another thread before
  // AsyncInferSerialized returns.
  s.sent_ns = NowNs();
  client.AsyncInferSerialized(&call->context, &call->request, &call->response,
                              [this, call](grpc::Status status) { OnDone(call, status); });
}

void LoadGenerator::OnDone(Call* call, const grpc::Status& status) {
  RequestSample s = call->sample;
  s.received_ns = NowNs();
  std::string error;
  if (status.ok()) {
    // Parse and check the response as a user of the result would.
    inference::ModelInferResponse response;
    grpc::Status parsed =
        grpc::GenericDeserialize<grpc::ProtoBufferReader, inference::ModelInferResponse>(
            &call->response, &response);
    if (!parsed.ok()) {
      s.code = StatusCode::INTERNAL;
      error = "response did not parse as ModelInferResponse: " + parsed.error_message();
    } else if (response.raw_output_contents_size() != 0 &&
               response.raw_output_contents_size() != response.outputs_size()) {
      s.code = StatusCode::INTERNAL;
      error = "response has " + std::to_string(response.outputs_size()) + " outputs but " +
              std::to_string(response.raw_output_contents_size()) + " raw contents";
    }
  } else {
    s.code = status.error_code();
    error = status.error_message();
  }
  s.done_ns = NowNs();
  if (Finish(call, s, error)) Issue(NowNs());
}

bool LoadGenerator::Finish(Call* call, RequestSample sample, const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  // Free the call before outstanding_ can reach zero: its ClientContext holds a channel
  // reference, and once Stop() returns the owner may destroy the pool. The last channel
  // reference must not be dropped here, on a gRPC callback thread (gRPC would tear down its
  // callback queue from inside one of its own threads).
  in_flight_.erase(call);
  window_.samples.push_back(sample);
  if (sample.code != StatusCode::OK) {
    window_.error_examples.emplace(StatusCodeName(sample.code), error);
  }
  if (window_count_ > 0 && static_cast<int64_t>(window_.samples.size()) >= window_count_) {
    // Now, not sample.done_ns: another callback may have stamped a later done_ns and got the
    // lock first, and every sample in a window must end inside it.
    const int64_t end = NowNs();
    window_.end_ns = end;
    closed_.push_back(std::move(window_));
    window_ = Window();
    window_.start_ns = end;
    cv_.notify_all();
  }
  if (config_.mode == LoadMode::kConcurrency && running_) return true;
  if (--outstanding_ == 0 || config_.mode == LoadMode::kRequestRate) cv_.notify_all();
  return false;
}

void LoadGenerator::DispatchOpenLoop() {
  SendSchedule schedule(config_.level, config_.distribution, config_.seed);
  const auto base = std::chrono::steady_clock::now();
  const int64_t start =
      std::chrono::duration_cast<std::chrono::nanoseconds>(base.time_since_epoch()).count();
  std::unique_lock<std::mutex> lock(mu_);
  while (running_) {
    const int64_t offset = schedule.Next();
    cv_.wait_until(lock, base + std::chrono::nanoseconds(offset), [this] { return !running_; });
    cv_.wait(lock, [this] { return !running_ || outstanding_ < config_.max_outstanding; });
    if (!running_) break;
    ++outstanding_;
    lock.unlock();
    Issue(start + offset);
    lock.lock();
  }
}

LoadGenerator::Window LoadGenerator::TakeWindow() {
  std::lock_guard<std::mutex> lock(mu_);
  Window w = std::move(window_);
  w.end_ns = NowNs();
  window_ = Window();
  window_.start_ns = w.end_ns;
  return w;
}

void LoadGenerator::SetWindowCount(int64_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  window_count_ = count;
}

std::optional<LoadGenerator::Window> LoadGenerator::WaitClosedWindow(
    std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!cv_.wait_for(lock, timeout, [this] { return !closed_.empty(); })) return std::nullopt;
  Window w = std::move(closed_.front());
  closed_.pop_front();
  return w;
}

int64_t LoadGenerator::OpenWindowSize() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(window_.samples.size());
}

void LoadGenerator::Stop(int64_t grace_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  running_ = false;
  cv_.notify_all();
  lock.unlock();
  if (dispatcher_.joinable()) dispatcher_.join();
  lock.lock();
  if (cv_.wait_for(lock, std::chrono::milliseconds(grace_ms),
                   [this] { return outstanding_ == 0; })) {
    return;
  }
  // TryCancel may run completion callbacks on this thread, and they take mu_: cancel outside
  // the lock, holding references so no call is freed meanwhile.
  std::vector<std::shared_ptr<Call>> pending;
  for (const auto& [raw, call] : in_flight_) pending.push_back(call);
  lock.unlock();
  for (const auto& call : pending) call->context.TryCancel();
  pending.clear();
  lock.lock();
  cv_.wait(lock, [this] { return outstanding_ == 0; });
}

int64_t LoadGenerator::outstanding() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outstanding_;
}

}  // namespace trt::client
