#include "server/grpc/stream_reactor.h"

#include "server/grpc/convert.h"
#include "server/grpc/service.h"

namespace trt::server {

StreamInferReactor::StreamInferReactor(InferenceService* service) : service_(service) {
  StartNextRead();
}

void StreamInferReactor::StartNextRead() {
  // A fresh message per read: the previous one may still be aliased by queued tensors.
  reading_ = std::make_shared<inference::ModelInferRequest>();
  StartRead(reading_.get());
}

void StreamInferReactor::OnReadDone(bool ok) {
  if (!ok) {
    bool finish = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      reads_done_ = true;
      finish = ShouldFinishLocked();
    }
    Act(false, nullptr, finish);
    return;
  }
  std::shared_ptr<inference::ModelInferRequest> message = std::move(reading_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++in_flight_;
  }
  // Errors echo what the client sent, so it can match them to its requests.
  Status s = service_->Submit(
      message, [this, name = message->model_name(), version = message->model_version(),
                id = message->id()](InferResponse&& r) {
        auto response = std::make_unique<Response>();
        if (r.status.ok()) {
          InferResponseToProto(r, response->mutable_infer_response());
        } else {
          StreamErrorToProto(r.status, name, version, id, response.get());
        }
        Complete(std::move(response));
      });
  if (!s.ok()) {
    auto response = std::make_unique<Response>();
    StreamErrorToProto(s, message->model_name(), message->model_version(), message->id(),
                       response.get());
    Complete(std::move(response));
  }
  // reads_done_ is still false here, so the stream cannot finish before the next read.
  {
    std::lock_guard<std::mutex> lock(mu_);
    read_paused_ = !write_failed_ && in_flight_ + static_cast<int64_t>(pending_.size()) +
                                             (writing_ != nullptr ? 1 : 0) >=
                                         kMaxUnanswered;
    if (read_paused_) return;  // Complete/OnWriteDone resume reading
  }
  StartNextRead();
}

void StreamInferReactor::Complete(std::unique_ptr<Response> response) {
  Response* to_write = nullptr;
  bool finish = false;
  bool resume_reading = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
    if (!write_failed_) {
      if (writing_ == nullptr) {
        writing_ = std::move(response);
        to_write = writing_.get();
      } else {
        pending_.push_back(std::move(response));
      }
    }
    resume_reading = ShouldResumeLocked();
    if (to_write == nullptr) finish = ShouldFinishLocked();
  }
  Act(resume_reading, to_write, finish);
}

void StreamInferReactor::OnWriteDone(bool ok) {
  Response* to_write = nullptr;
  bool finish = false;
  bool resume_reading = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    writing_.reset();
    if (!ok) {
      // The client is gone: nothing more can be delivered.
      write_failed_ = true;
      pending_.clear();
    } else if (!pending_.empty()) {
      writing_ = std::move(pending_.front());
      pending_.pop_front();
      to_write = writing_.get();
    }
    resume_reading = ShouldResumeLocked();
    if (to_write == nullptr) finish = ShouldFinishLocked();
  }
  Act(resume_reading, to_write, finish);
}

bool StreamInferReactor::ShouldResumeLocked() {
  if (!read_paused_) return false;
  const int64_t unanswered =
      in_flight_ + static_cast<int64_t>(pending_.size()) + (writing_ != nullptr ? 1 : 0);
  if (!write_failed_ && unanswered > kMaxUnanswered / 2) return false;
  read_paused_ = false;
  return true;
}

void StreamInferReactor::Act(bool resume_reading, Response* to_write, bool finish) {
  if (resume_reading) StartNextRead();
  if (to_write != nullptr) {
    StartWrite(to_write);
  } else if (finish) {
    Finish(::grpc::Status::OK);
  }
}

bool StreamInferReactor::ShouldFinishLocked() {
  if (finished_ || !reads_done_ || in_flight_ > 0 || writing_ != nullptr || !pending_.empty()) {
    return false;
  }
  finished_ = true;
  return true;
}

}  // namespace trt::server
