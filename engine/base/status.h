// Status and StatusOr: the error type of every non-hot path in trtserve.
//
// Contract:
// - A Status is either OK or carries a code plus a human-readable message. Messages carry
//   context (model, node, tensor, shape) so that a user can act on them; callers add context
//   while propagating with WithContext().
// - Exceptions never cross module boundaries: code that calls a throwing library catches and
//   converts to Status at the call site.
// - Kernels' hot-path Run() functions return void and assert preconditions instead.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace trt {

// Codes mirror the gRPC canonical codes so the server can map them one to one.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>". OK stays OK.
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

// Constructors for the common codes.
Status InvalidArgument(std::string msg);
Status NotFound(std::string msg);
Status Unimplemented(std::string msg);
Status Internal(std::string msg);
Status OutOfRange(std::string msg);
Status FailedPrecondition(std::string msg);
Status DataLoss(std::string msg);
Status ResourceExhausted(std::string msg);
Status Unavailable(std::string msg);

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : v_(value) {}            // NOLINT(google-explicit-constructor)
  StatusOr(T&& value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = Status(StatusCode::kInternal, "StatusOr built from OK");
  }
  template <typename U>
  requires std::is_convertible_v<U&&, T> &&
      (!std::is_same_v<std::decay_t<U>, Status>)&&(!std::is_same_v<std::decay_t<U>, T>)
          StatusOr(U&& value)
      : v_(T(std::forward<U>(value))) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

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
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void Check() const {
    if (!ok()) {
      std::fprintf(stderr, "StatusOr::value() on error: %s\n",
                   std::get<Status>(v_).ToString().c_str());
      std::abort();
    }
  }
  std::variant<Status, T> v_;
};

}  // namespace trt

#define TRT_CONCAT_INNER_(a, b) a##b
#define TRT_CONCAT_(a, b) TRT_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define TRT_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::trt::Status _trt_status = (expr);        \
    if (!_trt_status.ok()) return _trt_status; \
  } while (0)

// TRT_ASSIGN_OR_RETURN(auto x, MakeX()); declares/assigns on success, returns on error.
#define TRT_ASSIGN_OR_RETURN(lhs, expr) \
  TRT_ASSIGN_OR_RETURN_IMPL_(TRT_CONCAT_(_trt_statusor_, __LINE__), lhs, expr)
#define TRT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

// Internal invariant check: aborts with file/line. Not for user input.
#define TRT_CHECK(cond)                                                                 \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: TRT_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)
