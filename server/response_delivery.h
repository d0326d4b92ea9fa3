// Handing responses to the requests' on_complete callbacks.
//
// - InvokeCallback: calls a callback so that an exception thrown by it is logged instead of
//   ending the batcher's thread (and the process).
// - ResponseSequencer (preserve_ordering): responses are handed in with their request's
//   acceptance number (0, 1, 2, ...; each exactly once, in any order) and leave strictly in
//   that order. Whichever thread fills the next gap delivers every response that is now in
//   order, outside the lock; other threads never wait for it.
// Threading: ResponseSequencer::Deliver is thread-safe. Callbacks run without any lock held,
// one at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "server/infer_request.h"

namespace trt::server {

using ResponseCallback = std::function<void(InferResponse&&)>;

void InvokeCallback(const std::string& model, const ResponseCallback& callback,
                    InferResponse&& response);

class ResponseSequencer {
 public:
  explicit ResponseSequencer(std::string model) : model_(std::move(model)) {}
  void Deliver(uint64_t seq, ResponseCallback callback, InferResponse&& response);

 private:
  struct Ready {
    ResponseCallback callback;
    InferResponse response;
  };
  const std::string model_;
  std::mutex mu_;
  std::deque<std::optional<Ready>> ready_;  // index = seq - next_; guarded by mu_
  uint64_t next_ = 0;                       // guarded by mu_
  bool delivering_ = false;                 // guarded by mu_
};

}  // namespace trt::server
