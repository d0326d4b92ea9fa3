#include "server/response_delivery.h"

#include <exception>

#include "engine/base/logging.h"

namespace trt::server {

void InvokeCallback(const std::string& model, const ResponseCallback& callback,
                    InferResponse&& response) {
  try {
    callback(std::move(response));
  } catch (const std::exception& e) {
    TRT_LOG_ERROR("model '{}': a response callback threw: {}", model, e.what());
  } catch (...) {
    TRT_LOG_ERROR("model '{}': a response callback threw", model);
  }
}

void ResponseSequencer::Deliver(uint64_t seq, ResponseCallback callback, InferResponse&& response) {
  std::unique_lock<std::mutex> lock(mu_);
  const size_t slot = static_cast<size_t>(seq - next_);
  if (ready_.size() <= slot) ready_.resize(slot + 1);
  ready_[slot].emplace(Ready{std::move(callback), std::move(response)});
  if (delivering_) return;  // the delivering thread sends it in turn
  delivering_ = true;
  while (!ready_.empty() && ready_.front().has_value()) {
    Ready next = std::move(*ready_.front());
    ready_.pop_front();
    ++next_;
    lock.unlock();
    InvokeCallback(model_, next.callback, std::move(next.response));
    lock.lock();
  }
  delivering_ = false;
}

}  // namespace trt::server
