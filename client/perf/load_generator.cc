#include "client/perf/load_generator.h"

#include <grpcpp/support/proto_buffer_reader.h>

#include <chrono>

#include "client/perf/schedule.h"
#include "proto/grpc_service.pb.h"

namespace trt::client {

struct LoadGenerator::Call {
  grpc::ClientContext context;
  // Lives in the call's arena: declared after `context` so it is released first.
  std::unique_ptr<grpc::ClientAsyncResponseReader<grpc::ByteBuffer>> reader;
  grpc::ByteBuffer request, response;
  grpc::Status status;
  RequestSample sample;
  size_t poller = 0;
};

struct LoadGenerator::Poller {
  grpc::CompletionQueue cq;
  std::thread thread;
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
  const int64_t cpus = std::max(1u, std::thread::hardware_concurrency());
  const int64_t demand = config_.mode == LoadMode::kConcurrency
                             ? static_cast<int64_t>(config_.level)
                             : config_.max_outstanding;
  const int64_t count = std::clamp<int64_t>(demand, 1, cpus);
  for (int64_t i = 0; i < count; ++i) pollers_.push_back(std::make_unique<Poller>());
  for (size_t i = 0; i < pollers_.size(); ++i) {
    pollers_[i]->thread = std::thread([this, i] { PollLoop(i); });
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
  for (int64_t i = 0; i < n; ++i) Issue(NowNs(), static_cast<size_t>(i) % pollers_.size());
}

void LoadGenerator::PollLoop(size_t poller) {
  void* tag = nullptr;
  bool ok = false;
  // Next() returns false only after Shutdown() and once every started call has completed.
  while (pollers_[poller]->cq.Next(&tag, &ok)) OnDone(static_cast<Call*>(tag));
}

void LoadGenerator::Issue(int64_t scheduled_ns, size_t poller) {
  // `keep` holds the call until this function returns: its completion may be handled (and
  // the call erased from in_flight_) on a poller while StartInferSerialized is still
  // storing the reader or returning from gRPC.
  auto keep = std::make_shared<Call>();
  Call* call = keep.get();
  call->poller = poller;
  {
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_.emplace(call, keep);
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
  // Stamped before the hand-off: the completion may be handled on another thread before
  // StartInferSerialized returns.
  s.sent_ns = NowNs();
  call->reader = client.StartInferSerialized(&call->context, call->request, &pollers_[poller]->cq,
                                             &call->response, &call->status, call);
}

void LoadGenerator::OnDone(Call* call) {
  RequestSample s = call->sample;
  s.received_ns = NowNs();
  std::string error;
  const grpc::Status& status = call->status;
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
  const size_t poller = call->poller;
  if (Finish(call, s, error)) Issue(NowNs(), poller);
}

bool LoadGenerator::Finish(Call* call, RequestSample sample, const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  // Free the call before outstanding_ can reach zero: its ClientContext holds a channel
  // reference, and once Stop() returns the owner may destroy the pool.
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
  size_t next_poller = 0;
  std::unique_lock<std::mutex> lock(mu_);
  while (running_) {
    const int64_t offset = schedule.Next();
    cv_.wait_until(lock, base + std::chrono::nanoseconds(offset), [this] { return !running_; });
    cv_.wait(lock, [this] { return !running_ || outstanding_ < config_.max_outstanding; });
    if (!running_) break;
    ++outstanding_;
    lock.unlock();
    Issue(start + offset, next_poller++ % pollers_.size());
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
  if (stopped_) return;
  std::unique_lock<std::mutex> lock(mu_);
  running_ = false;
  cv_.notify_all();
  lock.unlock();
  if (dispatcher_.joinable()) dispatcher_.join();
  lock.lock();
  if (!cv_.wait_for(lock, std::chrono::milliseconds(grace_ms),
                    [this] { return outstanding_ == 0; })) {
    // Cancel outside the lock, holding references so no call is freed meanwhile; the
    // cancelled calls complete on their pollers with CANCELLED.
    std::vector<std::shared_ptr<Call>> pending;
    for (const auto& [raw, call] : in_flight_) pending.push_back(call);
    lock.unlock();
    for (const auto& call : pending) call->context.TryCancel();
    pending.clear();
    lock.lock();
    cv_.wait(lock, [this] { return outstanding_ == 0; });
  }
  lock.unlock();
  // Nothing is in flight and nothing new starts (running_ is false): drain the pollers.
  for (auto& p : pollers_) p->cq.Shutdown();
  for (auto& p : pollers_) {
    if (p->thread.joinable()) p->thread.join();
  }
  stopped_ = true;
}

int64_t LoadGenerator::outstanding() const {
  std::lock_guard<std::mutex> lock(mu_);
  return outstanding_;
}

}  // namespace trt::client
