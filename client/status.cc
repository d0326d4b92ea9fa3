#include "client/status.h"

namespace trt::client {

std::string StatusCodeName(StatusCode code) {
  static constexpr const char* kNames[] = {"OK",
                                           "CANCELLED",
                                           "UNKNOWN",
                                           "INVALID_ARGUMENT",
                                           "DEADLINE_EXCEEDED",
                                           "NOT_FOUND",
                                           "ALREADY_EXISTS",
                                           "PERMISSION_DENIED",
                                           "RESOURCE_EXHAUSTED",
                                           "FAILED_PRECONDITION",
                                           "ABORTED",
                                           "OUT_OF_RANGE",
                                           "UNIMPLEMENTED",
                                           "INTERNAL",
                                           "UNAVAILABLE",
                                           "DATA_LOSS",
                                           "UNAUTHENTICATED"};
  const int c = static_cast<int>(code);
  if (c >= 0 && c < static_cast<int>(std::size(kNames))) return kNames[c];
  return "CODE_" + std::to_string(c);
}

std::string StatusToString(const Status& status) {
  if (status.ok()) return "OK";
  return StatusCodeName(status.error_code()) + ": " + status.error_message();
}

Status WithContext(const Status& status, std::string_view context) {
  if (status.ok()) return status;
  return Status(status.error_code(), std::string(context) + ": " + status.error_message());
}

}  // namespace trt::client
