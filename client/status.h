// Error handling in the client library.
//
// The client speaks only the KServe protocol, so its status type is grpc::Status itself: every
// RPC already returns one, and its codes are the gRPC canonical codes (which trtserve's engine
// Status mirrors one to one). The engine's trt::Status is not used here on purpose: the client
// must not link the engine (layering: client -> proto only, see client/README.md).
//
// StatusOr<T> holds either a value or a non-OK Status. Messages carry context (endpoint, RPC,
// model, tensor, expected vs actual) so the command line can print them as they are.
#pragma once

#include <grpcpp/support/status.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace trt::client {

using Status = grpc::Status;
using grpc::StatusCode;

// "INVALID_ARGUMENT", "UNAVAILABLE", ... ("CODE_<n>" for numbers outside the canonical set).
std::string StatusCodeName(StatusCode code);

// "INVALID_ARGUMENT: <message>", or "OK".
std::string StatusToString(const Status& status);

// Returns a copy whose message is "<context>: <message>". OK stays OK.
Status WithContext(const Status& status, std::string_view context);

inline Status InvalidArgumentError(std::string msg) {
  return Status(StatusCode::INVALID_ARGUMENT, std::move(msg));
}
inline Status NotFoundError(std::string msg) {
  return Status(StatusCode::NOT_FOUND, std::move(msg));
}
inline Status InternalError(std::string msg) {
  return Status(StatusCode::INTERNAL, std::move(msg));
}
inline Status UnavailableError(std::string msg) {
  return Status(StatusCode::UNAVAILABLE, std::move(msg));
}

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : v_(value) {}            // NOLINT(google-explicit-constructor)
  StatusOr(T&& value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = InternalError("StatusOr built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::OK : std::get<Status>(v_); }

  // Precondition: ok(). Aborts otherwise (a programming error, not a user error).
  T& value() & {
    Check();
    return std::get<T>(v_);
  }
  const T& value() const& {
    Check();
    return std::get<T>(v_);
  }
  T&& value() && {
    Check();
    return std::get<T>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void Check() const {
    if (!ok()) {
      std::fprintf(stderr, "StatusOr::value() on error: %s\n",
                   StatusToString(std::get<Status>(v_)).c_str());
      std::abort();
    }
  }
  std::variant<Status, T> v_;
};

}  // namespace trt::client

#define TRTC_CONCAT_INNER_(a, b) a##b
#define TRTC_CONCAT_(a, b) TRTC_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function if `expr` is not OK.
#define TRTC_RETURN_IF_ERROR(expr)               \
  do {                                           \
    ::trt::client::Status _trtc_status = (expr); \
    if (!_trtc_status.ok()) return _trtc_status; \
  } while (0)

// TRTC_ASSIGN_OR_RETURN(auto x, MakeX()); declares/assigns on success, returns on error.
#define TRTC_ASSIGN_OR_RETURN(lhs, expr) \
  TRTC_ASSIGN_OR_RETURN_IMPL_(TRTC_CONCAT_(_trtc_statusor_, __LINE__), lhs, expr)
#define TRTC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
