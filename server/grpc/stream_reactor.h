// StreamInferReactor: one ModelStreamInfer call (a bidirectional stream of ModelInferRequest
// -> ModelStreamInferResponse), used by InferenceService::ModelStreamInfer.
//
// Reads run continuously: every request read is submitted at once, so several requests of
// one stream are in flight together (and may batch with each other). Each completes with
// either its response or an error entry (error_message + the request's model/version/id);
// responses are written in completion order, one outstanding Write at a time (the rest wait
// in a queue). The reactor finishes when reading has ended (client half-close or
// cancellation), every submitted request has completed, and the write queue is empty (or the
// client is gone, in which case pending writes are dropped). It deletes itself in OnDone.
// Backpressure: while kMaxUnanswered requests of the stream are unanswered or their answers
// unwritten (a client that sends faster than the server answers, or than it reads), no new
// request is read; reading resumes once that count falls to half (or at once when the client
// is gone). So one stream never holds more than kMaxUnanswered requests and answers.
//
// Threading: OnReadDone/OnWriteDone run on gRPC threads, completions on batcher threads;
// all shared state is guarded by mu_, and StartWrite/Finish are called without it. Finish is
// called at most once, and only when no completion can arrive any more, so `this` is never
// used after OnDone.
#pragma once

#include <grpcpp/support/server_callback.h>

#include <deque>
#include <memory>
#include <mutex>

#include "proto/grpc_service.pb.h"
#include "server/infer_request.h"

namespace trt::server {

class InferenceService;

class StreamInferReactor final
    : public ::grpc::ServerBidiReactor<inference::ModelInferRequest,
                                       inference::ModelStreamInferResponse> {
 public:
  // Starts the first read. `service` outlives every reactor (gRPC shutdown waits for them).
  explicit StreamInferReactor(InferenceService* service);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  using Response = inference::ModelStreamInferResponse;

  void StartNextRead();
  // Queues a finished request's answer (called once per submitted request).
  void Complete(std::unique_ptr<Response> response);
  // With mu_ held: true (and marks finished) when the stream may finish now.
  bool ShouldFinishLocked();
  // With mu_ held: true (and clears read_paused_) when paused reading should restart.
  bool ShouldResumeLocked();
  // Outside mu_: restarts reading, or writes `to_write`, or finishes, as decided.
  void Act(bool resume_reading, Response* to_write, bool finish);

  static constexpr int64_t kMaxUnanswered = 256;

  InferenceService* service_;
  std::shared_ptr<inference::ModelInferRequest> reading_;  // target of the outstanding read

  std::mutex mu_;
  bool reads_done_ = false;
  bool write_failed_ = false;
  bool finished_ = false;
  bool read_paused_ = false;                       // no read outstanding because of backpressure
  int64_t in_flight_ = 0;                          // submitted, not yet completed
  std::unique_ptr<Response> writing_;              // the outstanding Write's message
  std::deque<std::unique_ptr<Response>> pending_;  // completed, waiting to be written
};

}  // namespace trt::server
